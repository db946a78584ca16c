package org.medvlm.kernel.live;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.medvlm.imaging.Thumbnails;
import org.medvlm.kernel.render.TableHtml;
import org.medvlm.train.RunEvents;

/**
 * A training run in the notebook ({@code %%train}, {@code %train attach}): four outputs that redraw in place while the
 * run goes on, also after the cell returned (a run in the background):
 * <ol>
 *   <li>a progress bar: step, latest loss, rate, ETA, and at the end how the run ended;</li>
 *   <li>the loss chart: training loss per update and the held-out loss at each evaluation;</li>
 *   <li>the scores chart: closed accuracy, open recall and exact match at each evaluation (0 to 1);</li>
 *   <li>the answer table: thumbnail, question, truth, answer and ✓/✗ of the shown held-out examples, newest
 *       evaluation on top, the last {@link #EVALS_SHOWN} evaluations (the run folder's samples.jsonl has all).</li>
 * </ol>
 * Events come from the trainer's thread (or the cell's, following a run folder); each output is throttled by its
 * {@link LiveDisplay}, and everything is sent when the run reaches a final state.
 */
public final class RunView implements RunEvents.Listener {
    static final String TRAIN_LOSS = "train loss";
    static final String HELD_OUT_LOSS = "held-out loss";
    static final String CLOSED = "closed accuracy";
    static final String OPEN = "open recall";
    static final String EXACT = "exact match";
    /** Evaluations the answer table keeps (newest first). */
    static final int EVALS_SHOWN = 4;
    /** Examples per evaluation in the table. */
    static final int SAMPLES_SHOWN = 12;
    static final int THUMBNAIL = 64;

    private final LiveProgress progress;
    private final LiveChart loss;
    private final LiveChart scores;
    private final LiveDisplay answers;
    private final Deque<Shown> evals = new ArrayDeque<>();
    private int evalCount;
    private long lastStep;

    /** One evaluation as the table shows it (thumbnails encoded once). */
    record Shown(long step, RunEvents.Metrics metrics, Double loss, List<Row> rows, int samples) {}

    /** One table row. */
    record Row(String thumbnail, String question, String truth, String answer, boolean correct) {}

    private RunView(String title, long totalSteps) {
        this.progress = LiveProgress.start(title, Math.max(1, totalSteps));
        this.loss = LiveChart.of("loss", "cross-entropy", 0, 0, TRAIN_LOSS, HELD_OUT_LOSS);
        this.scores = LiveChart.of("held-out scores", "score", 0, 1, CLOSED, OPEN, EXACT);
        this.answers = LiveDisplay.show(placeholder());
    }

    /** Shows the view's outputs in the running cell and returns the listener that updates them. */
    public static RunView show(String title, long totalSteps) {
        return new RunView(title, totalSteps);
    }

    @Override
    public synchronized void onStep(RunEvents.Step e) {
        lastStep = e.step();
        if (Double.isFinite(e.loss())) {
            loss.add(TRAIN_LOSS, e.step(), e.loss());
        }
        progress.set(e.step(), e.elapsedS(), Double.isFinite(e.loss()) ? String.format(Locale.ROOT, "loss %.4f", e.loss()) : "");
    }

    @Override
    public synchronized void onEval(RunEvents.Eval e) {
        if (e.loss() != null && Double.isFinite(e.loss())) {
            loss.add(HELD_OUT_LOSS, e.step(), e.loss());
        }
        RunEvents.Metrics m = e.metrics();
        addScore(CLOSED, e.step(), m.closedAccuracy());
        addScore(OPEN, e.step(), m.openRecall());
        addScore(EXACT, e.step(), m.exactMatch());
        evalCount++;
        evals.addFirst(shown(e));
        while (evals.size() > EVALS_SHOWN) {
            evals.removeLast();
        }
        List<Shown> now = List.copyOf(evals);
        int count = evalCount;
        answers.update(() -> answerTable(now, count));
    }

    @Override
    public synchronized void onStatus(RunEvents.Status s) {
        progress.total(s.totalSteps());
        if (!s.state().isFinal()) {
            return;
        }
        StringBuilder how = new StringBuilder(s.state().key()).append(" at step ").append(Math.max(s.step(), lastStep));
        if (s.reason() != null && !s.reason().isBlank()) {
            how.append(": ").append(s.reason());
        }
        if (s.state() != RunEvents.State.FINISHED && s.checkpoint() != null) {
            how.append("; checkpoint ").append(s.checkpoint());
        }
        loss.flush();
        scores.flush();
        answers.flush();
        progress.end(how.toString());
    }

