package org.medvlm.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JSON Lines reading shared by the dataset loaders and the metrics files: 1-based line numbers for messages,
 * a UTF-8 byte-order mark on the first line dropped (Windows editors write one), blank lines skipped.
 */
public final class JsonLines {
    private JsonLines() {}

    /** Called for each non-blank line. */
    @FunctionalInterface
    public interface LineConsumer {
        void accept(int lineNumber, String line) throws IOException;
    }

    /** Opens {@code file} as strict UTF-8 and feeds its lines to {@code each}; other encodings fail naming the file. */
    public static void read(Path file, LineConsumer each) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            forEachLine(r, each);
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text");
        }
    }

    /** Feeds the non-blank lines of {@code r} to {@code each}, with their 1-based numbers. */
    public static void forEachLine(BufferedReader r, LineConsumer each) throws IOException {
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            if (n == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (!line.isBlank()) {
                each.accept(n, line);
            }
        }
    }

    /**
     * Line {@code n} of {@code file} as a JSON object; malformed JSON fails with {@code "<file>:<n>: malformed
     * JSON (<why>)"}, any other value with {@code "<file>:<n>: expected a JSON object like <example>"}.
     */
    public static JsonObject object(Path file, int n, String line, String example) {
        JsonElement e;
        try {
            e = JsonParser.parseString(line);
        } catch (JsonParseException ex) {
            // gson's own message repeats the whole line; its cause says what and where
            String why = ex.getCause() != null && ex.getCause().getMessage() != null
                    ? ex.getCause().getMessage() : ex.getMessage();
            throw new IllegalArgumentException(file + ":" + n + ": malformed JSON (" + why + ")");
        }
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException(file + ":" + n + ": expected a JSON object like " + example);
        }
        return e.getAsJsonObject();
    }
}
