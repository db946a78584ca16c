package org.medvlm.kernel.live;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.time.Duration;
import java.util.Locale;

/**
 * A progress bar with rate and ETA that redraws in place (HTML {@code <progress>}, text fallback):
 * <pre>{@code
 * var bar = LiveProgress.start("epoch 1", batches);
 * for (...) { ...; bar.step(); }
 * }</pre>
 * Something that keeps its own clock (a training run, whose events say how long it has run) passes the elapsed
 * time with {@link #set(long, double, String)}, so a view that follows a run from the middle still has the right
 * ETA; {@link #end} replaces the ETA with how it ended.
 */
public final class LiveProgress {
    private final String label;
    private long total;
    private final long startNanos = System.nanoTime();
    private long done;
    private double elapsedSeconds = -1;
    private String detail = "";
    private String outcome;
    private final LiveDisplay display;

    private LiveProgress(String label, long total) {
        if (total <= 0) {
            throw new IllegalArgumentException("total must be positive, got " + total);
        }
        this.label = label;
        this.total = total;
        this.display = LiveDisplay.show(render());
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
        this.elapsedSeconds = -1;
        changed();
    }

    /**
     * {@code done} steps done in {@code elapsed} seconds of the work's own clock, with a short {@code detail}
     * shown after the count (e.g. the latest loss).
     */
    public synchronized void set(long doneSoFar, double elapsed, String detailText) {
        this.done = Math.min(doneSoFar, total);
        this.elapsedSeconds = elapsed;
        this.detail = detailText == null ? "" : detailText;
        changed();
    }

    /** Changes the number of steps (a run followed from its files says it only in its status). */
    public synchronized void total(long newTotal) {
        if (newTotal > 0 && newTotal != total) {
            total = newTotal;
            done = Math.min(done, total);
            changed();
        }
    }

    /** Ends the bar: {@code how} ("finished", "stopped at step 3: interrupted") replaces the ETA; sent now. */
    public synchronized void end(String how) {
        outcome = how;
        DisplayData now = render();
        display.update(() -> now);
        display.flush();
    }

    private void changed() {
        DisplayData now = render();
        display.update(() -> now);
        if (done == total) {
            display.flush();
        }
    }

    private DisplayData render() {
        double seconds = elapsedSeconds >= 0 ? elapsedSeconds : (System.nanoTime() - startNanos) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = outcome != null ? outcome
                : done == total ? "done"
                : rate > 0 ? "ETA " + format(Duration.ofMillis((long) ((total - done) / rate * 1000))) : "ETA ?";
        String text = String.format(Locale.ROOT, "%s: %d/%d (%.0f%%)%s, %s/s, %s", label, done, total,
                100.0 * done / total, detail.isEmpty() ? "" : ", " + detail, rate(rate), eta);
        DisplayData data = new DisplayData(text);
        data.putHTML("<div><progress value=\"" + done + "\" max=\"" + total + "\" style=\"width:320px\"></progress> "
                + text.replace("&", "&amp;").replace("<", "&lt;") + "</div>");
        return data;
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, perSecond >= 10 ? "%.0f" : perSecond >= 1 ? "%.1f" : "%.2f", perSecond);
    }

    private static String format(Duration d) {
        long s = d.getSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** The underlying display. */
    public LiveDisplay display() {
        return display;
    }
}
