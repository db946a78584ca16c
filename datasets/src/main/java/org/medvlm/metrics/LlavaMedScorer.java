package org.medvlm.metrics;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * LLaVA-Med's VQA scores ({@code llava/eval/run_eval.py} of microsoft/LLaVA-Med v1), one answer at a
 * time. Both sides are lower-cased and normalised with {@code normalize_word}
 * ({@link VqaNormalizer#llavaMed}).
 *
 * <p><b>Closed questions, as published.</b> The script does
 * <pre>
 * if 'yes' in pred or 'no' in pred:
 *     if gt in pred: hits.append(1)
 * else:
 *     hits.append(0)
 * </pre>
 * with Python substring tests, and divides by {@code len(hits)}. Two bugs follow: (1) a prediction that
 * contains "yes" or "no" but not the answer appends nothing, so a wrong yes/no answer leaves the
 * denominator instead of counting as a miss, which inflates the accuracy; (2) the substrings match inside
 * words: "no" in "normal", "note", "nodule", "know", "yes" in "eyes", and a reference "no" is "in"
 * a prediction "not sure". {@link #closedPublished} reproduces this (an empty result is an item the
 * script drops), for comparing with published numbers.
 *
 * <p><b>Closed questions, fixed</b> ({@link #closed}): every closed question counts. It is a hit when the
 * reference's words appear as a run of whole words in the prediction, and, for a yes/no reference, the
 * opposite word does not appear too (so "yes or no" is not right both ways). Closed answers that are not
 * yes/no (VQA-RAD's "left", SLAKE's "CT") are scored the same way instead of depending on whether the
 * prediction happens to contain "no".
 *
 * <p><b>Open questions</b>: the token recall of {@code calculate_f1score} (which the paper's open figure
 * is taken to be), with its precision and F1: over whitespace tokens of the twice-normalised texts,
 * tp counts the prediction's tokens that occur in the reference, fn the reference's tokens that do not
 * occur in the prediction; all three are 0 when tp = 0 or either side is empty.
 */
public final class LlavaMedScorer {
    private LlavaMedScorer() {}

    /** The fixed closed-question score: 1 or 0 (see the class comment). */
    public static double closed(String prediction, String reference) {
        List<String> pred = PyText.split(VqaNormalizer.llavaMed(prediction));
        List<String> gt = PyText.split(VqaNormalizer.llavaMed(reference));
        if (gt.isEmpty() || !containsRun(pred, gt)) {
            return 0.0;
        }
        if (gt.size() == 1 && (gt.get(0).equals("yes") || gt.get(0).equals("no"))) {
            String opposite = gt.get(0).equals("yes") ? "no" : "yes";
            return pred.contains(opposite) ? 0.0 : 1.0;
        }
        return 1.0;
    }

    /** The published closed-question score: 1, 0, or empty where the script appends nothing. */
    public static OptionalDouble closedPublished(String prediction, String reference) {
        String pred = VqaNormalizer.llavaMed(prediction);
        String gt = VqaNormalizer.llavaMed(reference);
        if (pred.contains("yes") || pred.contains("no")) {
            return pred.contains(gt) ? OptionalDouble.of(1.0) : OptionalDouble.empty();
        }
        return OptionalDouble.of(0.0);
    }

    /**
     * Token precision, recall and F1 of an open answer (LLaVA-Med's {@code calculate_f1score}).
     *
     * @param f1 the harmonic mean of precision and recall
     */
    public record TokenScores(double precision, double recall, double f1) {}

    /** {@code calculate_f1score(normalize_word(pred), normalize_word(gt))}; it normalises once more inside. */
    public static TokenScores open(String prediction, String reference) {
        Map<String, Integer> cand = counts(VqaNormalizer.llavaMed(VqaNormalizer.llavaMed(prediction)));
        Map<String, Integer> ref = counts(VqaNormalizer.llavaMed(VqaNormalizer.llavaMed(reference)));
        if (cand.isEmpty() || ref.isEmpty()) {
            return new TokenScores(0, 0, 0);
        }
        Set<String> words = new LinkedHashSet<>(cand.keySet());
        words.addAll(ref.keySet());
        int tp = 0;
        int fp = 0;
        int fn = 0;
        for (String w : words) {
            boolean inC = cand.containsKey(w);
            boolean inR = ref.containsKey(w);
            if (inC && inR) {
                tp += cand.get(w);
            } else if (inC) {
                fp += cand.get(w);
            } else {
                fn += ref.get(w);
            }
        }
        if (tp == 0) {
            return new TokenScores(0, 0, 0);
        }
        double precision = (double) tp / (tp + fp);
        double recall = (double) tp / (tp + fn);
        return new TokenScores(precision, recall, 2 * precision * recall / (precision + recall));
    }

    private static Map<String, Integer> counts(String normalised) {
        Map<String, Integer> m = new HashMap<>();
        for (String w : PyText.split(PyText.lower(normalised))) {
            m.merge(w, 1, Integer::sum);
        }
        return m;
    }

    private static boolean containsRun(List<String> haystack, List<String> needle) {
        for (int i = 0; i + needle.size() <= haystack.size(); i++) {
            if (haystack.subList(i, i + needle.size()).equals(needle)) {
                return true;
            }
        }
        return false;
    }
}
