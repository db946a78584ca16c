package org.medvlm.kernel.live;

import java.util.UUID;
import java.util.function.Supplier;
import org.medvlm.kernel.Notebook;

/**
 * One output that redraws in place: shown once with a {@code display_id}, then replaced by
 * {@code update_display_data} messages. Updates are throttled (at most one per {@link #interval} ms) and
 * rendered lazily, so a loop can call {@link #update} every step without flooding the front end;
 * the last state is always sent when the cell ends or on {@link #flush()}.
 */
public final class LiveDisplay {
    /** Default minimum time between two redraws. */
    public static final long DEFAULT_INTERVAL_MS = 250;

    private final String id = UUID.randomUUID().toString();
    private final long interval;
    private Supplier<?> pending;
    private long lastSentNanos;
    private int updatesSent;

    private LiveDisplay(long intervalMs) {
        this.interval = intervalMs;
    }

    /** Shows {@code initial} now and returns the display that later updates replace. */
    public static LiveDisplay show(Object initial) {
        return show(initial, DEFAULT_INTERVAL_MS);
    }

    /** Like {@link #show(Object)} with a custom throttle interval in milliseconds. */
    public static LiveDisplay show(Object initial, long intervalMs) {
        LiveDisplay d = new LiveDisplay(intervalMs);
        Notebook.display(initial, d.id);
        d.lastSentNanos = System.nanoTime();
        Notebook.live(d);
        return d;
    }

    /** Replaces the shown value; computed only if this update is actually sent. */
    public synchronized void update(Supplier<?> value) {
        pending = value;
        if (System.nanoTime() - lastSentNanos >= interval * 1_000_000L) {
            flush();
        }
    }

    /** Replaces the shown value (throttled). */
    public void update(Object value) {
        update(() -> value);
    }

    /** Sends the latest pending state now, if any. */
    public synchronized void flush() {
        if (pending == null) {
            return;
        }
        Object value = pending.get();
        pending = null;
        Notebook.updateDisplay(id, value);
        lastSentNanos = System.nanoTime();
        updatesSent++;
    }

    /** The Jupyter display id. */
    public String id() {
        return id;
    }

    /** How many update_display_data messages were sent. */
    public synchronized int updatesSent() {
        return updatesSent;
    }
}
