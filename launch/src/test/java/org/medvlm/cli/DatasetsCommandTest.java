package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import org.medvlm.data.LoadReport;
import org.medvlm.testing.Shared;
import tech.tablesaw.api.Table;

class DatasetsCommandTest {
    @TempDir Path dir;

    /** A display that records what commands show, as the notebook kernel would. */
    private static int run(RecordingDisplay d, String... args) {
        return Medvlm.commandLine(d).execute(args);
    }

    private Path slakeFixture() throws IOException {
        Files.writeString(dir.resolve("train.json"), "[{\"img_name\":\"xmlab0/source.jpg\",\"question\":\"Is it CT?\","
                + "\"answer\":\"Yes\",\"q_lang\":\"en\",\"answer_type\":\"CLOSED\",\"qid\":0},"
                + "{\"img_name\":\"xmlab0/source.jpg\",\"question\":\"是CT吗?\",\"answer\":\"是的\",\"q_lang\":\"zh\","
                + "\"answer_type\":\"CLOSED\",\"qid\":1},"
                + "{\"img_name\":\"../../x.jpg\",\"question\":\"Which organ?\",\"answer\":\"Lung\",\"q_lang\":\"en\","
                + "\"answer_type\":\"OPEN\",\"qid\":2}]");
        Files.writeString(dir.resolve("test.json"), "[{\"img_name\":\"xmlab1/source.jpg\",\"question\":\"Which organ?\","
                + "\"answer\":\"Liver\",\"q_lang\":\"en\",\"answer_type\":\"OPEN\",\"qid\":3}]");
        return dir;
    }

    @Test
    void statsJsonHasExactlyTheSpecifiedShape() throws IOException {
        RecordingDisplay d = new RecordingDisplay(false);
        int code = run(d, "datasets", "stats", "--format", "slake", slakeFixture().toString(), "--json");
        assertEquals(0, code, d.err.toString());
        JsonObject o = JsonParser.parseString(d.out.toString().strip()).getAsJsonObject();
        assertEquals(List.of("records", "splits", "answer_types", "languages", "skipped", "skipped_reasons"),
                List.copyOf(o.keySet()));
        assertEquals(3, o.get("records").getAsInt());
        assertEquals("{\"train\":2,\"test\":1}", o.get("splits").toString());
        assertEquals("{\"closed\":2,\"open\":1}", o.get("answer_types").toString());
        assertEquals("{\"en\":2,\"zh\":1}", o.get("languages").toString());
        assertEquals(1, o.get("skipped").getAsInt());
        assertEquals("{\"" + LoadReport.ESCAPES_ROOT + "\":1}", o.get("skipped_reasons").toString());
    }

    @Test
    void statsWithSplitAndLanguage() throws IOException {
        RecordingDisplay d = new RecordingDisplay(false);
        assertEquals(0, run(d, "medvqa", "stats", "--format", "slake", slakeFixture().toString(), "--split", "train",
                "--lang", "zh", "--json"));
        JsonObject o = JsonParser.parseString(d.out.toString().strip()).getAsJsonObject();
        assertEquals(1, o.get("records").getAsInt());
        assertEquals("{\"zh\":1}", o.get("languages").toString());
    }

    @Test
    void realSlakeCountsThroughTheCommand() {
        Path slake = Shared.path("external/medvqa/slake/xiaoman-zhang__PMC-VQA/Slake1.0");
        RecordingDisplay d = new RecordingDisplay(false);
        assertEquals(0, run(d, "datasets", "stats", "--format", "slake", slake.toString(), "--lang", "en", "--json"));
        // computed independently with Python: Counter(r['answer_type'] for s in splits for r in json.load(...) if r['q_lang']=='en')
        assertEquals("{\"records\":7033,\"splits\":{\"train\":4919,\"validate\":1053,\"test\":1061},"
                + "\"answer_types\":{\"closed\":2781,\"open\":4252},\"languages\":{\"en\":7033},\"skipped\":0,\"skipped_reasons\":{}}",
                d.out.toString().strip());
    }

    @Test
    void badInputIsOneLineAndNonZero() throws IOException {
        Path bad = Files.writeString(dir.resolve("validate.json"), "[{\"qid\": ");
        RecordingDisplay d = new RecordingDisplay(false);
        assertEquals(Medvlm.EXIT_INPUT, run(d, "datasets", "stats", "--format", "slake", bad.toString(), "--json"));
        String err = d.err.toString();
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.startsWith("medvlm medvqa stats: " + bad + ": malformed JSON"), err);
        assertEquals("", d.out.toString());

        Path csv = Files.writeString(dir.resolve("train.csv"), "Figure_path,Question\nx.jpg,q\n");
        RecordingDisplay d2 = new RecordingDisplay(false);
        assertEquals(Medvlm.EXIT_INPUT, run(d2, "datasets", "stats", "--format", "pmc-vqa", csv.toString(), "--json"));
        assertTrue(d2.err.toString().startsWith("medvlm medvqa stats: " + csv + ": missing column 'Answer'"), d2.err.toString());

        RecordingDisplay d3 = new RecordingDisplay(false);
        assertEquals(Medvlm.EXIT_INPUT, run(d3, "datasets", "stats", "--format", "mimic", dir.toString(), "--json"));
        assertEquals("medvlm medvqa stats: unknown dataset format 'mimic'; known: vqa-rad, slake, pathvqa, vqa-med-2019, "
                + "vqa-med-2020, vqa-med-2021, pmc-vqa, pmc-oa, roco, phantoms", d3.err.toString().strip());

