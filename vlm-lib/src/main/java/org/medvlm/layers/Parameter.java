package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * One named weight of a {@link Module}: its expected shape and, once loaded, the array. The array is shared with the
 * state dict it came from (no copy), so a memory-mapped checkpoint stays mapped rather than duplicated.
 */
public final class Parameter {
    private final String name;
    private final Shape shape;
    private NDArray array;

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

    void set(NDArray value) {
        this.array = value;
    }
}
