package org.medvlm.kernel;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A cell's stdout and stderr as Jupyter {@code stream} messages: buffered, sent at most every
 * {@value #FLUSH_MS} ms (or per {@value #CHUNK_BYTES} bytes), and bounded per cell.
 *
 * <p>The base library sends one message per {@code flush()}, and {@code System.out.println} flushes on
 * every line: 2,000,000 lines were 2,000,000 signed messages and 552 s. Here a line only lands in a
 * buffer; a timer sends what gathered. A cell keeps the first {@link #maxBytes} bytes or
 * {@link #maxLines} lines of output (stdout and stderr together), as front ends cap what they show;
 * the rest is counted, not kept, and one line at the end of the cell says how much was left out.
 * The limits are {@code -Dmedvlm.kernel.maxOutputBytes} (default 1 MiB) and
 * {@code -Dmedvlm.kernel.maxOutputLines} (default 10,000).
 *
 * <p>Between cells (a thread a finished cell left running) output goes to the kernel process's own
 * streams, which Jupyter keeps in its log.
 */
final class CellStreams {
    static final long FLUSH_MS = 50;
    static final int CHUNK_BYTES = 64 * 1024;

    final long maxBytes;
    final long maxLines;

    private final Object lock = new Object();
    private final Stream out;
    private final Stream err;
    /** Print streams for System.out and System.err while a cell runs (autoflush, UTF-8). */
    final PrintStream stdout;
    final PrintStream stderr;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "medvlm-output");
        t.setDaemon(true);
        return t;
    });
    private final List<String> notices = new ArrayList<>();

    // per cell, guarded by lock
    private BiConsumer<String, String> sink;
    private ScheduledFuture<?> ticking;
    private long keptBytes;
    private long keptLines;
    private long droppedBytes;
    private long droppedLines;
    private Stream overflowed;

    /**
     * @param fallbackOut where stdout goes between cells
     * @param fallbackErr where stderr goes between cells
     */
    CellStreams(PrintStream fallbackOut, PrintStream fallbackErr, long maxBytes, long maxLines) {
        this.maxBytes = maxBytes;
        this.maxLines = maxLines;
        this.out = new Stream("stdout", fallbackOut);
        this.err = new Stream("stderr", fallbackErr);
        this.stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        this.stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
    }

    /** With the limits of the system properties (or their defaults). */
    static CellStreams fromProperties(PrintStream fallbackOut, PrintStream fallbackErr) {
        return new CellStreams(fallbackOut, fallbackErr, Math.max(1, Long.getLong("medvlm.kernel.maxOutputBytes", 1L << 20)),
                Math.max(1, Long.getLong("medvlm.kernel.maxOutputLines", 10_000)));
    }

    /**
     * Starts a cell: output goes to {@code sink} ("stdout" or "stderr", text) from now on. Notices that
     * arrived between cells (a refused exit on a leftover thread) come first, on stderr.
     */
    void begin(BiConsumer<String, String> sink) {
        synchronized (lock) {
            this.sink = sink;
            keptBytes = 0;
            keptLines = 0;
            droppedBytes = 0;
            droppedLines = 0;
            overflowed = null;
            out.reset();
            err.reset();
            // the kernel's own lines: outside the cell's output budget
            for (String n : notices) {
                sink.accept("stderr", n + "\n");
            }
            notices.clear();
            ticking = timer.scheduleWithFixedDelay(this::tick, FLUSH_MS, FLUSH_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Sends what is buffered now: before a display_data or an execute_result, so output keeps its order. */
    void flush() {
        stdout.flush();
        stderr.flush();
        synchronized (lock) {
            out.send();
            err.send();
        }
    }

    /** Ends the cell: sends the rest and, when output was left out, one line that says how much. */
    void end() {
        flush();
        synchronized (lock) {
            if (ticking != null) {
                ticking.cancel(false);
                ticking = null;
            }
            if (overflowed != null && sink != null) {
                sink.accept(overflowed.name, (overflowed.endsInNewline ? "" : "\n") + truncationNote() + "\n");
            }
            sink = null;
        }
    }

    /** A line for the user about something that happened outside a cell: shown now, or when the next cell starts. */
    void notice(String line) {
        synchronized (lock) {
            if (sink == null) {
                // a loop of refused exits between cells must not pile up
                if (notices.size() < 20) {
                    notices.add(line);
                }
                return;
            }
            err.send();
            sink.accept("stderr", line + "\n");
        }
    }

    String truncationNote() {
        return String.format(Locale.ROOT, "[output truncated by the kernel: %,d more lines (%,d bytes) not shown; a cell shows at most "
                + "%,d lines or %,d bytes (-Dmedvlm.kernel.maxOutputLines / maxOutputBytes); write long output to a file]",
                droppedLines, droppedBytes, maxLines, maxBytes);
    }

    private void tick() {
        try {
            synchronized (lock) {
                out.send();
                err.send();
            }
        } catch (RuntimeException e) {
            // the front end went away mid-cell; the cell's end reports what it can
        }
    }

    /** One of the two streams; all state is guarded by the outer lock. */
    private final class Stream extends OutputStream {
        final String name;
        private final PrintStream fallback;
        private byte[] buf = new byte[8192];
        private int count;
        private long lastSent;
        boolean endsInNewline = true;

        Stream(String name, PrintStream fallback) {
            this.name = name;
            this.fallback = fallback;
        }

        void reset() {
            count = 0;
            endsInNewline = true;
            if (buf.length > CHUNK_BYTES * 2) {
                buf = new byte[8192];
            }
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (lock) {
                if (sink == null) {
                    fallback.write(b, off, len);
                    return;
                }
                int end = off + len;
                int i = off;
                while (i < end && overflowed == null) {
                    if (keptLines >= maxLines) {
                        overflowed = this;
                        break;
                    }
                    int nl = i;
                    while (nl < end && b[nl] != '\n') {
                        nl++;
                    }
                    boolean wholeLine = nl < end;
                    int take = (wholeLine ? nl + 1 : end) - i;
                    if (keptBytes + take > maxBytes) {
                        take = utf8Prefix(b, i, (int) (maxBytes - keptBytes));
                        append(b, i, take);
                        keptBytes += take;
                        i += take;
                        overflowed = this;
                        break;
                    }
                    append(b, i, take);
                    keptBytes += take;
                    i += take;
                    if (wholeLine) {
                        keptLines++;
                    }
                }
                if (i < end) {
                    // beyond the limit: counted, not kept
                    droppedBytes += end - i;
                    for (int k = i; k < end; k++) {
                        if (b[k] == '\n') {
                            droppedLines++;
                        }
                    }
                }
                if (count >= CHUNK_BYTES) {
                    send();
                }
            }
        }

        /** PrintStream flushes after every println: send only if the last message is old enough, else the timer will. */
        @Override
        public void flush() {
            synchronized (lock) {
                if (sink == null) {
                    fallback.flush();
                } else if (System.nanoTime() - lastSent >= FLUSH_MS * 1_000_000L) {
                    send();
                }
            }
        }

        private void append(byte[] b, int off, int len) {
            if (count + len > buf.length) {
                byte[] bigger = new byte[Math.max(buf.length * 2, count + len)];
                System.arraycopy(buf, 0, bigger, 0, count);
                buf = bigger;
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
            if (len > 0) {
                endsInNewline = b[off + len - 1] == '\n';
            }
        }

        /** Sends the buffered text up to the last whole UTF-8 character; a split character waits for its rest. */
        void send() {
            if (count == 0 || sink == null) {
                return;
            }
            int whole = overflowed == null ? utf8Prefix(buf, 0, count) : count;
            if (whole == 0) {
                return;
            }
            String text = new String(buf, 0, whole, StandardCharsets.UTF_8);
            System.arraycopy(buf, whole, buf, 0, count - whole);
            count -= whole;
            lastSent = System.nanoTime();
            sink.accept(name, text);
        }
    }

    /** The longest prefix of {@code b[off, off+len)} that does not end inside a UTF-8 character. */
    static int utf8Prefix(byte[] b, int off, int len) {
        int end = off + len;
        // look back at most 3 bytes for the start of the last character
        for (int back = 1; back <= Math.min(4, len); back++) {
            int lead = b[end - back] & 0xFF;
            if ((lead & 0xC0) == 0x80) {
                continue; // a continuation byte
            }
            int size = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            return size > back ? len - back : len;
        }
        return len;
    }
}
