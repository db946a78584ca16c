package org.medvlm.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;

/**
 * JSON Lines reading shared by the dataset loaders and the metrics files: 1-based line numbers for messages,
 * a UTF-8 byte-order mark on the first line dropped (Windows editors write one), blank lines skipped. The file
 * is checked and bounded as {@link InputFiles} does; lines are at most {@link Limit#LINE_CHARS} long, at most
 * {@link Limit#RECORDS} of them are read, and each is parsed no deeper than {@link Limit#JSON_DEPTH}.
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
        try (LineReader r = InputFiles.lines(file, Limit.ANNOTATION_BYTES, true)) {
            forEachLine(r, file.toString(), each);
        }
    }

    /** Feeds the non-blank lines of {@code r} to {@code each}, with their 1-based numbers. */
    public static void forEachLine(LineReader r, String file, LineConsumer each) throws IOException {
        long records = 0;
        long max = Limit.RECORDS.value();
        for (String line; (line = r.next()) != null; ) {
            if (!line.isBlank()) {
                if (++records > max) {
                    throw new InputFileException(file, "more than " + max + " records at line " + r.number() + " "
                            + Limit.RECORDS.hint());
                }
                each.accept(r.number(), line);
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
            e = JsonInput.parse(line);
        } catch (IOException | RuntimeException ex) {
            throw new IllegalArgumentException(file + ":" + n + ": malformed JSON (" + why(ex) + ")");
        }
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException(file + ":" + n + ": expected a JSON object like " + example);
        }
        return e.getAsJsonObject();
    }

    /** gson's reason without its class-name prefix and its "See https://..." troubleshooting line. */
    public static String why(Exception ex) {
        String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        int cut = msg.indexOf("\nSee ");
        msg = (cut > 0 ? msg.substring(0, cut) : msg).strip();
        return InputFiles.oneLine(msg.replaceFirst("^([a-z]+\\.)+[A-Za-z]*Exception: ", ""));
    }
}
