package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.vlm.Answer;
import org.medvlm.vlm.AnswerTable;
import tech.tablesaw.api.Table;

class VlmCommandTest {

    static Path writePng(Path dir) throws IOException {
        BufferedImage img = new BufferedImage(80, 60, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.DARK_GRAY);
        g.fillRect(0, 0, 80, 60);
        g.setColor(Color.WHITE);
        g.fillOval(10, 10, 30, 25);
        g.dispose();
        Path png = dir.resolve("scan.png");
        ImageIO.write(img, "png", png.toFile());
        return png;
    }

    @Test
    void asksTheBuiltinModelAboutAPngAsJson(@TempDir Path dir) throws IOException {
        Path png = writePng(dir);
        CliRun run = CliRun.of("vlm", "ask", png.toString(), "Is there a lesion?", "--max-new-tokens", "4", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject o = JsonParser.parseString(run.out().strip()).getAsJsonObject();
        assertEquals("Is there a lesion?", o.get("question").getAsString());
        assertTrue(o.get("tokens").getAsInt() <= 4, run.out());
        assertEquals(png.toString(), o.get("image").getAsString());
        // deterministic: the same call gives the same answer
        CliRun again = CliRun.of("vlm", "ask", png.toString(), "Is there a lesion?", "--max-new-tokens", "4", "--json");
        assertEquals(o.get("answer"), JsonParser.parseString(again.out().strip()).getAsJsonObject().get("answer"));
    }

    @Test
    void loadPrintsPartsAndParameterCounts() {
        CliRun run = CliRun.of("vlm", "load", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject o = JsonParser.parseString(run.out().strip()).getAsJsonObject();
        assertEquals("qformer", o.get("fusion").getAsString());
        JsonObject parts = o.getAsJsonObject("parts");
        long sum = 0;
        for (String part : parts.keySet()) {
            assertTrue(parts.get(part).getAsLong() > 0, part);
            sum += parts.get(part).getAsLong();
        }
        assertTrue(parts.has("vision_model") && parts.has("language_model"), parts.toString());
        assertEquals(o.get("parameters").getAsLong(), sum);
        CliRun gated = CliRun.of("vlm", "load", "--fusion", "gated");
        assertEquals(0, gated.exitCode(), gated.err());
        assertTrue(gated.out().contains("gated"), gated.out());
    }

    @Test
    void missingImageAndBadModelFolderAreOneLine(@TempDir Path dir) throws IOException {
        CliRun missing = CliRun.of("vlm", "ask", dir.resolve("nope.png").toString(), "what?");
        assertEquals(Medvlm.EXIT_INPUT, missing.exitCode());
        assertTrue(missing.errIsOneLine(), missing.err());
        assertTrue(missing.err().contains("nope.png: no such image file"), missing.err());

        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image");
        CliRun notImage = CliRun.of("vlm", "ask", text.toString(), "what?");
        assertEquals(Medvlm.EXIT_INPUT, notImage.exitCode());
        assertTrue(notImage.errIsOneLine() && notImage.err().contains("not a readable image"), notImage.err());

        Path png = writePng(dir);
        CliRun noFolder = CliRun.of("vlm", "ask", png.toString(), "what?", "--model", dir.resolve("model").toString());
        assertEquals(Medvlm.EXIT_INPUT, noFolder.exitCode());
        assertTrue(noFolder.errIsOneLine() && noFolder.err().contains("no such model folder"), noFolder.err());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRun noConfig = CliRun.of("vlm", "load", empty.toString());
        assertEquals(Medvlm.EXIT_INPUT, noConfig.exitCode());
        assertTrue(noConfig.errIsOneLine() && noConfig.err().contains("config.json"), noConfig.err());

        CliRun neither = CliRun.of("vlm", "ask");
        assertEquals(Medvlm.EXIT_INPUT, neither.exitCode());
        assertTrue(neither.errIsOneLine(), neither.err());
    }

    /** A display like the notebook's: keeps what it is shown. */
    @Test
    void inANotebookTheLoadedModelStaysAndAnswersAreRich(@TempDir Path dir) throws IOException {
        RecordingDisplay display = new RecordingDisplay(true);
        assertEquals(0, Medvlm.commandLine(display).execute("vlm", "load", "--builtin"), display.err.toString());
        VlmSession session = VlmSession.of(display);
        var model = session.model().orElseThrow();
        Path png = writePng(dir);
        assertEquals(0, Medvlm.commandLine(display).execute("vlm", "ask", png.toString(), "Which organ?"),
                display.err.toString());
        assertTrue(session.model().orElseThrow() == model, "the session keeps the loaded model");
        Answer answer = (Answer) display.shown.get(display.shown.size() - 1);
        assertEquals("Which organ?", answer.question());
        assertEquals(80, answer.image().getWidth());
        assertFalse(VlmSession.of(new RecordingDisplay(true)).model().isPresent(), "another display has its own session");
        session.close();
    }

    /** {@code --builtin} alone, before the image, or naming the fusion: the image stays the image. */
    @Test
    void builtinTakesAFusionOnlyWhenOneIsNamed(@TempDir Path dir) throws IOException {
        Path png = writePng(dir);
        String[][] forms = {{"--builtin", png.toString(), "Which organ?"}, {png.toString(), "Which organ?", "--builtin"},
            {"--builtin", "gated", png.toString(), "Which organ?"}, {"--builtin=GATED", png.toString(), "Which organ?"},
            {"--builtin=qformer", png.toString(), "Which organ?"}};
        org.medvlm.vlm.Fusion[] expected = {org.medvlm.vlm.Fusion.QFORMER, org.medvlm.vlm.Fusion.QFORMER,
            org.medvlm.vlm.Fusion.GATED, org.medvlm.vlm.Fusion.GATED, org.medvlm.vlm.Fusion.QFORMER};
        for (int i = 0; i < forms.length; i++) {
            RecordingDisplay display = new RecordingDisplay(true);
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("vlm", "ask"));
            args.addAll(java.util.List.of(forms[i]));
            assertEquals(0, Medvlm.commandLine(display).execute(args.toArray(String[]::new)), String.join(" ", forms[i])
                    + ": " + display.err);
            VlmSession session = VlmSession.of(display);
            assertEquals(expected[i], session.model().orElseThrow().config().fusion(), String.join(" ", forms[i]));
            session.close();
        }
        CliRun bad = CliRun.of("vlm", "ask", "--builtin=flamingo", png.toString(), "Which organ?");
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.errIsOneLine() && bad.err().contains("'flamingo'"), bad.err());
    }

