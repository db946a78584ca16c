package org.medvlm.generate;

import java.util.List;

/**
 * How to decode. Defaults follow Hugging Face's {@code GenerationConfig}: length penalty 1.0, no early stopping
 * (beam search ends when no running beam can beat the finished ones), temperature 1, top-k off (0), top-p off (1).
 *
 * @param maxNewTokens tokens to generate at most per row
 * @param numBeams 1 for greedy or sampling; more for beam search
 * @param lengthPenalty beam hypotheses score sum(log p) / generated_length^lengthPenalty
 * @param earlyStopping beam search stops as soon as numBeams hypotheses are finished
 * @param doSample sample instead of taking the most likely token
 * @param temperature logits are divided by it before sampling
 * @param topK keep only the k most likely tokens (0 = all)
 * @param topP keep the smallest set of most likely tokens whose probability reaches p (1 = all)
 * @param seed seeds the sampler: the same seed gives the same tokens
 * @param stopTokens a row ends after producing one of these (included in its output)
 * @param padTokenId fed to finished rows and used for left padding
 */
public record GenerationConfig(int maxNewTokens, int numBeams, double lengthPenalty, boolean earlyStopping,
                               boolean doSample, double temperature, int topK, double topP, long seed,
                               List<Long> stopTokens, long padTokenId) {

    /** Checks the values. */
    public GenerationConfig {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        if (numBeams < 1) {
            throw new IllegalArgumentException("numBeams must be >= 1, got " + numBeams);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
        if (topK < 0 || !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topK must be >= 0 and topP in (0, 1], got topK=" + topK + " topP=" + topP);
        }
        if (doSample && numBeams > 1) {
            throw new IllegalArgumentException("beam sampling is not supported: use numBeams=1 with doSample");
        }
        stopTokens = List.copyOf(stopTokens);
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return new GenerationConfig(maxNewTokens, 1, 1.0, false, false, 1.0, 0, 1.0, 0L, List.of(), 0L);
    }

    /** Beam search with HF's defaults (length penalty 1, no early stopping). */
    public static GenerationConfig beam(int maxNewTokens, int numBeams) {
        return new GenerationConfig(maxNewTokens, numBeams, 1.0, false, false, 1.0, 0, 1.0, 0L, List.of(), 0L);
    }

    /** Sampling with temperature, top-k (0 = off), top-p (1 = off) and a seed. */
    public static GenerationConfig sample(int maxNewTokens, double temperature, int topK, double topP, long seed) {
        return new GenerationConfig(maxNewTokens, 1, 1.0, false, true, temperature, topK, topP, seed, List.of(), 0L);
    }

    /** A copy with these stop tokens. */
    public GenerationConfig withStopTokens(List<? extends Number> tokens) {
        return new GenerationConfig(maxNewTokens, numBeams, lengthPenalty, earlyStopping, doSample, temperature, topK, topP,
                seed, tokens.stream().map(Number::longValue).toList(), padTokenId);
    }

    /** A copy with this padding token. */
    public GenerationConfig withPadTokenId(long id) {
        return new GenerationConfig(maxNewTokens, numBeams, lengthPenalty, earlyStopping, doSample, temperature, topK, topP,
                seed, stopTokens, id);
    }

    /** A copy with this length penalty and early-stopping rule (beam search). */
    public GenerationConfig withBeamScoring(double penalty, boolean early) {
        return new GenerationConfig(maxNewTokens, numBeams, penalty, early, doSample, temperature, topK, topP, seed,
                stopTokens, padTokenId);
    }

    /** A copy with another seed. */
    public GenerationConfig withSeed(long newSeed) {
        return new GenerationConfig(maxNewTokens, numBeams, lengthPenalty, earlyStopping, doSample, temperature, topK, topP,
                newSeed, stopTokens, padTokenId);
    }

    boolean isStop(long token) {
        return stopTokens.contains(token);
    }
}
