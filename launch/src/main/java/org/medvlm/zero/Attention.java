package org.medvlm.zero;

/**
 * How attention keeps its a·s² score matrices for the backward pass; this sets c, the bytes per score
 * element, in the per-layer activation formula s·b·h·(34 + c·a·s/h).
 */
public enum Attention {
    /**
     * Korthikanti et al. 2022 as published: 16-bit softmax output (2) + dropout mask (1) + the 16-bit
     * dropout output that feeds the value matmul (2) = 5 bytes per score element.
     */
    KORTHIKANTI,
    /**
     * Unfused attention as PyTorch runs it (the default): the softmax output is kept in fp32 under
     * autocast, which runs softmax in fp32 (4, else 2), plus the 16-bit probabilities for the value
     * matmul (2), plus a dropout mask (1) only when attention dropout is on. For mixed precision with
     * dropout this is Korthikanti's 5; for BLOOM (no attention dropout) under AMP it is 6, as measured
     * on an H100.
     */
    EAGER,
    /** Fused kernels (FlashAttention, SDPA): no score matrix is stored; it is recomputed in backward. */
    FUSED;

    /** c: bytes kept per attention score element. */
    public int bytesPerScore(Precision precision, boolean attentionDropout) {
        return switch (this) {
            case KORTHIKANTI -> 5;
            case EAGER -> (precision.castsWeights() ? 4 : 2) + 2 + (attentionDropout ? 1 : 0);
            case FUSED -> 0;
        };
    }
}