    /** A VQA-RAD folder as distributed: the public JSON and the image folder, with three questions. */
    static Path vqaRad(Path dir) throws IOException {
        Path root = Files.createDirectories(dir.resolve("vqa-rad"));
        Path images = Files.createDirectories(root.resolve("VQA_RAD Image Folder"));
        Files.copy(writePng(dir), images.resolve("synpic1.png"));
        Files.copy(writePng(dir), images.resolve("synpic2.png"));
        Files.writeString(root.resolve("VQA_RAD Dataset Public.json"), """
                [{"qid": 1, "image_name": "synpic1.png", "question": "Is there a lesion?", "answer": "yes",
                  "answer_type": "CLOSED ", "phrase_type": "freeform", "image_organ": "CHEST"},
                 {"qid": 2, "image_name": "synpic2.png", "question": "Which side?", "answer": "left",
                  "answer_type": "OPEN", "phrase_type": "freeform", "image_organ": "CHEST"},
                 {"qid": 3, "image_name": "synpic1.png", "question": "Is it normal?", "answer": "No",
                  "answer_type": "CLOSED", "phrase_type": "test_freeform", "image_organ": "CHEST"}]
                """);
        return root;
    }

    @Test
    void answersDatasetExamplesWithTheTruth(@TempDir Path dir) throws IOException {
        Path rad = vqaRad(dir);
        CliRun run = CliRun.of("vlm", "ask", "--dataset", "vqa-rad:" + rad, "--n", "2", "--max-new-tokens", "3", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject o = JsonParser.parseString(run.out().strip()).getAsJsonObject();
        assertEquals(2, o.get("n").getAsInt());
        var answers = o.getAsJsonArray("answers");
        assertEquals("Is there a lesion?", answers.get(0).getAsJsonObject().get("question").getAsString());
        assertEquals("yes", answers.get(0).getAsJsonObject().get("truth").getAsString());
        int correct = 0;
        for (var a : answers) {
            correct += a.getAsJsonObject().get("correct").getAsBoolean() ? 1 : 0;
        }
        assertEquals(correct, o.get("correct").getAsInt());

        CliRun text = CliRun.of("vlm", "ask", "--dataset", "vqa-rad:" + rad, "--n", "5", "--max-new-tokens", "2");
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("truth") && text.out().contains("Which side?") && text.out().contains("correct"), text.out());

        CliRun unknown = CliRun.of("vlm", "ask", "--dataset", "nosuch", "--n", "2");
        assertEquals(Medvlm.EXIT_INPUT, unknown.exitCode());
        assertTrue(unknown.errIsOneLine() && unknown.err().contains("no dataset named 'nosuch'"), unknown.err());
        CliRun badFormat = CliRun.of("vlm", "ask", "--dataset", "mnist:/tmp", "--n", "2");
        assertEquals(Medvlm.EXIT_INPUT, badFormat.exitCode());
        assertTrue(badFormat.errIsOneLine() && badFormat.err().contains("unknown format 'mnist'"), badFormat.err());
    }

