package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A 2-D convolution as torch's {@code nn.Conv2d(in, out, kernel, stride, padding)}; a ViT's patch embedding is one
 * with stride equal to the kernel and no padding. Input {@code [B, in, H, W]}, weight {@code [out, in, k, k]}, bias
 * {@code [out]} (absent when the checkpoint has none), output {@code [B, out, (H + 2p - k) / s + 1, (W + 2p - k) / s + 1]}.
 */
public final class Conv2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final Shape stride;
    private final Shape padding;
    private final long fanIn;

    /** A square-kernel convolution without padding, keys {@code weight} and, when {@code bias}, {@code bias}. */
    public Conv2d(long in, long out, int kernel, int stride, boolean bias) {
        this(in, out, kernel, stride, 0, bias);
    }

    /** A square-kernel convolution with zero padding on every side. */
    public Conv2d(long in, long out, int kernel, int stride, int padding, boolean bias) {
        this.weight = addParameter("weight", out, in, kernel, kernel);
        this.bias = bias ? addParameter("bias", out) : null;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
        this.fanIn = in * kernel * kernel;
    }

    /** Applies the convolution; the result belongs to {@code x}'s manager. */
    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.array(), bias == null ? null : bias.array(), stride,
                padding, new Shape(1, 1), 1).singletonOrThrow();
    }

    /** Inputs per output unit (in × k × k), for PyTorch's default initialisation. */
    public long fanIn() {
        return fanIn;
    }
}
