package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * One named weight of a {@link Module}: its expected shape, whether training may change it, and, once loaded, the
 * array. Parameters are trainable by default, as in PyTorch; {@link Module#freeze} turns that off by key prefix.
 * Whether the engine records gradients for the array is decided only by {@link #attachGradient}, which the trainer
 * calls for the trainable parameters, so a model that is merely loaded never builds autograd graphs.
 */
public final class Parameter {
    private final String name;
    private final Shape shape;
    private NDArray array;
    private boolean trainable = true;

    Parameter(String name, Shape shape) {
        this.name = name;
        this.shape = shape;
    }

    /** The key segment this parameter is registered under (e.g. {@code weight}). */
    public String name() {
        return name;
    }

    /** The shape the model expects, e.g. {@code (3072, 1024)} for a 1024→3072 Linear. */
    public Shape shape() {
        return shape;
    }

    /** The loaded array; throws if the model has not been loaded yet. */
    public NDArray array() {
        if (array == null) {
            throw new IllegalStateException("parameter '" + name + "' " + shape + " is not loaded: call loadStateDict first");
        }
        return array;
    }

    /** Whether an array has been set. */
    public boolean isLoaded() {
        return array != null;
    }

    /** Whether training may change this parameter (see {@link Module#freeze}). */
    public boolean isTrainable() {
        return trainable;
    }

    void setTrainable(boolean value) {
        this.trainable = value;
    }

    /**
     * Asks the engine to record gradients for this array ({@code requires_grad}), or stops it. Only the trainer calls
     * this, for {@link Module#trainableParameters()}; frozen arrays never carry gradients.
     */
    public void attachGradient(boolean on) {
        array().setRequiresGradient(on);
    }

    /** Whether the engine records gradients for the array. */
    public boolean hasGradient() {
        return array != null && array.hasGradient();
    }

    /**
     * The accumulated gradient, as a handle owned by {@code step}: the engine makes a new handle on every call, so it
     * must belong to a manager that closes after the step, never to the weights' long-lived one.
     */
    public NDArray gradient(NDManager step) {
        NDArray g = array().getGradient();
        g.attach(step);
        return g;
    }

    /** Replaces the array; the previous one is not closed (its manager owns it). */
    void set(NDArray value) {
        this.array = value;
    }
}
