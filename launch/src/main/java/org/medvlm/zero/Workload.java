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
 * @param precision         the compute precision, which decides the bytes per attention score
 */
public record Workload(int microBatch, int textTokens, int gradientAccumulation, boolean checkpointing,
                       Attention attention, TransformerShape shape, Precision precision) {
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
        precision = precision == null ? Precision.MIXED : precision;
        try {
            long s = Math.addExact((long) shape.visualTokens(), textTokens);
            long tokens = Math.multiplyExact(s, (long) microBatch);
            Math.multiplyExact(Math.multiplyExact(tokens, 16L), Math.max(shape.vocab(), 1L));
            Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(tokens, s), 8L * shape.heads()), (long) shape.layers());
            Math.multiplyExact(Math.multiplyExact(tokens, 40L * shape.hidden()), (long) shape.layers());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("micro-batch " + microBatch + " × sequence " + textTokens
                    + " is too large to count its activations in bytes");
        }
    }

    /** A workload under mixed precision (the precision only matters for {@link Attention#EAGER}). */
    public Workload(int microBatch, int textTokens, int gradientAccumulation, boolean checkpointing, Attention attention,
                    TransformerShape shape) {
        this(microBatch, textTokens, gradientAccumulation, checkpointing, attention, shape, Precision.MIXED);
    }

    public Workload withPrecision(Precision p) {
        return new Workload(microBatch, textTokens, gradientAccumulation, checkpointing, attention, shape, p);
    }

    /** c in s·b·h·(34 + c·a·s/h). */
    public int bytesPerScore() {
        return attention.bytesPerScore(precision, shape.attentionDropout());
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
