package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.dicom.DicomFixture;
import org.medvlm.dicom.HostileDicom;
import org.medvlm.dicom.Tags;
import org.medvlm.testing.Shared;
import tech.tablesaw.api.Table;

/** {@code medvlm dicom ...} run in-process, as the terminal and the notebook see it. */
class DicomCommandTest {
    @TempDir Path dir;

    record Run(int code, String out, String err, List<Object> shown) {}

    /** A display that records what was shown; {@code rich} as a notebook would say. */
    static Run run(boolean rich, String... args) {
        RecordingDisplay display = new RecordingDisplay(rich);
        int code = display.run(args);
        return new Run(code, display.out.toString(), display.err.toString(), display.shown);
    }

    private Path ct() throws Exception {
        // 2 x 3, signed, rescale 1 / -1024: stored -100, 0, 100 / 200, 300, 400
        return DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE)
                .string(0x0008_0016, "UI", "1.2.840.10008.5.1.4.1.1.2")
                .string(Tags.MODALITY, "CS", "CT")
                .string(Tags.PATIENT_NAME, "PN", "Doe^Jane")
                .image(2, 3, 1, 1, 16, 16, true, "MONOCHROME2")
                .string(Tags.RESCALE_INTERCEPT, "DS", "-1024").string(Tags.RESCALE_SLOPE, "DS", "1")
                .nativePixels(new long[] {-100 & 0xFFFF, 0, 100, 200, 300, 400}, 16)
                .write(dir.resolve("ct.dcm"));
    }

    @Test
    void infoJsonHasExactlyTheIssuesKeysAndValues() throws Exception {
        Run r = run(false, "dicom", "info", ct().toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals("{\"rows\":2,\"columns\":3,\"frames\":1,\"samples_per_pixel\":1,\"bits_allocated\":16,\"bits_stored\":16,"
                + "\"photometric\":\"MONOCHROME2\",\"transfer_syntax\":\"1.2.840.10008.1.2.1\",\"rescale_slope\":1.0,"
                + "\"rescale_intercept\":-1024.0,\"modality\":\"CT\",\"stored\":{\"min\":-100,\"max\":400,\"mean\":150.0},"
                + "\"modality_values\":{\"min\":-1124.0,\"max\":-624.0,\"mean\":-874.0},"
                + "\"pixels\":[[0,0,-100],[1,1,300],[1,2,400]]}\n", r.out());
    }

    @Test
    void infoJsonOnTheRealCtMatchesPydicom() {
        Path ct = Shared.path("external/dicom/CT_small.dcm");
        Run r = run(false, "dicom", "info", ct.toString(), "--json");
        // figures from pydicom 2.3.1 (see PydicomReferenceTest in datasets)
        assertEquals("{\"rows\":128,\"columns\":128,\"frames\":1,\"samples_per_pixel\":1,\"bits_allocated\":16,\"bits_stored\":16,"
                + "\"photometric\":\"MONOCHROME2\",\"transfer_syntax\":\"1.2.840.10008.1.2.1\",\"rescale_slope\":1.0,"
                + "\"rescale_intercept\":-1024.0,\"modality\":\"CT\",\"stored\":{\"min\":128,\"max\":2191,\"mean\":904.9261474609375},"
                + "\"modality_values\":{\"min\":-896.0,\"max\":1167.0,\"mean\":-119.0738525390625},"
                + "\"pixels\":[[0,0,175],[64,64,1928],[127,127,909]]}\n", r.out());
    }

    @Test
    void infoTextSaysTheSame() throws Exception {
        Run r = run(false, "dicom", "info", ct().toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("modality values: min -1124, max -624, mean -874"), r.out());
        assertTrue(r.out().contains("(0,0)=-100 (1,1)=300 (1,2)=400"), r.out());
        assertFalse(r.out().contains("Doe"), r.out());
    }

    @Test
    void renderWritesTheWindowedPng() throws Exception {
        Path png = dir.resolve("out/ct.png");
        // HU -1124 .. -624 in a window centred -874, width 501: from black to white
        Run r = run(false, "dicom", "render", ct().toString(), "--center", "-874", "--width", "501", "--png", png.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(3, img.getWidth());
        assertEquals(2, img.getHeight());
        assertEquals(0x000000, img.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xFFFFFF, img.getRGB(2, 1) & 0xFFFFFF);
        try (var files = Files.list(png.getParent())) {
            assertEquals(1, files.count(), "no temporary file left beside the PNG");
        }
        Run lung = run(false, "dicom", "render", ct().toString(), "--window", "lung", "--png", png.toString());
        assertEquals(0, lung.code(), lung.err());
        assertTrue(lung.out().contains("window center -600, width 1500"), lung.out());
        // -1124 HU lies inside the lung window (-1350 .. 150): dark grey, by the standard's linear function
        int g = ImageIO.read(png.toFile()).getRGB(0, 0) & 0xFF;
        assertEquals(Math.round(((-1124 + 600.5) / 1499 + 0.5) * 255), g);
        assertTrue(lung.err().isEmpty(), "values inside a CT window: no warning: " + lung.err());
        // a CT window on MR data and one above every value: rendered, with one warning line naming the file
        Path mr = Shared.path("external/dicom/MR_small.dcm");
        Run onMr = run(false, "dicom", "render", mr.toString(), "--window", "lung", "--png", dir.resolve("mr.png").toString());
        assertEquals(0, onMr.code(), onMr.err());
        assertTrue(onMr.err().strip().lines().count() == 1 && onMr.err().startsWith(mr + ": warning:")
                && onMr.err().contains("modality is MR"), onMr.err());
        Run flat = run(false, "dicom", "render", ct().toString(), "--window", "bone", "--png", png.toString());
        assertEquals(0, flat.code(), flat.err());
        assertTrue(flat.err().contains("lies below the bone window"), flat.err());
    }

    @Test
    void notebookFormShowsImageAndMaskedTable() throws Exception {
        Run r = run(true, "dicom", ct().toString(), "--window", "brain");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, r.shown().size());
        BufferedImage img = (BufferedImage) r.shown().get(0);
        assertEquals(BufferedImage.TYPE_INT_RGB, img.getType());
        Table table = (Table) r.shown().get(1);
        assertFalse(table.printAll().contains("Doe"), table.printAll());
        Run phi = run(true, "dicom", "show", ct().toString(), "--show-phi");
        assertTrue(((Table) phi.shown().get(1)).printAll().contains("Doe^Jane"));
    }

    @Test
    void badInputIsOneLineNamingTheFile() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.dcm"), "not an image\n");
        Run r = run(false, "dicom", "info", text.toString(), "--json");
        assertEquals(Medvlm.EXIT_INPUT, r.code());
        assertEquals("medvlm dicom info: " + text + ": not a DICOM file (only 13 bytes, no 'DICM' marker and no DICOM element at the start)",
                r.err().strip());
        byte[] whole = Files.readAllBytes(ct());
        Path cut = Files.write(dir.resolve("cut.dcm"), java.util.Arrays.copyOf(whole, whole.length - 3));
        Run t = run(false, "dicom", "render", cut.toString(), "--png", dir.resolve("x.png").toString());
        assertEquals(Medvlm.EXIT_INPUT, t.code());
        assertTrue(t.err().startsWith("medvlm dicom render: " + cut + ": truncated: element (7FE0,0010)"), t.err());
        assertFalse(t.err().strip().contains("\n"));
        assertFalse(Files.exists(dir.resolve("x.png")));
    }

    @Test
    void windowOptionsAreChecked() throws Exception {
        String f = ct().toString();
        assertEquals(Medvlm.EXIT_USAGE, run(false, "dicom", "render", f, "--window", "liver", "--png", "x.png").code());
        assertEquals(Medvlm.EXIT_USAGE, run(false, "dicom", "render", f, "--center", "40", "--png", "x.png").code());
        Run noFileWindow = run(false, "dicom", "render", f, "--window", "file", "--png", dir.resolve("x.png").toString());
        assertEquals(Medvlm.EXIT_INPUT, noFileWindow.code());
        assertTrue(noFileWindow.err().contains("has no WindowCenter/WindowWidth"), noFileWindow.err());
        Run frame = run(false, "dicom", "render", f, "--frame", "3", "--png", dir.resolve("x.png").toString());
        assertEquals(Medvlm.EXIT_INPUT, frame.code());
        assertTrue(frame.err().contains("frame 3 does not exist (the file has 1 frame, numbered from 0)"), frame.err());
    }

    @Test
    void headerJsonMasksUnlessAsked() throws Exception {
        Run masked = run(false, "dicom", "header", ct().toString(), "--json");
        assertTrue(masked.out().contains("{\"tag\":\"(0010,0010)\",\"keyword\":\"PatientName\",\"vr\":\"PN\",\"value\":\"<masked>\",\"masked\":true,\"why\":\"PS3.15 E.1-1 Z\"}"),
                masked.out());
        Run shown = run(false, "dicom", "header", ct().toString(), "--json", "--show-phi");
        assertTrue(shown.out().contains("\"value\":\"Doe^Jane\""), shown.out());
    }

    @Test
    void noAttributeOfTheProfileIsShownUnlessTheRawHeaderIsAskedFor() throws Exception {
        for (DicomFixture.Syntax syntax : DicomFixture.Syntax.values()) {
            Path f = Files.write(dir.resolve("all-" + syntax + ".dcm"), HostileDicom.everyProfileAttribute(syntax, false));
            Run json = run(false, "dicom", "header", f.toString(), "--json");
            assertEquals(0, json.code(), json.err());
            assertFalse(json.out().contains(HostileDicom.SECRET), syntax + ": " + json.out());
            com.google.gson.JsonArray rows = JsonParser.parseString(json.out()).getAsJsonArray();
            long masked = 0;
            for (var row : rows) {
                JsonObject o = row.getAsJsonObject();
                if (o.get("masked").getAsBoolean()) {
                    masked++;
                    assertFalse(o.get("why").getAsString().isEmpty(), o.toString());
                }
            }
            assertTrue(masked > 550, syntax + ": " + masked + " masked");
            Run text = run(false, "dicom", "header", f.toString());
            assertFalse(text.out().contains(HostileDicom.SECRET), text.out());
            assertTrue(text.out().contains("identifying values masked; --show-phi shows them"), text.out().substring(0, 300));
            Run notebook = run(true, "dicom", f.toString());
            assertFalse(((Table) notebook.shown().get(1)).printAll().contains(HostileDicom.SECRET));
            Run raw = run(false, "dicom", "header", f.toString(), "--json", "--show-phi");
            assertTrue(raw.out().contains(HostileDicom.SECRET + "00080080"), "the raw header shows InstitutionName");
        }
        Path lo = Files.write(dir.resolve("as-lo.dcm"), HostileDicom.everyProfileAttribute(DicomFixture.Syntax.EXPLICIT_LE, true));
        Run asLo = run(false, "dicom", "header", lo.toString(), "--json");
        assertFalse(asLo.out().contains(HostileDicom.SECRET), "every VR written as LO: " + asLo.out());
    }

    @Test
    void hostileFilesAreOneLineAndNonZero() throws Exception {
        Path frames = Files.write(dir.resolve("frames.dcm"), HostileDicom.rleClaimingFrames(600_000_000));
        Path big = Files.write(dir.resolve("big.dcm"), HostileDicom.rleOfSize(9000, 9000));
        Path folder = Files.createDirectory(dir.resolve("folder.dcm"));
        List<String[]> cases = new ArrayList<>(List.of(
                new String[] {frames.toString(), frames + ": 1x1x1 samples in 600000000 frames is too many to decode"},
                new String[] {big.toString(), big + ": 9000x9000 pixels per frame is too large to decode"},
                new String[] {folder.toString(), folder + ": is a folder, not a file"},
                new String[] {"/dev/zero", "/dev/zero: not a regular file"}));
        Path fifo = dir.resolve("pipe.dcm");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            cases.add(new String[] {fifo.toString(), fifo + ": not a regular file"});
        }
        for (String[] c : cases) {
            // the header alone of a file that claims too much is readable; its pixels are not
            boolean headerReadable = c[0].equals(frames.toString()) || c[0].equals(big.toString());
            for (String sub : headerReadable ? List.of("info", "show") : List.of("info", "header", "show")) {
                Run r = run(sub.equals("show"), "dicom", sub, c[0]);
                assertEquals(Medvlm.EXIT_INPUT, r.code(), sub + " " + c[0] + ": " + r.err());
                assertTrue(r.err().startsWith("medvlm dicom " + sub + ": " + c[1]), r.err());
                assertFalse(r.err().strip().contains("\n"), r.err());
            }
        }
    }

    @Test
    void infoJsonIsValidJsonWhenValuesAreNotFinite() throws Exception {
        // a slope of 1e308 overflows the modality values to infinity; JSON has no such number: null
        Path f = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).image(1, 2, 1, 1, 16, 16, false, "MONOCHROME2")
                .string(Tags.RESCALE_INTERCEPT, "DS", "0").string(Tags.RESCALE_SLOPE, "DS", "1e308")
                .nativePixels(new long[] {1000, 2000}, 16).write(dir.resolve("inf.dcm"));
        Run r = run(false, "dicom", "info", f.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("Infinity") || r.out().contains("NaN"), r.out());
        JsonObject o = strictJson(r.out());
        assertTrue(o.getAsJsonObject("modality_values").get("max").isJsonNull(), r.out());
        assertEquals(1e308, o.get("rescale_slope").getAsDouble());
        for (String slope : List.of("NaN", "Infinity", "-1e999")) {
            Path g = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).image(1, 2, 1, 1, 16, 16, false, "MONOCHROME2")
                    .string(Tags.RESCALE_INTERCEPT, "DS", "NaN").string(Tags.RESCALE_SLOPE, "DS", slope)
                    .nativePixels(new long[] {1000, 2000}, 16).write(dir.resolve("nan.dcm"));
            Run n = run(false, "dicom", "info", g.toString(), "--json");
            JsonObject no = strictJson(n.out());
            assertEquals(1.0, no.get("rescale_slope").getAsDouble(), "not a number: no rescale, as if absent");
            assertEquals(1500.0, no.getAsJsonObject("modality_values").get("mean").getAsDouble());
        }
    }

    private static JsonObject strictJson(String text) throws java.io.IOException {
        com.google.gson.stream.JsonReader r = new com.google.gson.stream.JsonReader(new java.io.StringReader(text));
        r.setStrictness(com.google.gson.Strictness.STRICT);
        return JsonParser.parseReader(r).getAsJsonObject();
    }
}
