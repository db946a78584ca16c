package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.dicom.DicomFixture;
import org.medvlm.dicom.Tags;
import org.medvlm.vlm.AttentionMap;

/**
 * {@code vlm explain IMAGE "question"}: the answer with where the model looked, as text, JSON ({@code --json}: answer,
 * peak, grid, heat) or an overlay PNG ({@code --png}, written atomically); the image is read as {@code vlm ask}
 * reads it (DICOM included); bad input is one line and exit 1, a usage error exit 2.
 */
class VlmExplainCommandTest {
    @TempDir
    Path dir;

    @Test
    void jsonHasTheAnswerThePeakInsideTheImageAndTheHeatGrid() throws Exception {
        Path png = VlmCommandTest.writePng(dir); // 80 x 60
        CliRun run = CliRun.of("vlm", "explain", png.toString(), "Is there a lesion?", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject o = JsonParser.parseString(run.out().strip()).getAsJsonObject();
        assertEquals("Is there a lesion?", o.get("question").getAsString());
        assertTrue(o.has("answer"), run.out());
        double x = o.getAsJsonObject("peak").get("x").getAsDouble();
        double y = o.getAsJsonObject("peak").get("y").getAsDouble();
        assertTrue(x >= 0 && x <= 80 && y >= 0 && y <= 60, "peak (" + x + ", " + y + ") outside the 80x60 image");
        int grid = o.get("grid").getAsInt();
        assertTrue(grid > 1, run.out());
        JsonArray heat = o.getAsJsonArray("heat");
        assertEquals(grid, heat.size());
        double max = 0;
        for (var row : heat) {
            assertEquals(grid, row.getAsJsonArray().size());
            for (var v : row.getAsJsonArray()) {
                assertTrue(v.getAsDouble() >= 0 && v.getAsDouble() <= 1, row.toString());
                max = Math.max(max, v.getAsDouble());
            }
        }
        assertEquals(1.0, max, 1e-3, "the heat map is scaled so its maximum is 1");
        assertEquals("", run.err());
    }

    @Test
    void textNamesTheAnswerAndThePeakAndPngWritesTheOverlayAtomically() throws Exception {
        Path png = VlmCommandTest.writePng(dir);
        Path out = dir.resolve("where.png");
        CliRun run = CliRun.of("vlm", "explain", png.toString(), "Which organ?", "--png", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().strip().lines().toList();
        assertEquals(3, lines.size(), run.out());
        assertTrue(lines.get(1).startsWith("attention peak at x="), run.out());
        assertTrue(lines.get(2).startsWith("wrote " + out), run.out());
        BufferedImage overlay = ImageIO.read(out.toFile());
        assertTrue(overlay.getWidth() >= 224 && overlay.getWidth() == overlay.getHeight(), overlay.toString());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("scan.png", "where.png"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file is left");
        }
    }

    @Test
    void theNotebookGetsTheAttentionMapItself() throws Exception {
        Path png = VlmCommandTest.writePng(dir);
        RecordingDisplay display = new RecordingDisplay(true);
        assertEquals(0, display.run("vlm", "explain", png.toString(), "Is there a lesion?"), display.err.toString());
        assertEquals(1, display.shown.size());
        AttentionMap map = (AttentionMap) display.shown.get(0);
        assertEquals("Is there a lesion?", map.question());
        assertEquals(80, map.image().getWidth());
    }

    @Test
    void dicomIsReadLikeAskAndACtWindowOnAnMrImageIsWarnedAbout() throws Exception {
        Path mr = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE)
                .string(Tags.MODALITY, "CS", "MR")
                .image(4, 4, 1, 1, 16, 16, false, "MONOCHROME2")
                .nativePixels(new long[] {0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300, 1400, 1500}, 16)
                .write(dir.resolve("head.dcm"));
        CliRun plain = CliRun.of("vlm", "explain", mr.toString(), "Which organ?", "--json");
        assertEquals(0, plain.exitCode(), plain.err());
        assertEquals("", plain.err());
        CliRun brain = CliRun.of("vlm", "explain", mr.toString(), "Which organ?", "--window", "brain", "--json");
        assertEquals(0, brain.exitCode(), brain.err());
        assertTrue(brain.errIsOneLine(), brain.err());
        assertTrue(brain.err().contains("head.dcm: warning: --window brain is a CT window in Hounsfield units, but the image's modality is MR,"),
                brain.err());
        CliRun ask = CliRun.of("vlm", "ask", mr.toString(), "Which organ?", "--window", "brain", "--max-new-tokens", "2");
        assertEquals(0, ask.exitCode(), ask.err());
        assertTrue(ask.err().contains("--window brain is a CT window"), "vlm ask warns the same way: " + ask.err());
    }

    @Test
    void aCtWindowThatAllValuesLieAboveIsWarnedAboutToo() throws Exception {
        // CT without a rescale: stored values 3000..3015 read as HU lie above every preset's window
        long[] values = new long[16];
        Arrays.setAll(values, i -> 3000 + i);
        Path ct = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE)
                .string(Tags.MODALITY, "CS", "CT")
                .image(4, 4, 1, 1, 16, 16, false, "MONOCHROME2")
                .nativePixels(values, 16)
                .write(dir.resolve("ct.dcm"));
        CliRun run = CliRun.of("vlm", "explain", ct.toString(), "Is there a lesion?", "--window", "lung", "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("every value (3000 to 3015) lies above the lung window"), run.err());
    }

    @Test
    void badInputIsOneLineWithExitOneAndUsageErrorsExitTwo() throws Exception {
        Path png = VlmCommandTest.writePng(dir);
        CliRun missing = CliRun.of("vlm", "explain", dir.resolve("nope.png").toString(), "what?");
        assertEquals(Medvlm.EXIT_INPUT, missing.exitCode());
        assertTrue(missing.errIsOneLine() && missing.err().contains("nope.png: no such image file"), missing.err());

        byte[] whole = Files.readAllBytes(png);
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(whole, whole.length / 2));
        CliRun truncated = CliRun.of("vlm", "explain", cut.toString(), "what?");
        assertEquals(Medvlm.EXIT_INPUT, truncated.exitCode());
        assertTrue(truncated.errIsOneLine() && truncated.err().contains("cut.png: "), truncated.err());
        CliRun askTruncated = CliRun.of("vlm", "ask", cut.toString(), "what?");
        assertEquals(Medvlm.EXIT_INPUT, askTruncated.exitCode(), "vlm ask reads images the same careful way");
        assertTrue(askTruncated.errIsOneLine() && askTruncated.err().contains("cut.png: truncated or corrupt image"),
                askTruncated.err());

        CliRun noQuestion = CliRun.of("vlm", "explain", png.toString());
        assertEquals(Medvlm.EXIT_USAGE, noQuestion.exitCode());
        assertTrue(noQuestion.errIsOneLine() && noQuestion.err().contains("QUESTION"), noQuestion.err());

        Path folder = Files.createDirectory(dir.resolve("a-folder"));
        CliRun toFolder = CliRun.of("vlm", "explain", png.toString(), "what?", "--png", folder.toString());
        assertEquals(Medvlm.EXIT_INPUT, toFolder.exitCode());
        assertTrue(toFolder.errIsOneLine() && toFolder.err().contains("--png " + folder + ": is a folder"), toFolder.err());
        assertEquals("", toFolder.out());

        CliRun badModel = CliRun.of("vlm", "explain", png.toString(), "what?", "--model", dir.resolve("no-model").toString());
        assertEquals(Medvlm.EXIT_INPUT, badModel.exitCode());
        assertTrue(badModel.errIsOneLine() && badModel.err().contains("no-model: no such model folder"), badModel.err());

        CliRun pngWindow = CliRun.of("vlm", "explain", png.toString(), "what?", "--window", "lung");
        assertEquals(Medvlm.EXIT_INPUT, pngWindow.exitCode());
        assertTrue(pngWindow.err().contains("--window applies to DICOM files only"), pngWindow.err());
        assertFalse(Files.exists(dir.resolve("where.png")));
    }
}
