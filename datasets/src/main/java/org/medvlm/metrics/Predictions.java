package org.medvlm.metrics;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medvlm.io.JsonLines;

/**
 * A model's answers, by question id. Read from JSON Lines, one {@code {"id": ..., "answer": ...}} per
 * line; {@code question_id} (LLaVA-Med's answer files) is accepted for the id, {@code prediction} and
 * {@code text} for the answer. Ids may be numbers. Blank lines are skipped; any other bad line is an
 * error that names the file and line.
 *
 * @param source the file read, or null for predictions built in code
 * @param byId the answers in file order
 */
public record Predictions(Path source, Map<String, Prediction> byId) {

    /**
     * One answer.
     *
     * @param line the 1-based line in the source file (0 for predictions built in code)
     */
    public record Prediction(String id, String answer, int line) {}

    private static final List<String> ID_KEYS = List.of("id", "question_id");
    private static final List<String> ANSWER_KEYS = List.of("answer", "prediction", "text");

    public Predictions {
        byId = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byId));
    }

    /** Predictions made in code (a notebook cell's {@code Map<id, answer>}). */
    public static Predictions of(Map<String, String> answers) {
        Map<String, Prediction> m = new LinkedHashMap<>();
        answers.forEach((id, a) -> m.put(id, new Prediction(id, a, 0)));
        return new Predictions(null, m);
    }

    /** Where a prediction came from, for error messages. */
    public String where(Prediction p) {
        return source == null ? "prediction '" + p.id() + "'" : source + ":" + p.line();
    }

    /** Reads a predictions file; a malformed line throws with the file and line named. */
    public static Predictions read(Path file) throws IOException {
        Map<String, Prediction> m = new LinkedHashMap<>();
        JsonLines.read(file, (n, line) -> {
            Prediction p = parse(file, n, line);
            Prediction before = m.putIfAbsent(p.id(), p);
            if (before != null) {
                throw new IllegalArgumentException(file + ":" + n + ": id '" + p.id()
                        + "' was already given at line " + before.line());
            }
        });
        return new Predictions(file, m);
    }

    private static Prediction parse(Path file, int n, String line) {
        JsonObject o = JsonLines.object(file, n, line, "{\"id\": ..., \"answer\": ...}");
        String id = scalar(o, ID_KEYS);
        if (id == null) {
            throw new IllegalArgumentException(file + ":" + n + ": no \"id\" (a string or number)");
        }
        String answer = scalar(o, ANSWER_KEYS);
        if (answer == null) {
            throw new IllegalArgumentException(file + ":" + n + ": no answer (a string under \"answer\", \"prediction\" or \"text\")");
        }
        return new Prediction(id, answer, n);
    }

    private static String scalar(JsonObject o, List<String> keys) {
        for (String k : keys) {
            JsonElement v = o.get(k);
            if (v != null && v.isJsonPrimitive()) {
                return v.getAsJsonPrimitive().isNumber() ? v.getAsNumber().toString() : v.getAsString();
            }
        }
        return null;
    }
}
