package org.medvlm.zero;

/**
 * One training step's batch shape, for activation memory.
 *
 * @param microBatch        sequences per GPU per forward pass (b)
 * @param textTokens        text tokens per sequence; the decoder sees {@code shape.visualTokens()} more
 * @param gradientAccumulation micro-batches per optimizer step
 * @param checkpointing     full activation checkpointing (only each layer's input is kept)
 * @param attention         how attention stores its scores
 * @param shape             the decoder shape
 */
public record Workload(int microBatch, int textTokens, int gradientAccumulation, boolean checkpointing,
                       Attention attention, TransformerShape shape) {
    public Workload {
        if (microBatch <= 0) {
            throw new IllegalArgumentException("micro-batch must be positive, not " + microBatch);
        }
        if (textTokens <= 0) {
            throw new IllegalArgumentException("sequence length must be positive, not " + textTokens);
        }
        if (gradientAccumulation <= 0) {
            throw new IllegalArgumentException("gradient accumulation must be positive, not " + gradientAccumulation);
        }
        if (attention == null || shape == null) {
            throw new IllegalArgumentException("attention and shape are required");
        }
    }

    /** The decoder's sequence length s: visual query tokens + text tokens. */
    public long sequence() {
        return (long) shape.visualTokens() + textTokens;
    }

    /** Tokens per micro-batch, b·s. */
    public long tokens() {
        return microBatch * sequence();
    }
}
