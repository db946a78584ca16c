package org.medvlm.data.formats;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.medvlm.data.AnswerType;
import org.medvlm.data.LoadReport;
import org.medvlm.io.InputFileException;
import org.medvlm.io.InputFiles;
import org.medvlm.io.JsonInput;
import org.medvlm.io.JsonLines;
import org.medvlm.io.LineReader;
import org.medvlm.io.Limit;

/**
 * Reading text and JSON as the datasets store them: UTF-8 with or without BOM, LF or CRLF, final newline or not.
 * Every file goes through {@link InputFiles} (regular files only, at most {@link Limit#ANNOTATION_BYTES}), lines
 * are at most {@link Limit#LINE_CHARS} long, JSON arrays are streamed one entry at a time no deeper than
 * {@link Limit#JSON_DEPTH}, and each record read counts against {@link Limit#RECORDS}. Errors are one line that
 * starts with the file.
 */
final class Sources {
    private Sources() {}

    /** Receives a text line and its 1-based number. */
    @FunctionalInterface
    interface LineConsumer {
        void accept(int number, String text);
    }

    /** Receives one entry of a JSON array and its index. */
    @FunctionalInterface
    interface EntryConsumer {
        void accept(int index, JsonElement entry);
    }

    /** Fails with "PATH: no such file or folder" unless {@code path} exists. */
    static Path existing(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(path + ": no such file or folder");
        }
        return path;
    }

    /** An I/O failure on {@code file} as the unchecked exception the loaders throw; its cause's message names the file. */
    static UncheckedIOException io(Path file, IOException e) {
        InputFileException named = InputFiles.named(file, e);
        return new UncheckedIOException(named.getMessage(), named);
    }

    /**
     * Feeds the file's non-blank lines without their line ends to {@code each}, counting each as a record. A BOM is dropped; undecodable bytes become U+FFFD rather than failing (VQA-RAD itself contains
     * one).
     */
    static void eachLine(Path file, LoadReport.Builder report, LineConsumer each) {
        try (LineReader r = InputFiles.lines(file, Limit.ANNOTATION_BYTES, false)) {
            for (String s; (s = r.next()) != null; ) {
                if (!s.isBlank()) {
                    report.record(file.toString(), "line " + r.number());
                    each.accept(r.number(), s);
                }
            }
        } catch (IOException e) {
            throw io(file, e);
        }
    }

    /** A reader that decodes UTF-8 leniently (malformed bytes become U+FFFD), with a leading BOM dropped. */
    static Reader reader(Path file) {
        try {
            BufferedReader r = InputFiles.utf8(file, Limit.ANNOTATION_BYTES, false);
            r.mark(1);
            if (r.read() != BOM) {
                r.reset();
            }
            return r;
        } catch (IOException e) {
            throw io(file, e);
        }
    }

    private static final char BOM = '\uFEFF';

    /**
     * Streams a file holding one JSON array ({@code what} names its entries in messages) to {@code each}, entry by
     * entry, each counted as a record of {@code name}. An empty file, another top-level value, malformed JSON or
     * nesting past the limit fail with one line naming the file and the position.
     */
    static void jsonArray(Path file, String name, String what, LoadReport.Builder report, EntryConsumer each) {
        try (EntryBudget in = new EntryBudget(reader(file))) {
            JsonReader r = JsonInput.reader(in);
            JsonToken first;
            try {
                first = r.peek();
            } catch (EOFException e) {
                first = JsonToken.END_DOCUMENT; // nothing but white space
            }
            if (first == JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException(file + ": empty file (expected a JSON array of " + what + ")");
            }
            if (first != JsonToken.BEGIN_ARRAY) {
                throw new IllegalArgumentException(file + ": expected a JSON array of " + what + ", found "
                        + (first == JsonToken.BEGIN_OBJECT ? "an object" : "a " + first.name().toLowerCase(Locale.ROOT)));
            }
            r.beginArray();
            for (int i = 0; r.hasNext(); i++) {
                report.record(file.toString(), "index " + i);
                in.startEntry(file, "entry " + i);
                each.accept(i, JsonInput.element(r));
            }
            r.endArray();
            end(r);
        } catch (MalformedJsonException | EOFException | IllegalStateException | NumberFormatException e) {
            throw malformed(file, e);
        } catch (IOException e) {
            throw io(file, e);
        }
    }

    /**
     * Counts the characters of one JSON entry against {@link Limit#LINE_CHARS}: an entry is built in memory whole,
     * and one string of a gigabyte (within the file's budget) would otherwise become a gigabyte of chars.
     */
    private static final class EntryBudget extends java.io.FilterReader {
        private final long max = Limit.LINE_CHARS.value();
        private long count;
        private Path file;
        private String entry;

        EntryBudget(Reader in) {
            super(in);
        }

        void startEntry(Path file, String entry) {
            this.file = file;
            this.entry = entry;
            this.count = 0;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                counted(1);
            }
            return c;
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) throws InputFileException {
            count += n;
            // the JSON reader reads ahead a buffer (1 KiB) of the next entry: allowed for
            if (entry != null && count > max + 2048) {
                throw new InputFileException(file, entry + " is longer than " + max + " characters " + Limit.LINE_CHARS.hint());
            }
        }
    }

    /**
     * Streams the array under {@code key} of a file holding one JSON object (the mscoco-format question files);
     * false when the file is an object without that array. Other members are skipped without being built.
     */
    static boolean jsonMemberArray(Path file, String key, LoadReport.Builder report, EntryConsumer each) {
        try (EntryBudget in = new EntryBudget(reader(file))) {
            JsonReader r = JsonInput.reader(in);
            try {
                if (r.peek() != JsonToken.BEGIN_OBJECT) {
                    return false;
                }
            } catch (EOFException e) {
                return false; // an empty file holds no questions
            }
            r.beginObject();
            boolean found = false;
            while (r.hasNext()) {
                String member = r.nextName();
                if (member.equals(key) && !found && r.peek() == JsonToken.BEGIN_ARRAY) {
                    found = true;
                    r.beginArray();
                    for (int i = 0; r.hasNext(); i++) {
                        report.record(file.toString(), key + " " + i);
                        in.startEntry(file, key + " entry " + i);
                        each.accept(i, JsonInput.element(r));
                    }
                    in.startEntry(file, null); // members skipped after it are not built: not counted
                    r.endArray();
                } else {
                    r.skipValue();
                }
            }
            r.endObject();
            end(r);
            return found;
        } catch (MalformedJsonException | EOFException | IllegalStateException | NumberFormatException e) {
            throw malformed(file, e);
        } catch (IOException e) {
            throw io(file, e);
        }
    }

    private static void end(JsonReader r) throws IOException {
        if (r.peek() != JsonToken.END_DOCUMENT) {
            throw new MalformedJsonException("text after the end of the JSON value at " + r.getPath());
        }
    }

    private static IllegalArgumentException malformed(Path file, Exception e) {
        return new IllegalArgumentException(file + ": malformed JSON: " + JsonLines.why(e));
    }

    /** Files directly in {@code dir} whose lower-cased name ends with {@code suffix}, sorted by name. */
    static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p)
                    && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw io(dir, e);
        } catch (UncheckedIOException e) {
            throw io(dir, e.getCause());
        }
    }

    /** Files under {@code dir} (at most {@code depth} levels down) whose lower-cased name ends with {@code suffix}, sorted. */
    static List<Path> find(Path dir, int depth, String suffix) {
        try (Stream<Path> s = Files.find(dir, depth, (p, a) -> a.isRegularFile()
                && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(suffix))) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw io(dir, e);
        } catch (UncheckedIOException e) {
            throw io(dir, e.getCause());
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

    /**
     * One entry of a VQA JSON array (SLAKE, VQA-RAD) if it passes the checks, else null after skipping it (and
     * reporting it at {@code "index N"}): entries that are not objects, lack a question or an answer, or whose
     * image under {@code imageKey} the {@link Images} refuse.
     */
    static Question question(int i, JsonElement entry, String imageKey, Images images, String name, LoadReport.Builder report) {
        String where = "index " + i;
        if (!entry.isJsonObject()) {
            report.skip(name, where, "not a JSON object", JsonInput.preview(entry, 60));
            return null;
        }
        JsonObject o = entry.getAsJsonObject();
        String question = string(o.get("question"));
        String answer = string(o.get("answer"));
        String imageName = string(o.get(imageKey));
        if (!answered(question, answer, name, where, report)) {
            return null;
        }
        String refused = images.refusal(imageName);
        if (refused != null) {
            report.skip(name, where, refused, imageName == null ? "" : imageName);
            return null;
        }
        AnswerType type = AnswerType.parse(string(o.get("answer_type"))).orElse(AnswerType.fromAnswer(answer));
        return new Question(question, answer, imageName, type);
    }
}
