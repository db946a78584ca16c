package org.medvlm.zero;

/**
 * How attention keeps its a·s² score matrices for the backward pass; this sets the bytes per score
 * element in the per-layer activation formula s·b·h·(34 + c·a·s/h).
 */
public enum Attention {
    /**
     * Korthikanti et al. 2022 as published: 16-bit scores (2) + 16-bit softmax output (2) + dropout
     * mask (1) = 5 bytes per score element. The default, so the figures match the paper's formula.
     */
    KORTHIKANTI(5),
    /**
     * Hugging Face eager attention under autocast: the softmax is computed in fp32 and kept (4) next to
     * its 16-bit copy that feeds the value matmul (2) = 6 bytes; measured on an H100 for BLOOM-560m.
     */
    EAGER(6),
    /** Fused kernels (FlashAttention, SDPA): no score matrix is stored; it is recomputed in backward. */
    FUSED(0);

    private final int bytesPerScore;

    Attention(int bytesPerScore) {
        this.bytesPerScore = bytesPerScore;
    }

    public int bytesPerScore() {
        return bytesPerScore;
    }
}
