package org.medvlm.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged and foreign input: every failure is a {@link DicomFormatException} whose message names the file and the
 * problem; nothing reads past the end, and no claimed size is allocated before it is checked against the file.
 */
class DicomDamageTest {
    @TempDir Path dir;

    private static byte[] rleFile() {
        long[] v = DicomReaderTest.ramp(8, 8, 1);
        for (int i = 0; i < v.length; i++) {
            v[i] &= 0xFFFF;
        }
        return DicomFixture.encapsulated("1.2.840.10008.1.2.5")
                .string(Tags.MODALITY, "CS", "MR")
                .sequence(0x0008_1140, 0x0008_1150, "UI", "1.2.3.4\0")
                .image(8, 8, 1, 1, 16, 16, true, "MONOCHROME2")
                .encapsulatedPixels(List.of(DicomFixture.rleFrame(v, 1, 2))).bytes();
    }

    private static byte[] nativeFile(DicomFixture.Syntax syntax) {
        // pixel data last, as in real files: a cut anywhere then loses part of the image
        return DicomFixture.of(syntax).string(Tags.MODALITY, "CS", "CT")
                .sequence(0x0008_1140, 0x0008_1150, "UI", "1.2.3.4\0")
                .image(6, 5, 1, 1, 16, 16, true, "MONOCHROME2")
                .string(Tags.RESCALE_INTERCEPT, "DS", "-1024").string(Tags.RESCALE_SLOPE, "DS", "1")
                .nativePixels(DicomReaderTest.ramp(6, 5, 1), 16).bytes();
    }

    @Test
    void everyTruncationFailsWithAMessage() {
        for (byte[] whole : List.of(rleFile(), nativeFile(DicomFixture.Syntax.EXPLICIT_LE),
                nativeFile(DicomFixture.Syntax.IMPLICIT_LE), nativeFile(DicomFixture.Syntax.EXPLICIT_BE))) {
            for (int n = 0; n < whole.length; n++) {
                byte[] cut = Arrays.copyOf(whole, n);
                DicomFormatException e = assertThrows(DicomFormatException.class, () -> DicomImage.read("cut.dcm", cut),
                        "a file cut to " + n + " of " + whole.length + " bytes was read");
                assertTrue(e.getMessage().startsWith("cut.dcm: "), e.getMessage());
                assertTrue(!e.getMessage().contains("\n"), e.getMessage());
            }
        }
    }

    @Test
    void truncatedFileOnDiskNamesFileAndProblem() throws IOException {
        byte[] whole = nativeFile(DicomFixture.Syntax.EXPLICIT_LE);
        Path file = Files.write(dir.resolve("cut.dcm"), Arrays.copyOf(whole, whole.length - 10));
        DicomFormatException e = assertThrows(DicomFormatException.class, () -> DicomImage.read(file));
        assertEquals(file + ": truncated: element (7FE0,0010) at offset " + (whole.length - 72) + " declares 60 bytes but only 50 remain",
                e.getMessage());
    }

    @Test
    void randomCorruptionNeverEscapesAsAnotherException() {
        Random random = new Random(20261127);
        List<byte[]> seeds = List.of(rleFile(), nativeFile(DicomFixture.Syntax.EXPLICIT_LE), nativeFile(DicomFixture.Syntax.IMPLICIT_LE));
        int read = 0;
        for (int trial = 0; trial < 3000; trial++) {
            byte[] b = seeds.get(trial % seeds.size()).clone();
            int flips = 1 + random.nextInt(4);
            for (int k = 0; k < flips; k++) {
                int at = 132 + random.nextInt(b.length - 132);
                // lengths and sizes are where damage hurts: write 0xFF..., 0x00 or a random byte
                b[at] = (byte) switch (random.nextInt(3)) {
                    case 0 -> 0xFF;
                    case 1 -> 0;
                    default -> random.nextInt(256);
                };
            }
            try {
                DicomImage image = DicomImage.read("fuzz.dcm", b);
                image.pixels().storedStats();
                read++;
            } catch (DicomFormatException e) {
                assertTrue(e.getMessage().startsWith("fuzz.dcm: "), e.getMessage());
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                fail("trial " + trial + ": " + e, e);
            }
        }
        assertTrue(read > 0, "some damage (in values rather than structure) must still read");
    }

    @Test
    void corruptFilesOnDiskGoThroughImageJSafely() throws IOException {
        Random random = new Random(7);
        byte[] seed = nativeFile(DicomFixture.Syntax.EXPLICIT_LE);
        Path file = dir.resolve("fuzz.dcm");
        int viaImageJ = 0;
        for (int trial = 0; trial < 300; trial++) {
            byte[] b = seed.clone();
            b[132 + random.nextInt(b.length - 132)] = (byte) random.nextInt(256);
            Files.write(file, b);
            try {
                DicomImage image = DicomImage.read(file);
                viaImageJ += image.pixels().decoder().startsWith("ImageJ") ? 1 : 0;
            } catch (DicomFormatException e) {
                assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                fail("trial " + trial + ": " + e, e);
            }
        }
        assertTrue(viaImageJ > 0, "the undamaged cases go through ImageJ");
    }