    @Test
    void inANotebookANamedDatasetGivesATableWithThumbnails(@TempDir Path dir) throws IOException {
        RecordingDisplay display = new RecordingDisplay(true);
        Path rad = vqaRad(dir);
        assertEquals(0, Medvlm.commandLine(display).execute("medvqa", "load", "vqa-rad", rad.toString(), "as", "rad"),
                display.err.toString());
        assertEquals(0, Medvlm.commandLine(display).execute("vlm", "ask", "--dataset", "rad", "--n", "16",
                "--max-new-tokens", "2"), display.err.toString());
        AnswerTable answers = (AnswerTable) display.shown.get(display.shown.size() - 1);
        assertEquals(3, answers.rows().size(), "all three examples (fewer than --n)");
        Table table = answers.table();
        assertTrue(table.stringColumn("thumbnail").get(0).startsWith("data:image/png;base64,"));
        assertEquals("yes", table.stringColumn("truth").get(0));
        assertTrue(List.of("✓", "✗").contains(table.stringColumn("✓/✗").get(2)));
        VlmSession.of(display).close();
    }

    @Test
    void asksAboutADicomFile(@TempDir Path dir) throws IOException {
        long[] samples = new long[16 * 16];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (i % 16) * 100; // a ramp from 0 to 1500, stored unsigned
        }
        Path ct = org.medvlm.dicom.DicomFixture.of(org.medvlm.dicom.DicomFixture.Syntax.EXPLICIT_LE)
                .string(org.medvlm.dicom.Tags.MODALITY, "CS", "CT")
                .image(16, 16, 1, 1, 16, 16, false, "MONOCHROME2")
                .string(org.medvlm.dicom.Tags.RESCALE_INTERCEPT, "DS", "-1024").string(org.medvlm.dicom.Tags.RESCALE_SLOPE, "DS", "1")
                .nativePixels(samples, 16)
                .write(dir.resolve("slice.dcm"));
        RecordingDisplay display = new RecordingDisplay(true);
        assertEquals(0, Medvlm.commandLine(display).execute("vlm", "ask", ct.toString(), "Which organ?", "--window", "lung",
                "--max-new-tokens", "2"), display.err.toString());
        Answer answer = (Answer) display.shown.get(0);
        assertEquals(16, answer.image().getWidth());
        // the lung window (centre -600, width 1500) puts -1024 HU (stored 0) at 22% grey, 476 HU above its top
        assertEquals(55, answer.image().getRGB(0, 0) & 0xFF, 1);
        assertEquals(255, answer.image().getRGB(15, 0) & 0xFF);
        // without --window the file's range is used: its lowest value is black
        assertEquals(0, Medvlm.commandLine(display).execute("vlm", "ask", ct.toString(), "Which organ?",
                "--max-new-tokens", "1"), display.err.toString());
        assertEquals(0, ((Answer) display.shown.get(1)).image().getRGB(0, 0) & 0xFF);
        VlmSession.of(display).close();

