package org.medvlm.metrics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * NLTK's {@code sentence_bleu(references, hypothesis)} with the default weights (0.25 each for 1- to
 * 4-grams) and {@code SmoothingFunction().method0}, in the two behaviours NLTK has shipped:
 * <ul>
 *   <li>{@link Smoothing#NLTK_3_2} (NLTK up to 3.2.5): {@code method0} keeps the precisions up to the
 *       first n-gram order with no match and drops that one and all higher orders, so a correct one-word
 *       answer scores 1. The ImageCLEF VQA-Med leaderboards (2019-2021) were computed this way: their
 *       BLEU is above their accuracy although most answers are one to three words long, which the
 *       other behaviour cannot produce.</li>
 *   <li>{@link Smoothing#NLTK_3_3} (NLTK 3.3 and later): an order with no match contributes
 *       {@code log(sys.float_info.min)}, so any hypothesis shorter than four tokens scores about 1e-77
 *       or less, however right it is.</li>
 * </ul>
 * Both return 0 when no unigram matches, and use the brevity penalty against the closest reference length
 * (the shorter one on a tie), 0 for an empty hypothesis.
 */
public final class NltkBleu {
    private NltkBleu() {}

    /** Which NLTK's {@code method0} (see the class comment). */
    public enum Smoothing {
        /** NLTK up to 3.2.5: orders from the first unmatched one on are dropped. */
        NLTK_3_2,
        /** NLTK 3.3 and later: an unmatched order counts as {@code sys.float_info.min}. */
        NLTK_3_3
    }

    private static final double[] WEIGHTS = {0.25, 0.25, 0.25, 0.25};

    /**
     * The parts of one sentence-level BLEU, for checking a hand computation.
     *
     * @param score the BLEU value
     * @param matches clipped n-gram matches per order (index 0 = unigrams)
     * @param totals hypothesis n-grams per order, at least 1 (NLTK's denominator)
     * @param brevityPenalty exp(1 - r/c) when the hypothesis (c) is not longer than the closest reference (r)
     */
    public record Result(double score, int[] matches, int[] totals, double brevityPenalty) {}

    /** {@code sentence_bleu([reference], hypothesis, smoothing_function=method0)}. */
    public static double sentence(List<String> reference, List<String> hypothesis, Smoothing smoothing) {
        return compute(List.of(reference), hypothesis, smoothing).score();
    }

    /** {@code sentence_bleu(references, hypothesis, smoothing_function=method0)} with its parts. */
    public static Result compute(List<List<String>> references, List<String> hypothesis, Smoothing smoothing) {
        int orders = WEIGHTS.length;
        int[] matches = new int[orders];
        int[] totals = new int[orders];
        for (int n = 1; n <= orders; n++) {
            Map<List<String>, Integer> counts = ngrams(hypothesis, n);
            Map<List<String>, Integer> maxRef = new HashMap<>();
            for (List<String> ref : references) {
                Map<List<String>, Integer> rc = ngrams(ref, n);
                for (List<String> g : counts.keySet()) {
                    maxRef.merge(g, rc.getOrDefault(g, 0), Math::max);
                }
            }
            int clipped = 0;
            int total = 0;
            for (Map.Entry<List<String>, Integer> e : counts.entrySet()) {
                clipped += Math.min(e.getValue(), maxRef.getOrDefault(e.getKey(), 0));
                total += e.getValue();
            }
            matches[n - 1] = clipped;
            totals[n - 1] = Math.max(1, total);
        }
        int c = hypothesis.size();
        int r = closestRefLength(references, c);
        double bp = c > r ? 1.0 : c == 0 ? 0.0 : Math.exp(1.0 - (double) r / c);
        if (matches[0] == 0) {
            return new Result(0.0, matches, totals, bp);
        }
        List<Double> logs = new ArrayList<>();
        for (int i = 0; i < orders; i++) {
            if (matches[i] != 0) {
                logs.add(WEIGHTS[i] * Math.log((double) matches[i] / totals[i]));
            } else if (smoothing == Smoothing.NLTK_3_2) {
                break;
            } else {
                logs.add(WEIGHTS[i] * Math.log(Double.MIN_NORMAL)); // sys.float_info.min
            }
        }
        return new Result(bp * Math.exp(fsum(logs)), matches, totals, bp);
    }

    private static int closestRefLength(List<List<String>> references, int hypLen) {
        int best = -1;
        for (List<String> ref : references) {
            int len = ref.size();
            if (best < 0 || Math.abs(len - hypLen) < Math.abs(best - hypLen)
                    || (Math.abs(len - hypLen) == Math.abs(best - hypLen) && len < best)) {
                best = len;
            }
        }
        return Math.max(best, 0);
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> out = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            out.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return out;
    }

    /** Python's {@code math.fsum}: the correctly rounded sum (exact in BigDecimal, rounded once). */
    private static double fsum(List<Double> xs) {
        BigDecimal sum = BigDecimal.ZERO;
        for (double x : xs) {
            sum = sum.add(new BigDecimal(x));
        }
        return sum.doubleValue();
    }
}
