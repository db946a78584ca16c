package org.medvlm.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.medvlm.checkpoint.Weights;

/**
 * {@code y = x W^T + b} as torch's {@code nn.Linear}: input [..., in], weight [out, in], bias [out]
 * (absent when the checkpoint has none), output [..., out].
 *
 * @param weight [out, in]
 * @param bias [out], or null
 */
public record Linear(NDArray weight, NDArray bias) {

    /** Takes {@code name.weight} (and {@code name.bias} when {@code hasBias}) from {@code w}. */
    public static Linear of(Weights w, String name, long in, long out, boolean hasBias) {
        Weights p = w.child(name);
        NDArray weight = p.get("weight", new Shape(out, in), Weights.Init.NORMAL);
        NDArray bias = hasBias ? p.get("bias", new Shape(out), Weights.Init.ZEROS) : null;
        return new Linear(weight, bias);
    }

    public NDArray forward(NDArray x) {
        return (bias == null ? ai.djl.nn.core.Linear.linear(x, weight) : ai.djl.nn.core.Linear.linear(x, weight, bias))
                .singletonOrThrow();
    }

    public long outFeatures() {
        return weight.getShape().get(0);
    }
}
