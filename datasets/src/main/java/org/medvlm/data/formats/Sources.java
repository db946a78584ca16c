package org.medvlm.data.formats;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.medvlm.data.AnswerType;
import org.medvlm.data.LoadReport;

/** Reading text and JSON as the datasets store them: UTF-8 with or without BOM, LF or CRLF, final newline or not. */
final class Sources {
    private static final char BOM = '\uFEFF';
    private static final long MAX_JSON_BYTES = 512L << 20;

    private Sources() {}

    /** A text line of a file with its 1-based number. */
    record Line(int number, String text) {}

    /** Fails with "PATH: no such file or folder" unless {@code path} exists. */
    static Path existing(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(path + ": no such file or folder");
        }
        return path;
    }

    /**
     * The file's non-blank lines without their line ends. A BOM is dropped; undecodable bytes become
     * U+FFFD rather than failing (VQA-RAD itself contains one), and {@code readLine} accepts LF, CRLF and
     * a missing final newline.
     */
    static List<Line> lines(Path file) {
        List<Line> out = new ArrayList<>();
        try (BufferedReader r = reader(file)) {
            String s;
            int n = 0;
            while ((s = r.readLine()) != null) {
                n++;
                if (n == 1 && !s.isEmpty() && s.charAt(0) == BOM) {
                    s = s.substring(1);
                }
                if (!s.isBlank()) {
                    out.add(new Line(n, s));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** A reader that decodes UTF-8 leniently (malformed bytes become U+FFFD). */
    static BufferedReader reader(Path file) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        return new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), decoder), 1 << 16);
    }

    /** Parses a JSON file; malformed JSON fails with one line naming the file and the position. */
    static JsonElement json(Path file) {
        existing(file);
        try {
            // the annotation files are a few MB; a tree of something hundreds of times larger would exhaust the heap
            long size = Files.size(file);
            if (size > MAX_JSON_BYTES) {
                throw new IllegalArgumentException(file + ": " + size / (1 << 20) + " MiB is too large for an annotation "
                        + "JSON file (limit " + MAX_JSON_BYTES / (1 << 20) + " MiB)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        try (Reader r = reader(file)) {
            r.mark(1);
            if (r.read() != BOM) {
                r.reset();
            }
            JsonReader jr = new JsonReader(r);
            JsonElement e = JsonParser.parseReader(jr);
            if (jr.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
                throw new JsonParseException("text after the end of the JSON value");
            }
            return e;
        } catch (JsonParseException | IllegalStateException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            int cut = msg.indexOf("\nSee ");
            msg = (cut > 0 ? msg.substring(0, cut) : msg).strip();
            // gson prefixes the cause's class name ("java.io.EOFException: End of input at line 2 ...")
            msg = msg.replaceFirst("^([a-z]+\\.)+[A-Za-z]*Exception: ", "");
            throw new IllegalArgumentException(file + ": malformed JSON: " + msg);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Files directly in {@code dir} whose lower-cased name ends with {@code suffix}, sorted by name. */
    static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p)
                    && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }

    /** Files under {@code dir} (at most {@code depth} levels down) whose lower-cased name ends with {@code suffix}, sorted. */
    static List<Path> find(Path dir, int depth, String suffix) {
        try (Stream<Path> s = Files.find(dir, depth, (p, a) -> a.isRegularFile()
                && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(suffix))) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
        }
    }

    /** The file name without its extension. */
    static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** {@code file} relative to {@code root} for reports, or its name when it lies elsewhere. */
    static String relative(Path root, Path file) {
        Path r = Files.isDirectory(root) ? root : root.getParent();
        if (r != null && file.toAbsolutePath().normalize().startsWith(r.toAbsolutePath().normalize())) {
            String rel = r.toAbsolutePath().normalize().relativize(file.toAbsolutePath().normalize()).toString();
            return rel.isEmpty() ? file.getFileName().toString() : rel;
        }
        return file.toString();
    }

    /** A JSON value as a string: strings as they are, numbers as written ({@code 4} → {@code "4"}), else null. */
    static String string(JsonElement e) {
        if (e == null || e.isJsonNull() || !e.isJsonPrimitive()) {
            return null;
        }
        return e.getAsJsonPrimitive().getAsString();
    }

    /** Duplicates are real data (VQA-RAD 4, SLAKE 14): kept, and counted in a note of the report. */
    static void noteDuplicates(List<org.medvlm.data.VqaExample> examples, org.medvlm.data.LoadReport.Builder report) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        int extra = 0;
        for (var e : examples) {
            String key = e.split() + "|" + e.metadata().getOrDefault("image_name", "") + "|"
                    + e.question().strip().toLowerCase(Locale.ROOT) + "|" + e.answer().strip().toLowerCase(Locale.ROOT);
            if (!seen.add(key)) {
                extra++;
            }
        }
        if (extra > 0) {
            report.note(extra + " duplicate (split, image, question, answer) records kept: they are in the distributed files");
        }
    }

    /**
     * Whether a record has a question and an answer; if not, it is reported as skipped ("missing question",
     * "missing answer") at {@code where}.
     */
    static boolean answered(String question, String answer, String name, String where, LoadReport.Builder report) {
        if (question == null || question.isBlank()) {
            report.skip(name, where, "missing question", "");
            return false;
        }
        if (answer == null) {
            report.skip(name, where, "missing answer", "");
            return false;
        }
        return true;
    }

    /**
     * The common fields of one entry of a VQA JSON array, with the answer type from {@code answer_type} or,
     * when absent, guessed from the answer.
     */
    record Question(String question, String answer, String imageName, AnswerType type) {}

    /** Receives an entry that passed the checks of {@link #questions}. */
    @FunctionalInterface
    interface QuestionConsumer {
        void accept(int index, JsonObject entry, Question q);
    }

    /**
     * Feeds each entry of a VQA JSON array (SLAKE, VQA-RAD) to {@code each}, after skipping (and reporting at
     * {@code "index N"}) entries that are not objects, lack a question or an answer, or whose image under
     * {@code imageKey} the {@link Images} refuse.
     */
    static void questions(JsonArray arr, String imageKey, Images images, String name, LoadReport.Builder report,
            QuestionConsumer each) {
        for (int i = 0; i < arr.size(); i++) {
            String where = "index " + i;
            if (!arr.get(i).isJsonObject()) {
                report.skip(name, where, "not a JSON object", arr.get(i).toString());
                continue;
            }
            JsonObject o = arr.get(i).getAsJsonObject();
            String question = string(o.get("question"));
            String answer = string(o.get("answer"));
            String imageName = string(o.get(imageKey));
            if (!answered(question, answer, name, where, report)) {
                continue;
            }
            String refused = images.refusal(imageName);
            if (refused != null) {
                report.skip(name, where, refused, imageName == null ? "" : imageName);
                continue;
            }
            AnswerType type = AnswerType.parse(string(o.get("answer_type"))).orElse(AnswerType.fromAnswer(answer));
            each.accept(i, o, new Question(question, answer, imageName, type));
        }
    }
}
