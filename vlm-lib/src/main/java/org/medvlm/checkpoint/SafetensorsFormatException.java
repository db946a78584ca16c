package org.medvlm.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file (or index) that cannot be read as one; the message names the file and the problem. */
public final class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public SafetensorsFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public SafetensorsFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
