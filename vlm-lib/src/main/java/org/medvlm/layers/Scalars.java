package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant that autograd can run backward through. DJL's {@code NDArray.mul(Number)} (and
 * {@code add}, {@code div}, {@code maximum}, ...) wraps the constant in a tensor over a Java direct buffer and closes
 * that tensor as soon as the op returns; autograd keeps it for the backward pass, so the garbage collector may free its
 * memory in between, and the gradients turn into NaN or infinity now and then, whenever a collection lands between
 * forward and backward. Here the constant is a native tensor ({@code full}) owned by the input's manager, alive until
 * the step's manager closes. Every forward and loss in this project uses these instead of the {@code Number} overloads.
 */
public final class Scalars {
    private Scalars() {}

    /** A 0-d tensor of {@code value} in {@code like}'s type and manager, made natively (no Java buffer behind it). */
    public static NDArray constant(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }

    /** {@code x · v}. */
    public static NDArray mul(NDArray x, double v) {
        return x.mul(constant(x, v));
    }

    /** {@code x + v}. */
    public static NDArray add(NDArray x, double v) {
        return x.add(constant(x, v));
    }

    /** {@code x / v}. */
    public static NDArray div(NDArray x, double v) {
        return x.div(constant(x, v));
    }

    /** {@code max(x, v)} elementwise. */
    public static NDArray maximum(NDArray x, double v) {
        return x.maximum(constant(x, v));
    }
}
