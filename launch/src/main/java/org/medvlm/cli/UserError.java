package org.medvlm.cli;

/**
 * A problem with what the user asked for (an argument, a file). The command line prints its message as
 * one line and exits with {@link Medvlm#EXIT_INPUT}; the notebook shows it without a stack trace.
 */
public class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
