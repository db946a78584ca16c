package org.medvlm.check;

import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a reference check.
 *
 * @param modelType the config's {@code model_type}
 * @param maxAbsDiff the largest absolute difference over all compared outputs (NaN when an output is NaN)
 * @param greedyMatch whether greedy tokens equal the reference's; null for models that do not generate
 * @param perOutput the largest absolute difference per compared output, by reference name
 */
public record CheckResult(String modelType, double maxAbsDiff, Boolean greedyMatch, Map<String, Double> perOutput) {

    public CheckResult {
        perOutput = Map.copyOf(perOutput);
    }

    /** A result from per-output differences; the overall difference is their maximum. */
    public static CheckResult of(String modelType, Map<String, Double> perOutput, Boolean greedyMatch) {
        double max = 0;
        for (double d : perOutput.values()) {
            max = Double.isNaN(d) || Double.isNaN(max) ? Double.NaN : Math.max(max, d);
        }
        return new CheckResult(modelType, max, greedyMatch, perOutput);
    }

    /** True when the difference is at most {@code tolerance} and greedy tokens (if any) match. */
    public boolean passed(double tolerance) {
        return maxAbsDiff <= tolerance && !Boolean.FALSE.equals(greedyMatch);
    }

    /** The one-line JSON of {@code medvlm check --json}. */
    public String toJson() {
        return "{\"max_abs_diff\": " + maxAbsDiff + ", \"greedy_match\": " + greedyMatch + "}";
    }

    /** A short human summary. */
    public String describe(double tolerance) {
        StringBuilder sb = new StringBuilder();
        sb.append(passed(tolerance) ? "PASS" : "FAIL").append(' ').append(modelType).append(": max_abs_diff ")
                .append(String.format(Locale.ROOT, "%.3g", maxAbsDiff)).append(" (tolerance ")
                .append(String.format(Locale.ROOT, "%.0e", tolerance)).append(')');
        perOutput.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sb.append(", ").append(e.getKey())
                .append(' ').append(String.format(Locale.ROOT, "%.3g", e.getValue())));
        if (greedyMatch != null) {
            sb.append(", greedy tokens ").append(greedyMatch ? "match" : "differ");
        }
        return sb.toString();
    }
}
