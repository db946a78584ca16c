package org.medvlm.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asks pydicom itself, when Debian's python3-pydicom is installed (skipped otherwise): the shared files and the
 * files the other tests write (every native encoding, RLE, 32-bit, planar RGB, MONOCHROME1) must give pydicom's
 * figures. Not a fixture here: narrow signed BitsStored, where pydicom 2.x returns the raw bits unmasked.
 */
class PydicomLiveTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir Path dir;

    @Test
    void everyFileMatchesPydicom() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3: live pydicom comparison skipped");
        assumeTrue(run(List.of(PYTHON.toString(), "-c", "import pydicom, numpy")) != null,
                "python3-pydicom / python3-numpy not installed: live pydicom comparison skipped");
        List<Path> files = new ArrayList<>(fixtures());
        Path shared = Path.of(System.getProperty("medvlm.shared", "../../shared"), "external", "dicom");
        if (Files.isDirectory(shared)) {
            try (Stream<Path> s = Files.list(shared)) {
                s.filter(p -> p.toString().endsWith(".dcm")).sorted().forEach(files::add);
            }
        }
        Path script = dir.resolve("pydicom_reference.py");
        try (InputStream in = getClass().getResourceAsStream("pydicom_reference.py")) {
            Files.copy(in, script);
        }
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
        files.forEach(f -> command.add(f.toString()));
        String out = run(command);
        assertEquals(true, out != null, "pydicom_reference.py failed");
        JsonObject all = JsonParser.parseString(out).getAsJsonObject();
        for (Path file : files) {
            compare(file, all.getAsJsonObject(file.toString()));
        }
    }

    private void compare(Path file, JsonObject e) throws Exception {
        DicomImage image = DicomImage.read(file);
        PixelLayout l = image.layout();
        String name = file.getFileName().toString();
        boolean lossy = image.header().transferSyntax().encoding() == TransferSyntax.Encoding.JPEG_BASELINE;
        double tol = lossy ? 2 : 0;
        assertEquals(e.get("rows").getAsInt(), l.rows(), name);
        assertEquals(e.get("columns").getAsInt(), l.columns(), name);
        assertEquals(e.get("frames").getAsInt(), l.frames(), name);
        assertEquals(e.get("samples_per_pixel").getAsInt(), l.samplesPerPixel(), name);
        assertEquals(e.get("bits_allocated").getAsInt(), l.bitsAllocated(), name);
        assertEquals(e.get("bits_stored").getAsInt(), l.bitsStored(), name);
        assertEquals(e.get("photometric").getAsString(), l.photometric(), name);
        assertEquals(e.get("transfer_syntax").getAsString(), image.header().transferSyntax().uid(), name);
        assertEquals(e.get("rescale_slope").getAsDouble(), image.rescaleSlope(), name);
        assertEquals(e.get("rescale_intercept").getAsDouble(), image.rescaleIntercept(), name);
        assertEquals(e.get("modality").getAsString(), image.header().modality(), name);
        check(name + " stored", e.getAsJsonObject("stored"), image.pixels().storedStats(), tol);
        check(name + " modality", e.getAsJsonObject("modality_values"), image.modalityStats(), tol);
        JsonArray pixels = e.getAsJsonArray("pixels");
        for (int i = 0; i < 3; i++) {
            JsonArray p = pixels.get(i).getAsJsonArray();
            assertEquals(p.get(2).getAsLong(), image.pixels().stored(0, p.get(0).getAsInt(), p.get(1).getAsInt(), 0), tol,
                    name + " pixel " + p);
        }
    }

    private static void check(String what, JsonObject expected, PixelStats got, double tol) {
        assertEquals(expected.get("min").getAsDouble(), got.min(), tol, what + " min");
        assertEquals(expected.get("max").getAsDouble(), got.max(), tol, what + " max");
        double mean = expected.get("mean").getAsDouble();
        assertEquals(mean, got.mean(), tol > 0 ? tol : Math.max(1e-9, Math.abs(mean) * 1e-9), what + " mean");
    }

    private List<Path> fixtures() throws Exception {
        List<Path> files = new ArrayList<>();
        for (DicomFixture.Syntax syntax : DicomFixture.Syntax.values()) {
            files.add(DicomReaderTest.ct(syntax, 5, 7).write(dir.resolve("ct-" + syntax + ".dcm")));
        }
        files.add(DicomFixture.of(DicomFixture.Syntax.IMPLICIT_LE).image(1, 3, 2, 1, 32, 32, false, "MONOCHROME2")
                .nativePixels(new long[] {(1L << 24) + 1, 4_000_000_000L, 0, 123_456_789L, 0xFFFF_FFFFL, 7}, 32)
                .write(dir.resolve("u32.dcm")));
        long[] planar = new long[12];
        for (int p = 0; p < 4; p++) {
            for (int s = 0; s < 3; s++) {
                planar[4 * s + p] = 10L * p + s + 1;
            }
        }
        files.add(DicomFixture.of(DicomFixture.Syntax.EXPLICIT_BE).image(2, 2, 1, 3, 8, 8, false, "RGB")
                .us(Tags.PLANAR_CONFIGURATION, 1).nativePixels(planar, 8).write(dir.resolve("rgb-planar.dcm")));
        long[] ramp = DicomReaderTest.ramp(6, 9, 2);
        long[][] frames = {java.util.Arrays.copyOfRange(ramp, 0, 54), java.util.Arrays.copyOfRange(ramp, 54, 108)};
        for (long[] f : frames) {
            for (int i = 0; i < f.length; i++) {
                f[i] &= 0xFFFF;
            }
        }
        files.add(DicomFixture.encapsulated("1.2.840.10008.1.2.5").image(6, 9, 2, 1, 16, 16, true, "MONOCHROME2")
                .string(Tags.RESCALE_INTERCEPT, "DS", "-1024").string(Tags.RESCALE_SLOPE, "DS", "0.5")
                .encapsulatedPixels(List.of(DicomFixture.rleFrame(frames[0], 1, 2), DicomFixture.rleFrame(frames[1], 1, 2)))
                .write(dir.resolve("rle.dcm")));
        files.add(DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).image(2, 2, 1, 1, 16, 16, false, "MONOCHROME1")
                .nativePixels(new long[] {0, 100, 200, 300}, 16).write(dir.resolve("m1.dcm")));
        return files;
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return null;
        }
        return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
    }
}