        Path png = writePng(dir);
        CliRun windowOnPng = CliRun.of("vlm", "ask", png.toString(), "what?", "--window", "lung");
        assertEquals(Medvlm.EXIT_INPUT, windowOnPng.exitCode());
        assertTrue(windowOnPng.errIsOneLine() && windowOnPng.err().contains("DICOM files only"), windowOnPng.err());
        Path fake = Files.writeString(dir.resolve("fake.dcm"), "not dicom");
        CliRun notDicom = CliRun.of("vlm", "ask", fake.toString(), "what?");
        assertEquals(Medvlm.EXIT_INPUT, notDicom.exitCode());
        assertTrue(notDicom.errIsOneLine() && notDicom.err().contains("fake.dcm"), notDicom.err());
    }

    @Test
    void asksAboutPhantoms() {
        CliRun run = CliRun.of("vlm", "ask", "--dataset", "phantoms:5:7", "--n", "3", "--max-new-tokens", "2", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject o = JsonParser.parseString(run.out().strip()).getAsJsonObject();
        assertEquals(3, o.get("n").getAsInt());
        var first = o.getAsJsonArray("answers").get(0).getAsJsonObject();
        var truth = org.medvlm.phantoms.Phantoms.generate(5, 7).get(0);
        assertEquals(truth.question(), first.get("question").getAsString());
        assertEquals(truth.answer(), first.get("truth").getAsString());
    }

    @Test
    void asksAModelFolder(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("model");
        try (org.medvlm.vlm.VisionLanguageModel builtin = org.medvlm.vlm.VisionLanguageModel.builtin()) {
            builtin.save(model);
        }
        Path png = writePng(dir);
        CliRun fromFolder = CliRun.of("vlm", "ask", png.toString(), "Which organ?", "--model", model.toString(), "--json");
        CliRun builtin = CliRun.of("vlm", "ask", png.toString(), "Which organ?", "--builtin", "--json");
        assertEquals(0, fromFolder.exitCode(), fromFolder.err());
        assertEquals(JsonParser.parseString(builtin.out().strip()).getAsJsonObject().get("answer"),
                JsonParser.parseString(fromFolder.out().strip()).getAsJsonObject().get("answer"));
        CliRun load = CliRun.of("vlm", "load", model.toString(), "--json");
        assertEquals(0, load.exitCode(), load.err());
        assertEquals(model.toString(), JsonParser.parseString(load.out().strip()).getAsJsonObject().get("source").getAsString());
        CliRun fusion = CliRun.of("vlm", "load", model.toString(), "--fusion", "gated");
        assertEquals(Medvlm.EXIT_INPUT, fusion.exitCode());
        assertTrue(fusion.errIsOneLine() && fusion.err().contains("--fusion applies to the built-in model"), fusion.err());
        CliRun both = CliRun.of("vlm", "ask", png.toString(), "q", "--model", model.toString(), "--builtin");
        assertEquals(Medvlm.EXIT_USAGE, both.exitCode());
        assertTrue(both.errIsOneLine(), both.err());
    }
}
