package org.medvlm.zero;

/** The four ZeRO-DP stages: DeepSpeed's stage number and the paper's name for it. */
public enum ZeroStage {
    /** Plain data parallelism: every GPU holds everything. */
    STAGE_0(0, "baseline"),
    /** Optimizer states partitioned. */
    STAGE_1(1, "P_os"),
    /** Optimizer states and gradients partitioned. */
    STAGE_2(2, "P_os+g"),
    /** Optimizer states, gradients and parameters partitioned. */
    STAGE_3(3, "P_os+g+p");

    private final int number;
    private final String paperName;

    ZeroStage(int number, String paperName) {
        this.number = number;
        this.paperName = paperName;
    }

    /** DeepSpeed's {@code zero_optimization.stage}. */
    public int number() {
        return number;
    }

    /** The name the ZeRO paper (SC'20) uses. */
    public String paperName() {
        return paperName;
    }

    public boolean partitionsOptimizer() {
        return number >= 1;
    }

    public boolean partitionsGradients() {
        return number >= 2;
    }

    public boolean partitionsWeights() {
        return number >= 3;
    }

    /**
     * Elements sent per training step per data-parallel process (ZeRO paper §7): reduce-scatter plus
     * all-gather is 2Ψ for stages 0–2; stage 3 all-gathers the parameters twice (forward and backward)
     * and reduce-scatters the gradients, 3Ψ.
     */
    public long communicationElements(long params) {
        return communicationElements(params, params);
    }

    /**
     * Elements sent per step when only {@code trainable} of {@code params} train: the gradients' all-reduce (or
     * reduce-scatter and all-gather) concerns the trainable ones; ZeRO-3 also all-gathers every weight, frozen ones
     * included, in forward and backward.
     */
    public long communicationElements(long params, long trainable) {
        return number == 3 ? 2 * params + trainable : 2 * trainable;
    }

    public static ZeroStage of(int number) {
        for (ZeroStage s : values()) {
            if (s.number == number) {
                return s;
            }
        }
        throw new IllegalArgumentException("ZeRO stage must be 0, 1, 2 or 3, not " + number);
    }

    @Override
    public String toString() {
        return "stage " + number;
    }
}
