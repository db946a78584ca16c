package org.medvlm.zero;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * The result of {@link ZeroPlanner#plan}: per-GPU memory for ZeRO stages 0–3, a fit verdict per stage
 * when a GPU was named, and a recommendation. The command line prints it; the notebook renders
 * {@link #table()} and {@link ZeroChart#of}.
 *
 * @param request        what was asked
 * @param stages         stages 0, 1, 2, 3 in order, without offload
 * @param recommendation the cheapest configuration that fits, when a GPU was named
 */
public record ZeroPlan(PlanRequest request, List<StagePlan> stages, Optional<Recommendation> recommendation) {

    public StagePlan stage(ZeroStage s) {
        return stages.get(s.number());
    }

    /** Whether a stage's peak fits the named GPU; empty when no GPU was named. */
    public Optional<Boolean> fits(StagePlan s) {
        return request.gpu().map(g -> s.peakBytes() <= g.capacityBytes());
    }

    public boolean hasWorkload() {
        return request.workload().isPresent();
    }

    /**
     * One row per stage, sizes in the paper's GB (10^9 bytes) with GiB columns where a figure is compared
     * with a GPU's capacity.
     */
    public Table table() {
        List<Column<?>> cols = new ArrayList<>();
        cols.add(IntColumn.create("stage", stages.stream().mapToInt(s -> s.stage().number()).toArray()));
        cols.add(StringColumn.create("paper name", stages.stream().map(s -> s.stage().paperName()).toList()));
        cols.add(gb("weights GB", stages.stream().mapToLong(StagePlan::weightsBytes).toArray()));
        cols.add(gb("gradients GB", stages.stream().mapToLong(StagePlan::gradientsBytes).toArray()));
        cols.add(gb("optimizer GB", stages.stream().mapToLong(StagePlan::optimizerBytes).toArray()));
        cols.add(gb("model states GB", stages.stream().mapToLong(StagePlan::modelStatesBytes).toArray()));
        cols.add(gib("model states GiB", stages.stream().mapToLong(StagePlan::modelStatesBytes).toArray()));
        if (hasWorkload()) {
            cols.add(gb("activations GB", stages.stream().mapToLong(StagePlan::activationBytes).toArray()));
            cols.add(gb("logits+loss GB", stages.stream().mapToLong(StagePlan::outputLayerBytes).toArray()));
        }
        if (hasWorkload() || request.gpu().isPresent()) {
            // the figure the fit verdict and the recommendation use, so the table and the sentence agree
            cols.add(gb("other GB", stages.stream().mapToLong(StagePlan::otherBytes).toArray()));
            cols.add(gb("peak GB", stages.stream().mapToLong(StagePlan::peakBytes).toArray()));
            cols.add(gib("peak GiB", stages.stream().mapToLong(StagePlan::peakBytes).toArray()));
        }
        cols.add(LongColumn.create("communication elements", stages.stream().mapToLong(StagePlan::communicationElements).toArray()));
        if (request.gpu().isPresent()) {
            cols.add(StringColumn.create("fits " + request.gpu().get().name(),
                    stages.stream().map(s -> fits(s).orElseThrow() ? "yes" : "no").toList()));
        }
        return Table.create(title(), cols.toArray(new Column<?>[0]));
    }

    private static DoubleColumn gb(String name, long[] bytes) {
        double[] v = new double[bytes.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.round(Units.gb(bytes[i]) * 1000) / 1000.0;
        }
        return DoubleColumn.create(name, v);
    }

    private static DoubleColumn gib(String name, long[] bytes) {
        double[] v = new double[bytes.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.round(Units.gib(bytes[i]) * 1000) / 1000.0;
        }
        return DoubleColumn.create(name, v);
    }

    /** The stacked bar chart of this plan (see {@link ZeroChart}); the notebook shows it under {@link #table()}. */
    public org.knowm.xchart.CategoryChart chart() {
        return ZeroChart.of(this);
    }

    /** "ZeRO plan: bloomz-560m (559,214,592 parameters) on 1 GPU, amp, adamw". */
    public String title() {
        ModelSize m = request.model();
        String params = m.hasFrozen() ? String.format(Locale.ROOT, "%,d parameters, %,d trained", m.params(), m.trainableParams())
                : String.format(Locale.ROOT, "%,d parameters", m.params());
        String s = String.format(Locale.ROOT, "ZeRO plan: %s (%s) on %d GPU%s, precision %s, optimizer %s",
                m.name(), params, request.gpus(), request.gpus() == 1 ? "" : "s",
                request.precision().name().toLowerCase(Locale.ROOT), request.optimizer().name().toLowerCase(Locale.ROOT));
        if (request.workload().isPresent()) {
            Workload w = request.workload().get();
            s += String.format(Locale.ROOT, ", micro-batch %d × %d tokens%s", w.microBatch(), w.sequence(),
                    w.checkpointing() ? ", checkpointing" : "");
        }
        return s;
    }

    /** A few lines: the title, one line per stage, the recommendation. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(title()).append('\n');
        for (StagePlan s : stages) {
            sb.append(String.format(Locale.ROOT, "  stage %d %-9s model states %s", s.stage().number(), s.stage().paperName(),
                    Units.both(s.modelStatesBytes())));
            if (hasWorkload() || request.gpu().isPresent()) {
                sb.append(", peak ").append(Units.both(s.peakBytes()));
            }
            fits(s).ifPresent(f -> sb.append(f ? ", fits" : ", does not fit"));
            sb.append('\n');
        }
        recommendation.ifPresent(r -> sb.append("  ").append(r.reason()).append('\n'));
        return sb.toString().stripTrailing();
    }
}
