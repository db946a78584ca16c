package org.medvlm.layers;

import java.util.List;

/**
 * A checkpoint does not fit the model: lists the missing keys, the unexpected keys and the first shape mismatch.
 * Nothing is loaded when this is thrown.
 */
public final class StateDictMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> missing;
    private final List<String> unexpected;

    StateDictMismatchException(String message, List<String> missing, List<String> unexpected) {
        super(message);
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
    }

    /** Keys the model needs that the checkpoint lacks. */
    public List<String> missing() {
        return missing;
    }

    /** Keys in the checkpoint that the model does not have. */
    public List<String> unexpected() {
        return unexpected;
    }
}
