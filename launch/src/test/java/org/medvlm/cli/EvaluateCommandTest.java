package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.data.AnswerType;
import org.medvlm.data.VqaExample;
import org.medvlm.phantoms.Phantoms;

/** {@code medvlm evaluate} run in-process. */
class EvaluateCommandTest {
    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Medvlm.commandLine(new TerminalDisplay(new PrintWriter(out, true), new PrintWriter(err, true))).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static boolean oneLine(String s) {
        return !s.isBlank() && !s.strip().contains("\n");
    }

    /** Answers the test split of phantoms 100:3 right, except every third closed question (answered "maybe"). */
    @Test
    void scoresPhantomsPerAnswerType() throws IOException {
        List<VqaExample> test = Phantoms.generate(100, 3).stream().filter(e -> e.split().equals("test")).toList();
        Path preds = dir.resolve("preds.jsonl");
        List<String> lines = new ArrayList<>();
        int closed = 0;
        int closedRight = 0;
        int open = 0;
        for (VqaExample e : test) {
            String answer = e.answer();
            if (e.answerType() == AnswerType.CLOSED) {
                if (closed % 3 == 0) {
                    answer = "maybe";
                } else {
                    closedRight++;
                }
                closed++;
            } else {
                open++;
            }
            lines.add("{\"id\": \"" + e.id() + "\", \"answer\": \"" + answer + "\"}");
        }
        Files.write(preds, lines);
        Run r = run("evaluate", "--format", "phantoms", "100:3", "--split", "test", "--predictions", preds.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(20, o.get("questions").getAsInt());
        assertEquals(0, o.get("missing").getAsInt());
        assertEquals(20, o.get("predictions").getAsInt());
        JsonObject c = o.getAsJsonObject("closed");
        JsonObject op = o.getAsJsonObject("open");
        assertEquals(closed, c.get("questions").getAsInt());
        assertEquals(open, op.get("questions").getAsInt());
        assertEquals((double) closedRight / closed, c.get("llava_closed_accuracy").getAsDouble(), 1e-12);
        assertEquals((double) closedRight / closed, c.get("exact_match").getAsDouble(), 1e-12);
        assertEquals(1.0, op.get("llava_open_recall").getAsDouble(), 1e-12);
        assertEquals((double) (closedRight + open) / 20, o.getAsJsonObject("overall").get("vqa_med_accuracy").getAsDouble(), 1e-12);
        assertFalse(o.getAsJsonObject("overall").has("llava_closed_accuracy"));

        Run text = run("evaluate", "--format", "phantoms", "100:3", "--split", "test", "--predictions", preds.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("llava_closed_accuracy"), text.out());
        assertTrue(text.out().contains("20 questions scored, 20 predictions, 0 questions without a prediction"), text.out());
    }

    @Test
    void goldFileAndChosenMetrics() throws IOException {
        Path gold = dir.resolve("gold.jsonl");
        Files.writeString(gold, "{\"id\": \"a\", \"answers\": [\"pulmonary embolism\", \"pe\"]}\n"
                + "{\"id\": \"b\", \"answer\": \"no\", \"answer_type\": \"closed\"}\n");
        Path preds = dir.resolve("p.jsonl");
        Files.writeString(preds, "{\"id\": \"a\", \"prediction\": \"PE\"}\n{\"id\": \"b\", \"text\": \"normal\"}\n");
        Run r = run("evaluate", "--gold", gold.toString(), "--predictions", preds.toString(), "--json",
                "--metric", "vqa-med-accuracy,llava_closed_accuracy_published", "--metric", "llava_closed_accuracy");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(0.5, o.getAsJsonObject("overall").get("vqa_med_accuracy").getAsDouble(), 1e-12);
        // "normal" for "no": the published script counts it right ("no" is in "normal"), the fixed one not
        assertEquals(1.0, o.getAsJsonObject("closed").get("llava_closed_accuracy_published").getAsDouble(), 1e-12);
        assertEquals(0.0, o.getAsJsonObject("closed").get("llava_closed_accuracy").getAsDouble(), 1e-12);
        assertFalse(o.getAsJsonObject("overall").has("vqa_med_bleu"));
    }

    @Test
    void badInputIsOneLineAndNonZero() throws IOException {
        Path preds = dir.resolve("bad.jsonl");
        Files.writeString(preds, "{\"id\": \"phantom-00000\", \"answer\": \"yes\"}\n{\"id\": \"phantom-00001\" \"answer\": 1}\n");
        Run r = run("evaluate", "--format", "phantoms", "10:1", "--predictions", preds.toString());
        assertEquals(1, r.code());
        assertTrue(oneLine(r.err()) && r.err().contains(preds + ":2: malformed JSON"), r.err());

        Files.writeString(preds, "{\"id\": \"phantom-99999\", \"answer\": \"yes\"}\n");
        r = run("evaluate", "--format", "phantoms", "10:1", "--predictions", preds.toString());
        assertEquals(1, r.code());
        assertTrue(oneLine(r.err()) && r.err().contains(preds + ":1: id 'phantom-99999' is not among the 10 questions scored"), r.err());

        r = run("evaluate", "--format", "phantoms", "10:1", "--predictions", dir.resolve("none.jsonl").toString());
        assertEquals(1, r.code());
        assertTrue(oneLine(r.err()) && r.err().contains("none.jsonl: predictions file not found"), r.err());

        r = run("evaluate", "--format", "phantoms", "ten:1", "--predictions", preds.toString());
        assertEquals(1, r.code());
        assertTrue(oneLine(r.err()) && r.err().contains("expected COUNT:SEED"), r.err());

        r = run("evaluate", "--predictions", preds.toString());
        assertEquals(1, r.code());
        assertTrue(oneLine(r.err()), r.err());

        r = run("evaluate", "--format", "phantoms", "10:1", "--predictions", preds.toString(), "--metric", "bleu4");
        assertEquals(2, r.code());
        assertTrue(oneLine(r.err()) && r.err().contains("unknown metric 'bleu4'"), r.err());

        r = run("evaluate", "--gold", dir.resolve("g.jsonl").toString(), "--predictions", preds.toString());
        assertEquals(1, r.code());
        assertTrue(oneLine(r.err()) && r.err().contains("g.jsonl: reference answers file not found"), r.err());

        r = run("evaluate", "--format", "phantoms", "10:1", "--split", "validate", "--predictions", preds.toString());
        assertEquals(1, r.code());
        assertTrue(oneLine(r.err()) && r.err().contains("no questions to score in split 'validate'"), r.err());
    }

    @Test
    void anEmptyPredictionsFileScoresZeroUnderEveryMetric() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
        StringBuilder all = new StringBuilder();
        for (org.medvlm.metrics.Metric m : org.medvlm.metrics.Metric.values()) {
            all.append(all.length() == 0 ? "" : ",").append(m.key());
        }
        Run r = run("evaluate", "--format", "phantoms", "200:7", "--split", "test", "--predictions", empty.toString(),
                "--metric", all.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(o.get("questions").getAsInt(), o.get("missing").getAsInt());
        for (String group : List.of("overall", "closed", "open")) {
            for (var e : o.getAsJsonObject(group).entrySet()) {
                if (!e.getKey().equals("questions")) {
                    assertEquals(0.0, e.getValue().getAsDouble(), group + " " + e.getKey());
                }
            }
        }
    }

    @Test
    void predictionsThatCannotBeReadNameTheFile() throws Exception {
        Path latin1 = Files.write(dir.resolve("latin1.jsonl"),
                "{\"id\": \"phantom-00000\", \"answer\": \"caf\u00e9\"}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Run r = run("evaluate", "--format", "phantoms", "10:1", "--predictions", latin1.toString());
        assertEquals(1, r.code());
        assertEquals("medvlm evaluate: " + latin1 + ": not UTF-8 text (near line 1)", r.err().strip());
        Path folder = Files.createDirectory(dir.resolve("preds.jsonl"));
        r = run("evaluate", "--format", "phantoms", "10:1", "--predictions", folder.toString());
        assertEquals("medvlm evaluate: " + folder + ": is a folder, not a file", r.err().strip());
        Path deep = Files.writeString(dir.resolve("deep.jsonl"), "[".repeat(100_000) + "]".repeat(100_000) + "\n");
        r = run("evaluate", "--format", "phantoms", "10:1", "--predictions", deep.toString());
        assertEquals(1, r.code());
        assertTrue(oneLine(r.err()) && r.err().contains(deep + ":1: malformed JSON (nested deeper than 64 levels"), r.err());
        Path gold = Files.writeString(dir.resolve("gold.jsonl"), "{\"id\": \"1\", \"answers\": " + "[".repeat(1000) + "]".repeat(1000) + "}\n");
        r = run("evaluate", "--gold", gold.toString(), "--predictions", latin1.toString());
        assertEquals(1, r.code());
        assertTrue(oneLine(r.err()) && r.err().contains(gold + ":1: malformed JSON"), r.err());
        Path fifo = dir.resolve("pipe.jsonl");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            r = run("evaluate", "--format", "phantoms", "10:1", "--predictions", fifo.toString());
            assertEquals("medvlm evaluate: " + fifo + ": not a regular file (a named pipe, device or socket): not read", r.err().strip());
        }
    }

    /** The shipped built-in model answers phantoms of a seed it never saw; its answers are saved and score the same. */
    @Test
    void theBuiltInModelAnswersAndIsScored() throws IOException {
        Path saved = dir.resolve("answers.jsonl");
        Run r = run("evaluate", "--format", "phantoms", "300:4242", "--split", "test", "--builtin",
                "--save-predictions", saved.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(0, o.get("missing").getAsInt());
        double closed = o.getAsJsonObject("closed").get("llava_closed_accuracy").getAsDouble();
        double open = o.getAsJsonObject("open").get("llava_open_recall").getAsDouble();
        assertTrue(closed >= 0.95 && open >= 0.85, "closed " + closed + ", open " + open + " on phantoms 300:4242");
        assertEquals(o.get("questions").getAsInt(), Files.readAllLines(saved).size());
        Run again = run("evaluate", "--format", "phantoms", "300:4242", "--split", "test", "--predictions", saved.toString(), "--json");
        assertEquals(0, again.code(), again.err());
        assertEquals(o.get("overall"), JsonParser.parseString(again.out()).getAsJsonObject().get("overall"));
        // the answers' file is new: an existing one is refused before the model runs, and left as it was
        Run exists = run("evaluate", "--format", "phantoms", "300:4242", "--builtin", "--save-predictions", saved.toString());
        assertEquals(Medvlm.EXIT_INPUT, exists.code());
        assertTrue(oneLine(exists.err()) && exists.err().contains(saved.toString()), exists.err());
        Run two = run("evaluate", "--format", "phantoms", "300:4242", "--builtin", "--predictions", saved.toString());
        assertEquals(Medvlm.EXIT_INPUT, two.code());
        assertTrue(oneLine(two.err()) && two.err().contains("one of them"), two.err());
    }
}
