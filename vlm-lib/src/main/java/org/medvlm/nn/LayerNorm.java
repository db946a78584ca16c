package org.medvlm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.medvlm.checkpoint.Weights;

/**
 * LayerNorm over the last axis, as torch's {@code nn.LayerNorm}: {@code name.weight} and
 * {@code name.bias}, both [dim]. The epsilon comes from the model's config (1e-6 in timm, 1e-12 in the
 * BERT-derived Q-Former, 1e-5 in BLOOM), never a default.
 */
public record LayerNorm(NDArray weight, NDArray bias, float eps) {

    public static LayerNorm of(Weights w, String name, long dim, double eps) {
        Weights p = w.child(name);
        return new LayerNorm(p.get("weight", new Shape(dim), Weights.Init.ONES),
                p.get("bias", new Shape(dim), Weights.Init.ZEROS), (float) eps);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, weight.getShape(), weight, bias, eps).singletonOrThrow();
    }
}
