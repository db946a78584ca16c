package org.medvlm.metrics;

import java.util.List;
import java.util.OptionalInt;

/**
 * PMC-VQA's multiple-choice accuracy ({@code src/MedVInT_TD/test.py} of xiaoman-zhang/PMC-VQA): the
 * generated text and the label are each mapped to the most similar of the choice strings
 * ({@code difflib.SequenceMatcher} ratio; the first strictly greater maximum wins; no choice when every
 * ratio is 0), and it is a hit when both land on the same choice (two "no choice" count as equal, as
 * {@code None == None} does in the script). The script feeds only the last character of the generation
 * (the choice letter); here the whole prediction is compared, so a model that answers with the choice's
 * text is scored on that text.
 */
public final class PmcVqaScorer {
    private PmcVqaScorer() {}

    /** The metadata keys a {@code VqaExample} holds its choices under, in order (as the PMC-VQA loader writes them). */
    public static final List<String> CHOICE_KEYS = List.of("choice_a", "choice_b", "choice_c", "choice_d");

    /** The index of the most similar choice, or empty when none is similar at all. */
    public static OptionalInt mostSimilar(List<String> choices, String text) {
        int best = -1;
        double highest = 0;
        for (int i = 0; i < choices.size(); i++) {
            double s = SequenceMatcher.ratio(choices.get(i), text);
            if (s > highest) {
                highest = s;
                best = i;
            }
        }
        return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
    }

    /** 1 when prediction and label map to the same choice, else 0. */
    public static double score(List<String> choices, String prediction, String label) {
        return mostSimilar(choices, prediction).equals(mostSimilar(choices, label)) ? 1.0 : 0.0;
    }

    /** Python's {@code difflib.SequenceMatcher(None, a, b).ratio()}. */
    public static double similarity(String a, String b) {
        return SequenceMatcher.ratio(a, b);
    }
}
