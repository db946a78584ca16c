package org.medvlm.checkpoint;

import java.util.List;

/**
 * A checkpoint does not fit the model: lists the missing keys, the unexpected keys and the first shape mismatch.
 * Nothing is loaded when this is thrown. It is the one exception for keys and shapes that do not fit, whether
 * {@code Module.loadStateDict} or a {@link StateDict} lookup finds it.
 */
public final class StateDictMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> missing;
    private final List<String> unexpected;

    /** A mismatch described by {@code message} (which names the keys and, for shapes, both shapes). */
    public StateDictMismatchException(String message, List<String> missing, List<String> unexpected) {
        super(message);
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
    }

    /** The same mismatch with the checkpoint's file or folder named first, for the one-line error a user sees. */
    public StateDictMismatchException in(String source) {
        StateDictMismatchException e = new StateDictMismatchException(source + ": " + getMessage(), missing, unexpected);
        e.initCause(this);
        return e;
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
