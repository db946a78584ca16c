package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
