package org.medvlm.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Token choice on one row of logits, in HF's warper order: temperature, then top-k, then top-p. */
final class Sampling {
    private Sampling() {}

    /** Index of the largest logit (the first on ties, like torch.argmax). */
    static long argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** log-softmax in double precision. */
    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (float x : logits) {
            sum += Math.exp(x - max);
        }
        double logZ = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - logZ;
        }
        return out;
    }

    /** Draws a token after temperature, top-k and top-p filtering; deterministic for a given random state. */
    static long sample(float[] logits, GenerationConfig c, SplittableRandom rng) {
        double[] p = new double[logits.length];
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) {
            max = Math.max(max, x / c.temperature());
        }
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] / c.temperature() - max);
        }
        if (c.topK() > 0 && c.topK() < p.length) { // keep tokens at least as likely as the k-th
            double[] sorted = p.clone();
            Arrays.sort(sorted);
            double kth = sorted[sorted.length - c.topK()];
            for (int i = 0; i < p.length; i++) {
                p[i] = p[i] >= kth ? p[i] : 0;
            }
        }
        normalise(p);
        if (c.topP() < 1) { // keep token i if the mass of strictly more likely tokens is below topP
            double[] sorted = p.clone();
            Arrays.sort(sorted);
            double cum = 0;
            double threshold = sorted[sorted.length - 1];
            for (int i = sorted.length - 1; i >= 0; i--) {
                threshold = sorted[i];
                cum += sorted[i];
                if (cum >= c.topP()) {
                    break;
                }
            }
            for (int i = 0; i < p.length; i++) {
                p[i] = p[i] >= threshold ? p[i] : 0;
            }
            normalise(p);
        }
        double u = rng.nextDouble();
        double acc = 0;
        int last = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                acc += p[i];
                last = i;
                if (u < acc) {
                    return i;
                }
            }
        }
        return last; // rounding left u just above the total
    }

    private static void normalise(double[] p) {
        double sum = 0;
        for (double x : p) {
            sum += x;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
    }
}
