package org.medvlm.metrics;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medvlm.data.AnswerType;
import org.medvlm.data.VqaExample;
import org.medvlm.io.JsonLines;

/**
 * Reference answers from a plain JSON Lines file, for scoring against data no loader knows:
 * {@code {"id": ..., "answers": ["...", ...], "answer_type": "closed"|"open"}} per line; {@code answer}
 * (one string) may replace {@code answers}; {@code answer_type} is optional (yes/no answers are then
 * closed); {@code question}, {@code split} and {@code choices} (a list, PMC-VQA style) are optional.
 */
public final class GoldAnswers {
    private GoldAnswers() {}

    /** Reads the file; a bad line throws with the file and line named. */
    public static List<VqaExample> read(Path file) throws IOException {
        List<VqaExample> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        JsonLines.read(file, (n, line) -> {
            VqaExample ex = parse(file, n, line);
            Integer before = seen.putIfAbsent(ex.id(), n);
            if (before != null) {
                throw new IllegalArgumentException(file + ":" + n + ": id '" + ex.id() + "' was already given at line " + before);
            }
            out.add(ex);
        });
        return out;
    }

    private static VqaExample parse(Path file, int n, String line) {
        String at = file + ":" + n + ": ";
        JsonObject o = JsonLines.object(file, n, line, "{\"id\": ..., \"answers\": [...]}");
        String id = scalar(o.get("id"));
        if (id == null) {
            throw new IllegalArgumentException(at + "no \"id\" (a string or number)");
        }
        List<String> answers = new ArrayList<>();
        JsonElement as = o.get("answers");
        if (as != null && as.isJsonArray()) {
            for (JsonElement a : as.getAsJsonArray()) {
                String s = scalar(a);
                if (s == null) {
                    throw new IllegalArgumentException(at + "\"answers\" must hold strings");
                }
                answers.add(s);
            }
        } else if (scalar(o.get("answer")) != null) {
            answers.add(scalar(o.get("answer")));
        }
        if (answers.isEmpty()) {
            throw new IllegalArgumentException(at + "no reference answer (\"answers\": [...] or \"answer\": \"...\")");
        }
        String typeField = scalar(o.get("answer_type"));
        AnswerType type;
        if (typeField == null) {
            type = AnswerType.fromAnswer(answers.get(0));
        } else {
            type = AnswerType.parse(typeField).orElseThrow(() ->
                    new IllegalArgumentException(at + "answer_type '" + typeField + "' is neither closed nor open"));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        JsonElement choices = o.get("choices");
        if (choices != null && choices.isJsonArray()) {
            JsonArray arr = choices.getAsJsonArray();
            for (int i = 0; i < arr.size() && i < PmcVqaScorer.CHOICE_KEYS.size(); i++) {
                meta.put(PmcVqaScorer.CHOICE_KEYS.get(i), String.valueOf(scalar(arr.get(i))));
            }
        }
        String question = scalar(o.get("question"));
        String split = scalar(o.get("split"));
        return new VqaExample(id, "gold", split == null ? "test" : split, null, question == null ? "" : question,
                answers, type, "en", meta);
    }

    private static String scalar(JsonElement v) {
        if (v == null || !v.isJsonPrimitive()) {
            return null;
        }
        return v.getAsJsonPrimitive().isNumber() ? v.getAsNumber().toString() : v.getAsString();
    }
}