    @Test
    void textFileNamedDcmIsRefused() throws IOException {
        Path small = Files.writeString(dir.resolve("notes.dcm"), "patient notes\n");
        Path large = Files.writeString(dir.resolve("report.dcm"), "x,y\n".repeat(100));
        DicomFormatException a = assertThrows(DicomFormatException.class, () -> DicomImage.read(small));
        assertTrue(a.getMessage().startsWith(small + ": not a DICOM file"), a.getMessage());
        DicomFormatException b = assertThrows(DicomFormatException.class, () -> DicomImage.read(large));
        assertEquals(large + ": not a DICOM file (no 'DICM' marker at byte 128 and no DICOM element at the start)", b.getMessage());
        assertThrows(DicomFormatException.class, () -> DicomImage.read(Files.write(dir.resolve("empty.dcm"), new byte[0])));
    }

    @Test
    void absurdLengthsAreCheckedBeforeUse() {
        byte[] lying = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE)
                .lyingElement(0x0008_1030, "UT", 0xFFFF_FFF0L, "short".getBytes(StandardCharsets.US_ASCII) /* odd on purpose */)
                .bytes();
        DicomFormatException e = assertThrows(DicomFormatException.class, () -> DicomImage.read("lie.dcm", lying));
        assertTrue(e.getMessage().contains("(0008,1030)") && e.getMessage().contains("declares 4294967280 bytes"), e.getMessage());
    }

    @Test
    void hugeClaimedImagesAreRefusedBeforeAllocation() {
        // 65535 x 65535 x 1000 frames in a few hundred bytes: native data too short, RLE frame far too small
        byte[] nativeLie = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).image(65535, 65535, 1000, 1, 16, 16, false, "MONOCHROME2")
                .nativePixels(new long[] {1, 2, 3, 4}, 16).bytes();
        DicomFormatException a = assertThrows(DicomFormatException.class, () -> DicomImage.read("big.dcm", nativeLie));
        assertTrue(a.getMessage().contains("pixels per frame is too large to decode (limit 67108864 decoded pixels"), a.getMessage());
        // within the pixel budget, but the RLE frame is far too small to hold it: refused before allocating
        byte[] rleLie = DicomFixture.encapsulated("1.2.840.10008.1.2.5").image(8000, 8000, 1, 1, 8, 8, false, "MONOCHROME2")
                .encapsulatedPixels(List.of(DicomFixture.rleFrame(new long[] {1, 2, 3, 4}, 1, 1))).bytes();
        DicomFormatException b = assertThrows(DicomFormatException.class, () -> DicomImage.read("rle.dcm", rleLie));
        assertTrue(b.getMessage().contains("too few for 8000x8000 pixels"), b.getMessage());
    }

    @Test
    void otherCompressionIsRefusedByName() {
        byte[] j2k = DicomFixture.encapsulated("1.2.840.10008.1.2.4.90").image(2, 2, 1, 1, 16, 16, false, "MONOCHROME2")
                .encapsulatedPixels(List.of(new byte[] {(byte) 0xFF, 0x4F, (byte) 0xFF, 0x51})).bytes();
        DicomFormatException e = assertThrows(DicomFormatException.class, () -> DicomImage.read("j2k.dcm", j2k));
        assertEquals("j2k.dcm: transfer syntax 1.2.840.10008.1.2.4.90 (JPEG 2000 Image Compression (Lossless Only)) is not supported:"
                + " only uncompressed, RLE Lossless and JPEG baseline pixel data can be read", e.getMessage());
        byte[] unknown = DicomFixture.encapsulated("1.2.3.999").image(2, 2, 1, 1, 16, 16, false, "MONOCHROME2")
                .encapsulatedPixels(List.of(new byte[4])).bytes();
        assertTrue(assertThrows(DicomFormatException.class, () -> DicomImage.read("u.dcm", unknown)).getMessage()
                .contains("1.2.3.999 (unknown transfer syntax)"));
    }

    @Test
    void rleSegmentCountMustMatchTheLayout() {
        byte[] eightBitFrame = DicomFixture.rleFrame(new long[] {1, 2, 3, 4}, 1, 1);
        byte[] file = DicomFixture.encapsulated("1.2.840.10008.1.2.5").image(2, 2, 1, 1, 16, 16, false, "MONOCHROME2")
                .encapsulatedPixels(List.of(eightBitFrame)).bytes();
        DicomFormatException e = assertThrows(DicomFormatException.class, () -> DicomImage.read("seg.dcm", file));
        assertEquals("seg.dcm: RLE frame 0 has 1 segments, expected 2 (1 sample(s) of 2 byte(s))", e.getMessage());
    }

    @Test
    void emptyOrOutOfRangeImageAttributesAreNamed() {
        byte[] emptyRows = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).element(Tags.ROWS, "US", new byte[0])
                .us(Tags.COLUMNS, 2).us(Tags.BITS_ALLOCATED, 16).nativePixels(new long[] {1, 2}, 16).bytes();
        assertEquals("rows.dcm: no Rows (0028,0010): not an image, or a damaged header",
                assertThrows(DicomFormatException.class, () -> DicomImage.read("rows.dcm", emptyRows)).getMessage());
        byte[] bits = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).image(1, 2, 1, 1, 16, 17, false, "MONOCHROME2")
                .nativePixels(new long[] {1, 2}, 16).bytes();
        assertEquals("bits.dcm: BitsStored (0028,0101) is 17, expected 1..16",
                assertThrows(DicomFormatException.class, () -> DicomImage.read("bits.dcm", bits)).getMessage());
    }

    @Test
    void headerWithoutPixelsIsNotAnImage() {
        byte[] file = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).string(Tags.MODALITY, "CS", "SR").bytes();
        DicomFormatException e = assertThrows(DicomFormatException.class, () -> DicomImage.read("sr.dcm", file));
        assertEquals("sr.dcm: no pixel data (7FE0,0010): not an image", e.getMessage());
    }
}
