package org.medvlm.kernel.jshell;

import java.util.List;

/**
 * A cell that did not run to the end: a compile error, an exception thrown by the user's code, or an
 * interrupt. {@link #name()} and {@link #lines()} are what the notebook shows: the user's own frames,
 * never the kernel's.
 */
public final class EvalError extends Exception {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final transient List<String> lines;

    public EvalError(String name, String message, List<String> lines) {
        super(message);
        this.name = name;
        this.lines = List.copyOf(lines);
    }

    /** The error's name as the front end shows it, e.g. {@code java.lang.ArithmeticException}. */
    public String name() {
        return name;
    }

    /** The traceback lines: message, then the user's frames or the compiler's diagnostics. */
    public List<String> lines() {
        return lines;
    }

    /** Errors are values here; a kernel-side stack trace would only point at the kernel. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