    private void addScore(String series, long step, double value) {
        if (Double.isFinite(value)) {
            scores.add(series, step, value);
        }
    }

    private static Shown shown(RunEvents.Eval e) {
        List<Row> rows = new ArrayList<>();
        for (RunEvents.Sample s : e.samples()) {
            if (rows.size() == SAMPLES_SHOWN) {
                break;
            }
            String thumb = s.thumbnail() == null ? null : Thumbnails.dataUri(s.thumbnail(), THUMBNAIL);
            rows.add(new Row(thumb, nz(s.question()), nz(s.truth()), nz(s.answer()), s.correct()));
        }
        return new Shown(e.step(), e.metrics(), e.loss(), rows, e.samples().size());
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static DisplayData placeholder() {
        DisplayData d = new DisplayData("answers: shown at the first evaluation");
        d.putHTML("<p><i>The answers to held-out questions appear at the first evaluation.</i></p>");
        return d;
    }

    /**
     * The answer table: one block per evaluation (newest first) with its scores, then one row per shown example.
     * Its text form is a one-line summary (the thumbnails stay out of it).
     */
    static DisplayData answerTable(List<Shown> newestFirst, int evaluations) {
        StringBuilder html = new StringBuilder(8192);
        html.append("<table class=\"medvlm-table medvlm-answers\"><caption>answers to held-out questions, newest evaluation first")
                .append("</caption><thead><tr><th>step</th><th>image</th><th>question</th><th>truth</th><th>answer</th><th></th>")
                .append("</tr></thead><tbody>");
        for (Shown e : newestFirst) {
            html.append("<tr><td colspan=\"6\" style=\"text-align:left\"><b>step ").append(e.step()).append("</b>: ")
                    .append(TableHtml.escape(scoreLine(e))).append("</td></tr>");
            for (Row r : e.rows()) {
                html.append("<tr><td>").append(e.step()).append("</td><td>");
                if (r.thumbnail() != null) {
                    html.append("<img src=\"").append(r.thumbnail()).append("\" style=\"max-width:").append(THUMBNAIL)
                            .append("px;max-height:").append(THUMBNAIL).append("px\"/>");
                }
                html.append("</td><td>").append(TableHtml.escape(r.question())).append("</td><td>")
                        .append(TableHtml.escape(r.truth())).append("</td><td>").append(TableHtml.escape(r.answer()))
                        .append("</td><td>").append(r.correct() ? "✓" : "✗").append("</td></tr>");
            }
            if (e.samples() > e.rows().size()) {
                html.append("<tr><td colspan=\"6\">").append(e.samples() - e.rows().size())
                        .append(" more examples of this evaluation in the run folder's samples.jsonl</td></tr>");
            }
        }
        html.append("</tbody></table>");
        if (evaluations > newestFirst.size()) {
            html.append("<p>").append(evaluations - newestFirst.size())
                    .append(" earlier evaluations are in the run folder (metrics.jsonl, samples.jsonl)</p>");
        }
        Shown newest = newestFirst.isEmpty() ? null : newestFirst.get(0);
        long right = newest == null ? 0 : newest.rows().stream().filter(Row::correct).count();
        String text = newest == null ? "answers: none yet"
                : String.format(Locale.ROOT, "answers at step %d: %d of %d shown examples correct; %s", newest.step(), right,
                        newest.rows().size(), scoreLine(newest));
        DisplayData data = new DisplayData(text);
        data.putHTML(html.toString());
        return data;
    }

    /** "closed accuracy 0.500, open recall 0.125, exact match 0.250 (8 questions), held-out loss 5.70". */
    static String scoreLine(Shown e) {
        RunEvents.Metrics m = e.metrics();
        StringBuilder b = new StringBuilder();
        append(b, CLOSED, m.closedAccuracy());
        append(b, OPEN, m.openRecall());
        append(b, EXACT, m.exactMatch());
        b.append(" (").append(m.n()).append(" questions)");
        if (e.loss() != null && Double.isFinite(e.loss())) {
            b.append(String.format(Locale.ROOT, ", held-out loss %.4g", e.loss()));
        }
        return b.toString();
    }

    private static void append(StringBuilder b, String name, double v) {
        if (!Double.isFinite(v)) {
            return; // no closed (or open) questions in this evaluation
        }
        if (b.length() > 0) {
            b.append(", ");
        }
        b.append(name).append(String.format(Locale.ROOT, " %.3f", v));
    }
}
