package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** LayerNorm over the last axis with affine {@code weight}/{@code bias} {@code [dim]}, through the engine's fused op. */
public final class LayerNorm extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final Shape normalized;
    private final float eps;

    /** A LayerNorm over {@code dim} features; {@code eps} differs per model (BLOOM 1e-5, timm 1e-6, BERT 1e-12). */
    public LayerNorm(long dim, double eps) {
        this.weight = addParameter("weight", dim);
        this.bias = addParameter("bias", dim);
        this.normalized = new Shape(dim);
        this.eps = (float) eps;
    }

    /** Normalizes {@code x [..., dim]}; the result belongs to {@code x}'s manager. */
    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, weight.array(), bias.array(), eps).singletonOrThrow();
    }
}
