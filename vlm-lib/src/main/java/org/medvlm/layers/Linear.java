package org.medvlm.layers;

import ai.djl.ndarray.NDArray;

/**
 * {@code y = x W^T + b} through the engine's fused {@code linear} (one addmm on the contiguous weight).
 * Input {@code [..., in]}, weight {@code [out, in]}, bias {@code [out]}, output {@code [..., out]}.
 *
 * <p>With {@link #addLora} it also carries PEFT's low-rank adapters: {@code y += (alpha / r) · B(A(dropout(x)))} with
 * {@code lora_A.weight [r, in]} and {@code lora_B.weight [out, r]} registered under this layer's key, as PEFT saves them.
 */
public final class Linear extends Module {
    private final long in;
    private final long out;
    private Parameter weight;
    private final Parameter bias;
    private Lora lora;

    /** A Linear with or without bias, keys {@code weight} and {@code bias}. */
    public Linear(long in, long out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = addParameter("weight", out, in);
        this.bias = bias ? addParameter("bias", out) : null;
    }

    /** Applies the layer (and its adapters); the result belongs to {@code x}'s manager. */
    public NDArray forward(NDArray x) {
        NDArray y = bias == null
                ? ai.djl.nn.core.Linear.linear(x, weight.array()).singletonOrThrow()
                : ai.djl.nn.core.Linear.linear(x, weight.array(), bias.array()).singletonOrThrow();
        return lora == null ? y : y.add(lora.forward(x));
    }

    /** The weight {@code [out, in]}. */
    public NDArray weight() {
        return weight.array();
    }

    /** Input width. */
    public long inFeatures() {
        return in;
    }

    /** Output width. */
    public long outFeatures() {
        return out;
    }

    /** Whether adapters are attached. */
    public boolean hasLora() {
        return lora != null;
    }

    /**
     * Attaches LoRA adapters of rank {@code r} (unloaded: initialise or load them with the model); the base weight is
     * unchanged, so with {@code lora_B} at zero the layer computes what it did before.
     */
    public void addLora(int r, double alpha, double dropout) {
        if (lora != null) {
            throw new IllegalStateException("this Linear already has LoRA adapters");
        }
        if (r <= 0) {
            throw new IllegalArgumentException("LoRA rank r must be positive, got " + r);
        }
        lora = new Lora(addChild("lora_A", new Linear(in, r, false)), addChild("lora_B", new Linear(r, out, false)),
                addChild("lora_dropout", new Dropout(dropout)), alpha / r);
    }

    /**
     * Folds the adapters into the weight ({@code W += (alpha / r) · B A}, PEFT's {@code merge_and_unload}) and removes
     * them: the layer then computes the same outputs with one matrix product. The merged weight is a new array in the
     * old weight's manager.
     */
    public void mergeLora() {
        if (lora == null) {
            throw new IllegalStateException("this Linear has no LoRA adapters to merge");
        }
        NDArray base = weight.array();
        NDArray delta = lora.b.weight().matMul(lora.a.weight()).mul((float) lora.scale); // (out, in)
        NDArray merged = base.add(delta);
        delta.close();
        removeChild("lora_A");
        removeChild("lora_B");
        removeChild("lora_dropout");
        lora = null;
        weight.set(merged);
    }

    private record Lora(Linear a, Linear b, Dropout dropout, double scale) {
        NDArray forward(NDArray x) {
            return Scalars.mul(b.forward(a.forward(dropout.forward(x))), scale);
        }
    }
}