        RecordingDisplay d4 = new RecordingDisplay(false);
        assertEquals(Medvlm.EXIT_INPUT, run(d4, "datasets", "stats", "--format", "vqa-rad", dir.resolve("nope").toString()));
        assertEquals("medvlm medvqa stats: " + dir.resolve("nope") + ": no such file or folder", d4.err.toString().strip());

        RecordingDisplay d5 = new RecordingDisplay(false);
        assertEquals(0, run(d5, "datasets", "stats", "--format", "phantoms", "200:7", "--json"), d5.err.toString());
        var stats = JsonParser.parseString(d5.out.toString().strip()).getAsJsonObject();
        assertEquals(200, stats.get("records").getAsInt());
        var types = stats.getAsJsonObject("answer_types");
        assertEquals(200, types.get("closed").getAsInt() + types.get("open").getAsInt());
        assertEquals(0, stats.get("skipped").getAsInt());
    }

    @Test
    void loadAsNameThenShowAndStatsInTheSameTree() throws IOException {
        RecordingDisplay d = new RecordingDisplay(true);
        var cl = Medvlm.commandLine(d);
        assertEquals(0, cl.execute("medvqa", "load", "slake", slakeFixture().toString(), "as", "sl"), d.err.toString());
        assertTrue(DatasetCatalog.of(d).contains("sl"));
        assertTrue(d.out.toString().contains("loaded sl: slake: 3 records"), d.out.toString());

        d.shown.clear();
        assertEquals(0, cl.execute("medvqa", "show", "sl", "--n", "2", "--where", "language=en"), d.err.toString());
        Table t = assertInstanceOf(Table.class, d.shown.get(0));
        assertEquals(2, t.rowCount());
        assertEquals("thumbnail", t.columnNames().get(0));
        assertEquals(List.of("en", "en"), t.stringColumn("language").asList());

        // a fresh tree over the same kernel display still sees the catalog the display provides
        RecordingDisplay same = d;
        same.out.getBuffer().setLength(0);
        assertEquals(0, run(same, "medvqa", "stats", "sl", "--json"));
        assertEquals(3, JsonParser.parseString(same.out.toString().strip()).getAsJsonObject().get("records").getAsInt());

        RecordingDisplay other = new RecordingDisplay(false);
        assertEquals(Medvlm.EXIT_INPUT, run(other, "medvqa", "stats", "sl"));
        assertTrue(other.err.toString().contains("no dataset named 'sl' is loaded"), other.err.toString());
    }

    @Test
    void showInTheTerminalPrintsATableWithoutThumbnails() throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        TerminalDisplay d = new TerminalDisplay(new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, Medvlm.commandLine(d).execute("datasets", "show", "--format", "slake", slakeFixture().toString(), "--n", "1"));
        assertTrue(out.toString().contains("Is it CT?"), out.toString());
        assertFalse(out.toString().contains("data:image"), out.toString());
        assertTrue(out.toString().contains("1 of 3 records"), out.toString());
    }

    @Test
    void showRefusesAWhereOnAFieldNoRecordHas() throws IOException {
        RecordingDisplay d = new RecordingDisplay(false);
        assertEquals(Medvlm.EXIT_INPUT, run(d, "medvqa", "show", "--format", "slake", slakeFixture().toString(), "--where", "organn=Lung"));
        assertTrue(d.err.toString().startsWith("medvlm medvqa show: --where organn=Lung: no record has a field 'organn'"), d.err.toString());
    }

    @Test
    void loadRefusesAMalformedAsClause() throws IOException {
        RecordingDisplay d = new RecordingDisplay(false);
        assertEquals(Medvlm.EXIT_USAGE, run(d, "medvqa", "load", "slake", slakeFixture().toString(), "named", "x"));
        assertTrue(d.err.toString().contains("expected 'as NAME'"), d.err.toString());
    }

    @Test
    void hostileDatasetsAreOneLineAndQuick() throws IOException {
        Files.writeString(dir.resolve("train.json"), "[".repeat(100_000) + "]".repeat(100_000));
        for (String[] args : List.of(
                new String[] {"medvqa", "stats", "--format", "slake", dir.toString()},
                new String[] {"medvqa", "load", "slake", dir.toString()},
                new String[] {"medvqa", "show", "--format", "phantoms", "2000000000:7"},
                new String[] {"medvqa", "stats", "--format", "phantoms", "10000000:7"},
                new String[] {"datasets", "stats", "--format", "vqa-rad", "/dev/zero"})) {
            RecordingDisplay d = new RecordingDisplay(false);
            long start = System.nanoTime();
            int code = run(d, args);
            assertEquals(1, code, String.join(" ", args) + ": " + d.err);
            String err = d.err.toString().strip();
            assertFalse(err.contains("\n"), err);
            assertTrue(err.contains(dir + "/train.json: malformed JSON: nested deeper than 64 levels") || err.contains("phantoms: the count must be 1 to 200000")
                    || err.contains("/dev/zero: not a regular file"), err);
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "took more than 10 s: " + String.join(" ", args));
        }
    }
}
