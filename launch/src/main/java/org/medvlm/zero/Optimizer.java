package org.medvlm.zero;

/** The optimizer, which decides how many state values each parameter carries. */
public enum Optimizer {
    /** Adam: momentum and variance per parameter. */
    ADAM(2),
    /** AdamW: the same states as Adam (the decay is applied to the weights). */
    ADAMW(2),
    /** SGD with momentum: one state per parameter. */
    SGD(1);

    private final int statesPerParam;

    Optimizer(int statesPerParam) {
        this.statesPerParam = statesPerParam;
    }

    /** How many optimizer-state values each parameter has (m and v for Adam, the momentum for SGD). */
    public int statesPerParam() {
        return statesPerParam;
    }

    /** The type name DeepSpeed's {@code optimizer.type} expects. */
    public String deepSpeedType() {
        return switch (this) {
            case ADAM -> "Adam";
            case ADAMW -> "AdamW";
            case SGD -> "SGD";
        };
    }
}
