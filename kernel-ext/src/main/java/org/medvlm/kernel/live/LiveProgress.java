package org.medvlm.kernel.live;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.time.Duration;

/**
 * A progress bar with rate and ETA that redraws in place (HTML {@code <progress>}, text fallback):
 * <pre>{@code
 * var bar = LiveProgress.start("epoch 1", batches);
 * for (...) { ...; bar.step(); }
 * }</pre>
 */
public final class LiveProgress {
    private final String label;
    private final long total;
    private final long startNanos = System.nanoTime();
    private long done;
    private final LiveDisplay display;

    private LiveProgress(String label, long total) {
        if (total <= 0) {
            throw new IllegalArgumentException("total must be positive, got " + total);
        }
        this.label = label;
        this.total = total;
        this.display = LiveDisplay.show(render(0, 0));
    }

    /** Shows an empty bar for {@code total} steps. */
    public static LiveProgress start(String label, long total) {
        return new LiveProgress(label, total);
    }

    /** One step done. */
    public void step() {
        set(done + 1);
    }

    /** {@code done} steps done in all. */
    public synchronized void set(long doneSoFar) {
        this.done = Math.min(doneSoFar, total);
        long elapsed = System.nanoTime() - startNanos;
        long now = done;
        display.update(() -> render(now, elapsed));
        if (done == total) {
            display.flush();
        }
    }

    private DisplayData render(long n, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? n / seconds : 0;
        String eta = rate > 0 && n < total ? format(Duration.ofMillis((long) ((total - n) / rate * 1000))) : n == total ? "done" : "?";
        String text = String.format("%s: %d/%d (%.0f%%), %.1f/s, ETA %s", label, n, total, 100.0 * n / total, rate, eta);
        DisplayData data = new DisplayData(text);
        data.putHTML("<div><progress value=\"" + n + "\" max=\"" + total + "\" style=\"width:320px\"></progress> "
                + text.replace("&", "&amp;").replace("<", "&lt;") + "</div>");
        return data;
    }

    private static String format(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }

    /** The underlying display. */
    public LiveDisplay display() {
        return display;
    }
}
