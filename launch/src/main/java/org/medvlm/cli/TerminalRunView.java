package org.medvlm.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.medvlm.train.RunEvents;

/**
 * A run in the terminal: on a console, one progress bar redrawn in place (step, loss, samples/s, ETA); elsewhere (a
 * log, a pipe) a plain line every tenth of the run, so logs stay short. Evaluations and the end get a line each.
 */
final class TerminalRunView implements RunEvents.Listener {
    private static final int BAR = 30;
    private final PrintWriter out;
    private final boolean console;
    private long total;
    private long lastLineStep = -1;
    private boolean barShown;

    TerminalRunView(PrintWriter out, long totalSteps, boolean console) {
        this.out = out;
        this.total = totalSteps;
        this.console = console;
    }

    @Override
    public void onStep(RunEvents.Step e) {
        double perStep = e.step() > 0 ? e.elapsedS() / e.step() : 0;
        String text = String.format(Locale.ROOT, "step %d/%d  loss %.4f  lr %.2e  %.0f samples/s  ETA %s", e.step(), total,
                e.loss(), e.lr(), e.samplesPerS(), duration(perStep * (total - e.step())));
        if (console) {
            int filled = (int) (BAR * e.step() / Math.max(1, total));
            out.print("\r[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] " + text + "   ");
            barShown = true;
        } else if (e.step() == 1 || e.step() == total || e.step() - lastLineStep >= Math.max(1, total / 10)) {
            out.println(text);
            lastLineStep = e.step();
        }
        out.flush();
    }

    @Override
    public void onEval(RunEvents.Eval e) {
        endBar();
        RunEvents.Metrics m = e.metrics();
        StringBuilder line = new StringBuilder("eval at step " + e.step() + ":");
        // a pre-training run has no closed or open questions: only the scores it has are printed
        score(line, "closed accuracy", m.closedAccuracy());
        score(line, "open recall", m.openRecall());
        score(line, "exact match", m.exactMatch());
        line.append(String.format(Locale.ROOT, " (%d questions)", m.n()));
        if (e.loss() != null) {
            line.append(String.format(Locale.ROOT, ", held-out loss %.4f", e.loss()));
        }
        out.println(line);
        out.flush();
    }

    private static void score(StringBuilder line, String name, double value) {
        if (Double.isFinite(value)) {
            line.append(line.charAt(line.length() - 1) == ':' ? " " : ", ").append(name)
                    .append(String.format(Locale.ROOT, " %.3f", value));
        }
    }

    @Override
    public void onStatus(RunEvents.Status s) {
        if (s.totalSteps() > 0) {
            total = s.totalSteps();
        }
        if (s.state().isFinal()) {
            endBar();
            out.println("run " + s.state().key() + " at step " + s.step() + (s.reason() == null ? "" : ": " + s.reason()));
            out.flush();
        }
    }

    private void endBar() {
        if (barShown) {
            out.println();
            barShown = false;
        }
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
