package org.medvlm.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;

/**
 * Lines of a text file with their 1-based numbers, as {@link java.io.BufferedReader#readLine} splits them (LF,
 * CRLF or CR; a missing final newline is fine), but never longer than {@link Limit#LINE_CHARS}: a file of one
 * gigabyte without a newline is refused at the limit instead of being built into one string. A byte-order mark
 * at the start of the first line is dropped (Windows editors write one).
 */
public final class LineReader implements Closeable {
    private final Reader in;
    private final String file;
    private final long max;
    private final char[] buf = new char[1 << 14];
    private int pos;
    private int end;
    private int number;
    private boolean eof;
    private boolean skipLf;

    public LineReader(Reader in, String file) {
        this.in = in;
        this.file = file;
        this.max = Limit.LINE_CHARS.value();
    }

    /** The next line without its end, or null at the end of the file. */
    public String next() throws IOException {
        StringBuilder line = null;
        while (true) {
            if (pos == end) {
                if (eof || !fill()) {
                    eof = true;
                    if (line == null) {
                        return null;
                    }
                    return done(line);
                }
            }
            if (skipLf) {
                skipLf = false;
                if (buf[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            int start = pos;
            while (pos < end && buf[pos] != '\n' && buf[pos] != '\r') {
                pos++;
            }
            if (line == null) {
                line = new StringBuilder(Math.min(256, pos - start + 16));
            }
            if (line.length() + (pos - start) > max) {
                throw new InputFileException(file, "line " + (number + 1) + " is longer than " + max + " characters "
                        + Limit.LINE_CHARS.hint());
            }
            line.append(buf, start, pos - start);
            if (pos < end) {
                skipLf = buf[pos] == '\r';
                pos++;
                return done(line);
            }
        }
    }

    /** The number of the line {@link #next} returned last (blank lines count). */
    public int number() {
        return number;
    }

    private String done(StringBuilder line) {
        number++;
        if (number == 1 && line.length() > 0 && line.charAt(0) == '\uFEFF') {
            line.deleteCharAt(0);
        }
        return line.toString();
    }

    private boolean fill() throws IOException {
        int n;
        try {
            n = in.read(buf, 0, buf.length);
        } catch (IOException e) {
            InputFileException named = InputFiles.named(file, e);
            throw e instanceof java.nio.charset.CharacterCodingException
                    ? new InputFileException(file, "not UTF-8 text (near line " + (number + 1) + ")", e) : named;
        }
        if (n <= 0) {
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
