package org.medvlm.io;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Opening the files a user or a dataset names, the same way for every reader: only regular files are opened (a
 * folder, a named pipe or a device such as {@code /dev/zero} is refused before anything blocks or reads forever),
 * their size is held against a {@link Limit} before reading, a stream never yields more than that limit even when
 * the file grows while it is read, and every failure is an {@link InputFileException} whose message starts with
 * the file ({@code "Is a directory"} alone names nothing).
 */
public final class InputFiles {
    private InputFiles() {}

    /** Checks that {@code file} is a regular file of at most {@code limit} bytes; returns its size. */
    public static long check(Path file, Limit limit) throws InputFileException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw named(file, e);
        }
        if (a.isDirectory()) {
            throw new InputFileException(file, "is a folder, not a file");
        }
        if (!a.isRegularFile()) {
            throw new InputFileException(file, "not a regular file (a named pipe, device or socket): not read");
        }
        if (limit.exceededBy(a.size())) {
            throw new InputFileException(file, a.size() + " bytes is too large " + limit.hint());
        }
        return a.size();
    }

    /** A checked file opened as a stream of at most {@code limit} bytes; read errors name the file. */
    public static InputStream open(Path file, Limit limit) throws InputFileException {
        check(file, limit);
        try {
            return new Bounded(Files.newInputStream(file), file, limit);
        } catch (IOException e) {
            throw named(file, e);
        }
    }

    /** The whole of a checked file (at most {@code limit} bytes). */
    public static byte[] readAll(Path file, Limit limit) throws InputFileException {
        try (InputStream in = open(file, limit)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw named(file, e);
        }
    }

    /** A small checked text file (at most {@code limit} bytes) as a string; bytes that are not UTF-8 become U+FFFD. */
    public static String readString(Path file, Limit limit) throws InputFileException {
        return new String(readAll(file, limit), StandardCharsets.UTF_8);
    }

    /**
     * A checked text file as UTF-8 lines of at most {@link Limit#LINE_CHARS} characters. {@code strict}: bytes that
     * are not UTF-8 fail naming the file and line; otherwise they become U+FFFD (VQA-RAD itself holds one).
     */
    public static LineReader lines(Path file, Limit limit, boolean strict) throws InputFileException {
        return new LineReader(utf8(file, limit, strict), file.toString());
    }

    /** A checked text file as a UTF-8 reader (see {@link #lines}). */
    public static BufferedReader utf8(Path file, Limit limit, boolean strict) throws InputFileException {
        CodingErrorAction action = strict ? CodingErrorAction.REPORT : CodingErrorAction.REPLACE;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(action).onUnmappableCharacter(action);
        return new BufferedReader(new InputStreamReader(open(file, limit), decoder), 1 << 16);
    }

    /**
     * {@code e} as one line that starts with {@code file}: the JDK's file-system exceptions give only a reason
     * ({@code "Is a directory"}, {@code "Input length = 1"}), or the path without one.
     */
    public static InputFileException named(Path file, IOException e) {
        return named(file.toString(), e);
    }

    /** As {@link #named(Path, IOException)}, for a file known by name (an embedded image, a file in memory). */
    public static InputFileException named(String file, IOException e) {
        if (e instanceof InputFileException ife && ife.getMessage().startsWith(file)) {
            return ife;
        }
        String why;
        if (e instanceof NoSuchFileException) {
            why = "no such file or folder";
        } else if (e instanceof AccessDeniedException) {
            why = "permission denied";
        } else if (e instanceof CharacterCodingException) {
            why = "not UTF-8 text";
        } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
            why = fse.getReason();
        } else if (e.getMessage() == null || e.getMessage().isBlank()) {
            why = e.getClass().getSimpleName();
        } else {
            why = e.getMessage();
            if (why.startsWith(file + ": ")) {
                why = why.substring(file.length() + 2);
            }
        }
        return new InputFileException(file, oneLine(why), e);
    }

    /** {@code s} on one line: line breaks become "; ". */
    public static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", "; ").strip();
    }

    /** Stops at the limit instead of reading on: a regular file may still grow, or be a /proc file whose size is 0. */
    private static final class Bounded extends FilterInputStream {
        private final Path file;
        private final Limit limit;
        private final long max;
        private long read;

        Bounded(InputStream in, Path file, Limit limit) {
            super(in);
            this.file = file;
            this.limit = limit;
            this.max = limit.value();
        }

        @Override
        public int read() throws IOException {
            int b = guarded(() -> super.read());
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = guarded(() -> super.read(buf, off, len));
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(long n) throws InputFileException {
            read += n;
            if (read > max) {
                throw new InputFileException(file, "more than " + max + " bytes were read " + limit.hint());
            }
        }

        private interface Read {
            int get() throws IOException;
        }

        private int guarded(Read r) throws IOException {
            try {
                return r.get();
            } catch (IOException e) {
                throw named(file, e);
            }
        }
    }
}
