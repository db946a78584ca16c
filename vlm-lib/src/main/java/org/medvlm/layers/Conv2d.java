package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A 2-D convolution without padding, as torch's {@code nn.Conv2d(in, out, kernel, stride)}; a ViT's patch embedding
 * is one with stride equal to the kernel. Input {@code [B, in, H, W]}, weight {@code [out, in, k, k]}, bias
 * {@code [out]} (absent when the checkpoint has none), output {@code [B, out, (H - k) / s + 1, (W - k) / s + 1]}.
 */
public final class Conv2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final Shape stride;

    /** A square-kernel convolution with keys {@code weight} and, when {@code bias}, {@code bias}. */
    public Conv2d(long in, long out, int kernel, int stride, boolean bias) {
        this.weight = addParameter("weight", out, in, kernel, kernel);
        this.bias = bias ? addParameter("bias", out) : null;
        this.stride = new Shape(stride, stride);
    }

    /** Applies the convolution; the result belongs to {@code x}'s manager. */
    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.array(), bias == null ? null : bias.array(), stride)
                .singletonOrThrow();
    }
}
