package org.medvlm.checkpoint;

/**
 * A checkpoint that does not fit the model: missing keys, unexpected keys, or a tensor whose shape is
 * not the one the model needs. The message names the key(s), the file and, for shapes, both shapes.
 */
public final class CheckpointKeyMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public CheckpointKeyMismatchException(String message) {
        super(message);
    }
}
