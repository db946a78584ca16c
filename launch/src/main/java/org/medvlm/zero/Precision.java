package org.medvlm.zero;

/**
 * How weights, gradients and optimizer states are stored. Together with the {@link Optimizer} it
 * gives the bytes per parameter of each model state; {@link #optimizerBytesPerParam} is the ZeRO
 * paper's K.
 */
public enum Precision {
    /**
     * DeepSpeed-style mixed precision (the ZeRO paper's setting): fp16/bf16 weights and gradients
     * (2 + 2 bytes) with an fp32 master copy inside the optimizer states, so Adam has K = 4 + 4 + 4 = 12.
     */
    MIXED(2, 2, 4, 4),
    /**
     * PyTorch automatic mixed precision: fp32 weights and gradients (4 + 4 bytes), 16-bit compute
     * under autocast, fp32 optimizer states without a master copy (Adam: 8 bytes).
     */
    AMP(4, 4, 0, 4),
    /** Everything in bf16: weights, gradients and optimizer states at 2 bytes each, no master copy. */
    BF16(2, 2, 0, 2);

    private final int weightBytes;
    private final int gradientBytes;
    private final int masterCopyBytes;
    private final int stateBytes;

    Precision(int weightBytes, int gradientBytes, int masterCopyBytes, int stateBytes) {
        this.weightBytes = weightBytes;
        this.gradientBytes = gradientBytes;
        this.masterCopyBytes = masterCopyBytes;
        this.stateBytes = stateBytes;
    }

    public int weightBytesPerParam() {
        return weightBytes;
    }

    public int gradientBytesPerParam() {
        return gradientBytes;
    }

    /** K: the fp32 master copy (if any) plus the optimizer's states. Mixed-precision Adam: 12. */
    public int optimizerBytesPerParam(Optimizer optimizer) {
        return masterCopyBytes + optimizer.statesPerParam() * stateBytes;
    }

    /** Bytes per parameter of all model states: 2 + 2 + K for mixed precision. */
    public int modelStateBytesPerParam(Optimizer optimizer) {
        return weightBytes + gradientBytes + optimizerBytesPerParam(optimizer);
    }

    /**
     * True when the weights are fp32 and autocast keeps 16-bit copies of them for the backward pass.
     */
    public boolean castsWeights() {
        return this == AMP;
    }
}
