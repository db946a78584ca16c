package org.medvlm.kernel;

/**
 * Thrown where a cell (or a thread it started) calls {@code System.exit}, {@code Runtime.exit} or
 * {@code Runtime.halt}: ending the JVM would end the kernel and every variable in it, with no reply to
 * the front end. The cell stops with this error; the kernel carries on. Restart the kernel from the
 * front end to start over.
 */
public final class ExitRefusedException extends SecurityException {
    private static final long serialVersionUID = 1L;

    private final int status;

    ExitRefusedException(int status) {
        super("exiting the JVM (status " + status + ") would end the kernel and every variable in it, so the kernel refused it;"
                + " restart the kernel from the front end to start over");
        this.status = status;
        // the user's frames start at the exit call: the guard's own frame is the kernel's
        StackTraceElement[] frames = getStackTrace();
        int first = 0;
        while (first < frames.length && frames[first].getClassName().equals(ExitGuard.class.getName())) {
            first++;
        }
        setStackTrace(java.util.Arrays.copyOfRange(frames, first, frames.length));
    }

    /** The status the code asked to exit with. */
    public int status() {
        return status;
    }
}
