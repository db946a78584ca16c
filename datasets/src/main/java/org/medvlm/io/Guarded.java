package org.medvlm.io;

import java.io.IOException;

/**
 * Runs a read so that the JVM errors a hostile input could still provoke ({@link OutOfMemoryError} when the heap
 * is shared with other work, {@link StackOverflowError} in a library that recurses) come back as one line naming
 * the input, never as a stack trace. The readers' {@link Limit}s are meant to refuse such inputs first.
 */
public final class Guarded {
    private Guarded() {}

    /** The read. */
    @FunctionalInterface
    public interface Read<T> {
        T get() throws IOException;
    }

    /** {@code read}'s result; a JVM error becomes an {@link InputFileException} that starts with {@code input}. */
    public static <T> T read(String input, Read<T> read) throws IOException {
        try {
            return read.get();
        } catch (OutOfMemoryError e) {
            throw new InputFileException(input, "out of memory while reading it (raise the heap with -Xmx,"
                    + " e.g. MEDVLM_JAVA_OPTS=-Xmx8g, or lower a limit: -Dmedvlm.limit.*)");
        } catch (StackOverflowError e) {
            throw new InputFileException(input, "nested too deeply to read (stack overflow)");
        }
    }
}
