package org.medvlm.data;

import java.util.Map;

/**
 * The counts a user checks first: records per split, answer type, language, organ and modality, and
 * what the load skipped. Maps are ordered (splits in file order, the rest by count).
 *
 * @param answerTypes {@code closed} and {@code open}, both always present (zero for caption corpora)
 * @param missingImages distinct image names the load could not find
 */
public record DatasetStats(String dataset, int records, Map<String, Integer> splits, Map<String, Integer> answerTypes,
        Map<String, Integer> languages, Map<String, Integer> organs, Map<String, Integer> modalities,
        int skipped, Map<String, Integer> skippedReasons, int missingImages) {

    public DatasetStats {
        splits = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(splits));
        answerTypes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(answerTypes));
        languages = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(languages));
        organs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(organs));
        modalities = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(modalities));
        skippedReasons = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(skippedReasons));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(dataset).append(": ").append(records).append(" records");
        line(sb, "splits", splits);
        line(sb, "answer types", answerTypes);
        line(sb, "languages", languages);
        line(sb, "organs", organs);
        line(sb, "modalities", modalities);
        sb.append("\n  skipped: ").append(skipped);
        skippedReasons.forEach((r, n) -> sb.append("\n    ").append(n).append("  ").append(r));
        sb.append("\n  missing images: ").append(missingImages);
        return sb.toString();
    }

    private static void line(StringBuilder sb, String label, Map<String, Integer> counts) {
        if (counts.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(label).append(": ");
        int shown = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (shown++ == 12) {
                sb.append(", ... (").append(counts.size() - 12).append(" more)");
                break;
            }
            sb.append(shown > 1 ? ", " : "").append(e.getKey().isEmpty() ? "(none)" : e.getKey()).append(' ').append(e.getValue());
        }
    }
}
