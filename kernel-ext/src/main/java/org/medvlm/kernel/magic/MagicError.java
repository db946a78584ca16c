package org.medvlm.kernel.magic;

import java.util.List;

/**
 * A magic that failed the way a command fails: a usage error or a one-line problem. The notebook shows
 * the command's own message (and usage line) as an error output, with no stack trace.
 */
public final class MagicError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> lines;

    public MagicError(String message, List<String> lines) {
        super(message);
        this.lines = List.copyOf(lines);
    }

    /** The lines shown as the error's traceback. */
    public List<String> lines() {
        return lines;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
