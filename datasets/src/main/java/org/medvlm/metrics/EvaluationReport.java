package org.medvlm.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Scores of one prediction set against one dataset: overall and per answer type.
 *
 * @param dataset the dataset's short name
 * @param questions the questions scored
 * @param missing questions without a prediction (scored as an empty answer: wrong)
 * @param metrics the metrics computed, in column order
 * @param groups {@code overall}, then {@code closed} and {@code open} where the dataset has them
 */
public record EvaluationReport(String dataset, int questions, int missing, List<Metric> metrics,
        Map<String, Group> groups) {

    public EvaluationReport {
        metrics = List.copyOf(metrics);
        groups = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    /**
     * The scores of one group of questions.
     *
     * @param questions the questions in the group
     * @param scores each applicable metric's mean; a metric restricted to the other answer type is absent
     */
    public record Group(int questions, Map<Metric, Score> scores) {
        public Group {
            scores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        }

        /** The metric's value, NaN when it does not apply to this group. */
        public double value(Metric m) {
            Score s = scores.get(m);
            return s == null ? Double.NaN : s.value();
        }
    }

    /**
     * A mean score.
     *
     * @param value the mean, from 0 to 1 (0 when nothing was counted)
     * @param counted the questions it averages over: fewer than the group's for metrics that skip
     *     questions (the published LLaVA-Med closed accuracy, multiple choice without choices)
     */
    public record Score(double value, int counted) {}

    /** The overall group. */
    public Group overall() {
        return groups.get("overall");
    }

    /** One row per group, one column per metric (missing where a metric does not apply). */
    public Table table() {
        StringColumn group = StringColumn.create("group");
        IntColumn n = IntColumn.create("questions");
        Table t = Table.create("evaluation: " + dataset, group, n);
        for (Metric m : metrics) {
            t.addColumns(DoubleColumn.create(m.key()));
        }
        for (Map.Entry<String, Group> e : groups.entrySet()) {
            group.append(e.getKey());
            n.append(e.getValue().questions());
            for (Metric m : metrics) {
                Score s = e.getValue().scores().get(m);
                DoubleColumn c = t.doubleColumn(m.key());
                if (s == null) {
                    c.appendMissing();
                } else {
                    c.append(s.value());
                }
            }
        }
        return t;
    }

    /**
     * A plain map for JSON: {@code questions}, {@code missing}, then per group its {@code questions}, each
     * metric's value, and {@code counted} where a metric averaged over fewer questions than the group has.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataset", dataset);
        out.put("questions", questions);
        out.put("missing", missing);
        for (Map.Entry<String, Group> e : groups.entrySet()) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("questions", e.getValue().questions());
            Map<String, Integer> counted = new LinkedHashMap<>();
            e.getValue().scores().forEach((m, s) -> {
                g.put(m.key(), s.value());
                if (s.counted() != e.getValue().questions()) {
                    counted.put(m.key(), s.counted());
                }
            });
            if (!counted.isEmpty()) {
                g.put("counted", counted);
            }
            out.put(e.getKey(), g);
        }
        return out;
    }

    @Override
    public String toString() {
        return table().print();
    }
}
