package org.medvlm.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.io.InputFileException;
import org.medvlm.io.Limit;
import org.medvlm.testing.Limits;

/**
 * Small hostile DICOM files that claim huge sizes are refused in one line, before anything of the claimed size is
 * allocated, whatever the claim: frame counts, frame sizes, file sizes, element counts; files that are not regular
 * files are not opened; values that are not numbers do not become NaN.
 */
@SuppressWarnings("try") // the try-with-resources only scope a limit
class DicomLimitsTest {
    @TempDir Path dir;

    private static void refused(String name, byte[] file, String... expected) {
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(IOException.class, () -> DicomImage.read(name, file)));
        oneLineNaming(name, e);
        assertTrue(Arrays.stream(expected).anyMatch(e.getMessage()::contains), e.getMessage());
    }

    private static void oneLineNaming(String name, Exception e) {
        assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void claimedFramesAreRefusedWhateverTheCount() {
        for (int frames : new int[] {600_000_000, 791_000_000, Integer.MAX_VALUE, 268_435_457}) {
            byte[] f = HostileDicom.rleClaimingFrames(frames);
            assertTrue(f.length < 600, "a small file: " + f.length);
            refused("frames.dcm", f, "samples in " + frames + " frames is too many to decode");
        }
        // within the budget, or with it lifted: more frames than fragments is refused before the offset table
        refused("frames.dcm", HostileDicom.rleClaimingFrames(100_000), "NumberOfFrames is 100000 but the encapsulated pixel data holds only 1 fragment(s)");
        try (var l = Limits.set(Limit.DICOM_SAMPLES, 4_000_000_000L)) {
            for (int frames : new int[] {600_000_000, 791_000_000}) {
                refused("frames.dcm", HostileDicom.rleClaimingFrames(frames), "but the encapsulated pixel data holds only 1 fragment(s)");
            }
            refused("frames.dcm", HostileDicom.rleClaimingFrames(Integer.MAX_VALUE), "is more than one Java array holds");
        }
    }

    @Test
    void framesLargerThanThePixelBudgetAreRefused() {
        refused("28k.dcm", rleHeaderOnly(28_000, 28_000), "28000x28000 pixels per frame is too large to decode (limit 67108864");
        refused("20k.dcm", rleHeaderOnly(20_000, 20_000), "20000x20000 pixels per frame is too large");
        refused("8193.dcm", rleHeaderOnly(8193, 8193), "8193x8193 pixels per frame is too large");
        byte[] nativeLie = DicomFixture.of(DicomFixture.Syntax.IMPLICIT_LE).image(65535, 65535, 1, 3, 16, 16, false, "RGB")
                .nativePixels(new long[] {1, 2, 3}, 16).bytes();
        refused("native.dcm", nativeLie, "65535x65535 pixels per frame is too large");
        // many frames of a size within the budget: the samples per file
        byte[] manyFrames = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).image(4096, 4096, 17, 1, 16, 16, false, "MONOCHROME2")
                .nativePixels(new long[] {1, 2}, 16).bytes();
        refused("cine.dcm", manyFrames, "4096x4096x1 samples in 17 frames is too many to decode");
        // lifted on purpose: still refused when half the heap cannot hold it, and still in one line
        byte[] rle28k = HostileDicom.rleOfSize(28_000, 28_000);
        assertTrue(rle28k.length < 13_000_000, "the probe's 12 MB file: " + rle28k.length);
        if (Runtime.getRuntime().maxMemory() / 2 < 8L * 28_000 * 28_000) { // the tests' 4 GiB heap
            try (var l = Limits.set(Limit.IMAGE_PIXELS, 2_000_000_000L).and(Limit.DICOM_SAMPLES, 4_000_000_000L)) {
                refused("28k.dcm", rle28k, "more than half of this JVM's");
            }
        }
    }

    /** The 12 MB RLE file of the probe would take a while to write: its header and a tiny frame say the same. */
    private static byte[] rleHeaderOnly(int rows, int columns) {
        return DicomFixture.encapsulated("1.2.840.10008.1.2.5").image(rows, columns, 1, 1, 8, 8, false, "MONOCHROME2")
                .encapsulatedPixels(List.of(DicomFixture.rleFrame(new long[] {1, 2, 3, 4}, 1, 1))).bytes();
    }

    @Test
    void aLargeRleImageWithinTheBudgetsDecodes() throws IOException {
        byte[] file = HostileDicom.rleOfSize(1500, 2000);
        DicomImage image = DicomImage.read("ok.dcm", file);
        assertEquals(1500, image.layout().rows());
        assertEquals(9, image.pixels().stored(0, 1499, 1999, 0));
        assertEquals(9.0, image.pixels().storedStats().mean());
    }

    @Test
    void theBudgetsAreTheLimitsInForce() {
        byte[] ok = HostileDicom.rleOfSize(300, 300);
        try (var l = Limits.set(Limit.IMAGE_PIXELS, 300 * 300 - 1)) {
            refused("small.dcm", ok, "300x300 pixels per frame is too large", "-Dmedvlm.limit.image-pixels=N");
        }
        try (var l = Limits.set(Limit.DICOM_BYTES, ok.length - 1)) {
            refused("small.dcm", ok, ok.length + " bytes is too large (limit " + (ok.length - 1) + " bytes per DICOM file");
        }
        DicomFixture many = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE);
        for (int i = 0; i < 200; i++) {
            many.string(0x0008_0000 | 0x1000 + i * 2, "LO", "x");
        }
        byte[] manyElements = many.image(1, 1, 1, 1, 8, 8, false, "MONOCHROME2").nativePixels(new long[] {1}, 8).bytes();
        try (var l = Limits.set(Limit.DICOM_ELEMENTS, 100)) {
            refused("many.dcm", manyElements, "more than 100 attributes, items and fragments");
        }
        try (var l = Limits.property(Limit.IMAGE_PIXELS.property(), "lots")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DicomImage.read("small.dcm", ok));
            assertEquals("-Dmedvlm.limit.image-pixels=lots: expected a positive whole number", e.getMessage());
        }
    }

    @Test
    void onlyRegularFilesAreOpened() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("a.dcm"));
        InputFileException d = assertThrows(InputFileException.class, () -> DicomImage.read(folder));
        assertEquals(folder + ": is a folder, not a file", d.getMessage());
        Path missing = dir.resolve("missing.dcm");
        assertEquals(missing + ": no such file or folder",
                assertThrows(InputFileException.class, () -> DicomImage.read(missing)).getMessage());
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            InputFileException z = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(InputFileException.class, () -> DicomImage.read(zero)));
            assertEquals("/dev/zero: not a regular file (a named pipe, device or socket): not read", z.getMessage());
            assertThrows(InputFileException.class, () -> DicomImage.readHeader(zero));
        }
        Path fifo = dir.resolve("pipe.dcm");
        assumeTrue(mkfifo(fifo), "mkfifo is not available: the named-pipe case is skipped");
        InputFileException p = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(InputFileException.class, () -> DicomImage.read(fifo)));
        assertTrue(p.getMessage().startsWith(fifo + ": not a regular file"), p.getMessage());
    }

    static boolean mkfifo(Path at) {
        try {
            Process p = new ProcessBuilder("mkfifo", at.toString()).redirectErrorStream(true).start();
            return p.waitFor() == 0 && Files.exists(at);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void numbersThatAreNotFiniteAreAbsent() throws IOException {
        for (String slope : List.of("NaN", "Infinity", "-Infinity", "1e999", "0x1p3", "1.5d", "nan")) {
            byte[] file = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).image(1, 2, 1, 1, 16, 16, false, "MONOCHROME2")
                    .string(Tags.RESCALE_INTERCEPT, "DS", "-1024").string(Tags.RESCALE_SLOPE, "DS", slope)
                    .string(Tags.WINDOW_CENTER, "DS", slope).string(Tags.WINDOW_WIDTH, "DS", "400")
                    .nativePixels(new long[] {10, 20}, 16).bytes();
            DicomImage image = DicomImage.read("nan.dcm", file);
            assertTrue(image.header().decimal(Tags.RESCALE_SLOPE).isEmpty(), slope);
            assertEquals(1.0, image.rescaleSlope(), slope);
            assertEquals(0.0, image.rescaleIntercept(), "no slope: no rescale at all, as pydicom");
            assertTrue(image.fileWindow().isEmpty(), slope);
            assertTrue(Double.isFinite(image.modalityStats().mean()));
        }
        byte[] ok = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).image(1, 2, 1, 1, 16, 16, false, "MONOCHROME2")
                .string(Tags.RESCALE_INTERCEPT, "DS", "-1.5E+3").string(Tags.RESCALE_SLOPE, "DS", " +.5 ")
                .nativePixels(new long[] {10, 20}, 16).bytes();
        DicomImage image = DicomImage.read("ok.dcm", ok);
        assertEquals(0.5, image.rescaleSlope());
        assertEquals(-1500.0, image.rescaleIntercept());
    }

    @Test
    void hugeTextValuesAreNotDecodedWhole() throws IOException {
        String big = "x".repeat(3 << 20);
        byte[] file = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).string(0x0018_1030, "UT", big) // ProtocolName as UT
                .string(Tags.MODALITY, "CS", "MR" + " ".repeat(10))
                .image(1, 1, 1, 1, 8, 8, false, "MONOCHROME2").nativePixels(new long[] {1}, 8).bytes();
        DicomHeader h = DicomImage.read("big.dcm", file).header();
        assertEquals(1 << 16, h.string(0x0018_1030).orElseThrow().length());
        String shown = h.rows(true).stream().filter(r -> r.tag().equals("(0018,1030)")).findFirst().orElseThrow().value();
        assertEquals(80, shown.length());
        assertEquals("MR", h.modality());
    }

    @Test
    void aTruncatedJpegFrameIsRefusedNotFilledWithGrey() throws IOException {
        BufferedImage rgb = new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                rgb.setRGB(x, y, (x * 4) << 16 | (y * 5) << 8 | (x + y));
            }
        }
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(rgb, "jpg", jpeg);
        byte[] whole = jpeg.toByteArray();
        for (int keep : new int[] {whole.length / 3, whole.length / 2, whole.length - 2}) {
            byte[] cut = Arrays.copyOf(whole, keep);
            byte[] file = DicomFixture.encapsulated("1.2.840.10008.1.2.4.50").image(48, 64, 1, 3, 8, 8, false, "YBR_FULL_422")
                    .encapsulatedPixels(List.of(cut)).bytes();
            refused("cut.dcm", file, "JPEG frame 0 is truncated or corrupt", "JPEG frame 0 cannot be decoded");
        }
        byte[] good = DicomFixture.encapsulated("1.2.840.10008.1.2.4.50").image(48, 64, 1, 3, 8, 8, false, "YBR_FULL_422")
                .encapsulatedPixels(List.of(whole)).bytes();
        assertEquals(64, DicomImage.read("good.dcm", good).layout().columns());
    }

    @Test
    void sequencesNestedDeeplyAreRefused() {
        for (int depth : new int[] {33, 1000, 100_000}) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] open = {0x08, 0x00, 0x40, 0x11, 'S', 'Q', 0, 0, -1, -1, -1, -1, // (0008,1140) SQ, undefined length
                (byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0, -1, -1, -1, -1}; // an item of undefined length
            for (int i = 0; i < depth; i++) {
                body.writeBytes(open);
            }
            byte[] file = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).bytes();
            byte[] all = Arrays.copyOf(file, file.length + body.size());
            System.arraycopy(body.toByteArray(), 0, all, file.length, body.size());
            IOException e = assertThrows(IOException.class, () -> DicomImage.read("deep.dcm", all));
            oneLineNaming("deep.dcm", e);
            assertTrue(e.getMessage().contains("sequences nested deeper than 32"), e.getMessage());
        }
    }
}
