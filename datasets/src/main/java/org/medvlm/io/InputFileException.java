package org.medvlm.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An input file that cannot be used: not there, not a regular file, over a {@link Limit}, unreadable, or damaged.
 * The message is one line, {@code "<file>: <problem>"}, which the command line prints as it is.
 */
public class InputFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public InputFileException(String file, String problem) {
        super(file + ": " + problem);
    }

    public InputFileException(Path file, String problem) {
        this(file.toString(), problem);
    }

    public InputFileException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
