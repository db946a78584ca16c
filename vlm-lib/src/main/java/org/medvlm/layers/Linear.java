package org.medvlm.layers;

import ai.djl.ndarray.NDArray;

/**
 * {@code y = x W^T + b} through the engine's fused {@code linear} (one addmm on the contiguous weight).
 * Input {@code [..., in]}, weight {@code [out, in]}, bias {@code [out]}, output {@code [..., out]}.
 */
public final class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias;

    /** A Linear with or without bias, keys {@code weight} and {@code bias}. */
    public Linear(long in, long out, boolean bias) {
        this.weight = addParameter("weight", out, in);
        this.bias = bias ? addParameter("bias", out) : null;
    }

    /** Applies the layer; the result belongs to {@code x}'s manager. */
    public NDArray forward(NDArray x) {
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight.array()).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight.array(), bias.array()).singletonOrThrow();
    }

    /** The weight {@code [out, in]}. */
    public NDArray weight() {
        return weight.array();
    }
}
