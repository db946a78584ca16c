package org.medvlm.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Files the test writes itself, whose values are known by construction: every encoding the reader decodes. */
class DicomReaderTest {
    @TempDir Path dir;

    /** A 16-bit signed ramp with negative values: v(r, c) = 37 r - 11 c - 500. */
    static long[] ramp(int rows, int columns, int frames) {
        long[] v = new long[rows * columns * frames];
        for (int f = 0; f < frames; f++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < columns; c++) {
                    v[(f * rows + r) * columns + c] = 37L * r - 11L * c - 500 + 1000L * f;
                }
            }
        }
        return v;
    }

    static DicomFixture ct(DicomFixture.Syntax syntax, int rows, int columns) {
        return DicomFixture.of(syntax)
                .string(Tags.MODALITY, "CS", "CT")
                .string(Tags.PATIENT_NAME, "PN", "Doe^Jane")
                .image(rows, columns, 1, 1, 16, 16, true, "MONOCHROME2")
                .string(Tags.RESCALE_INTERCEPT, "DS", "-1024")
                .string(Tags.RESCALE_SLOPE, "DS", "2")
                .nativePixels(ramp(rows, columns, 1), 16);
    }

    @ParameterizedTest
    @EnumSource(DicomFixture.Syntax.class)
    void nativeSigned16BitInEveryEncoding(DicomFixture.Syntax syntax) throws Exception {
        Path file = ct(syntax, 5, 7).write(dir.resolve(syntax + ".dcm"));
        DicomImage image = DicomImage.read(file);
        assertEquals(syntax.uid, image.header().transferSyntax().uid());
        assertEquals("CT", image.header().modality());
        assertEquals(5, image.layout().rows());
        assertEquals(7, image.layout().columns());
        for (int r = 0; r < 5; r++) {
            for (int c = 0; c < 7; c++) {
                long v = 37L * r - 11L * c - 500;
                assertEquals(v, image.pixels().stored(0, r, c, 0), "stored at " + r + "," + c);
                assertEquals(2.0 * v - 1024, image.modalityValue(0, r, c, 0), "HU at " + r + "," + c);
            }
        }
        // min -566 at (0,6), max -352 at (4,0); mean of 37r - 11c - 500 over the grid = 74 - 33 - 500
        PixelStats s = image.pixels().storedStats();
        assertEquals(-566, s.min());
        assertEquals(-352, s.max());
        assertEquals(-459, s.mean(), 1e-12);
        assertEquals(new PixelStats(-2156, -1728, -1942), image.modalityStats());
        // slope 2: ImageJ would rescale through its GUI commands, so the native decoder reads it
        assertTrue(image.pixels().decoder().contains("slope 2"), image.pixels().decoder());
    }

    @ParameterizedTest
    @EnumSource(DicomFixture.Syntax.class)
    void imageJReadsSigned16BitInEveryEncodingAndAgrees(DicomFixture.Syntax syntax) throws Exception {
        // ImageJ switches to big endian at the first group 0008 element, so (like every real file) it has one
        Path file = DicomFixture.of(syntax).string(0x0008_0016, "UI", "1.2.840.10008.5.1.4.1.1.2")
                .string(Tags.MODALITY, "CS", "CT").image(5, 7, 1, 1, 16, 16, true, "MONOCHROME2")
                .string(Tags.RESCALE_INTERCEPT, "DS", "-1024").string(Tags.RESCALE_SLOPE, "DS", "1")
                .nativePixels(ramp(5, 7, 1), 16).write(dir.resolve(syntax + "-ij.dcm"));
        DicomImage image = DicomImage.read(file);
        assertTrue(image.pixels().decoder().startsWith("ImageJ") && image.pixels().decoder().contains("checked"),
                image.pixels().decoder());
        assertEquals(37L * 4 - 11L * 6 - 500, image.pixels().stored(0, 4, 6, 0));
        assertEquals(37.0 * 4 - 11 * 6 - 500 - 1024, image.modalityValue(0, 4, 6, 0));
    }

    @Test
    void sameBytesFromMemoryUseTheNativeDecoderAndAgree() throws Exception {
        byte[] bytes = ct(DicomFixture.Syntax.EXPLICIT_BE, 4, 3).bytes();
        DicomImage image = DicomImage.read("mem.dcm", bytes);
        assertTrue(image.pixels().decoder().startsWith("medvlm native"), image.pixels().decoder());
        assertEquals(37L * 3 - 11L * 2 - 500, image.pixels().stored(0, 3, 2, 0));
    }

    @Test
    void fileWithoutPreambleIsRead() throws Exception {
        Path file = ct(DicomFixture.Syntax.EXPLICIT_LE, 3, 3).withoutPreamble().write(dir.resolve("bare.dcm"));
        DicomImage image = DicomImage.read(file);
        assertEquals(-500, image.pixels().stored(0, 0, 0, 0));
        assertEquals(37L * 2 - 22 - 500, image.pixels().stored(0, 2, 2, 0));
    }

    @Test
    void narrowStoredBitsAreMaskedAndSignExtended() throws Exception {
        // 12 stored bits in 16, signed; garbage in the top 4 bits must not leak into the value
        long[] raw = {0xF800L /* -2048 with junk */, 0x07FFL /* 2047 */, 0xAFFFL /* -1 with junk */, 0x0001L};
        Path file = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE)
                .image(2, 2, 1, 1, 16, 12, true, "MONOCHROME2").nativePixels(raw, 16).write(dir.resolve("12bit.dcm"));
        DicomImage image = DicomImage.read(file);
        assertEquals(-2048, image.pixels().stored(0, 0, 0, 0));
        assertEquals(2047, image.pixels().stored(0, 0, 1, 0));
        assertEquals(-1, image.pixels().stored(0, 1, 0, 0));
        assertEquals(1, image.pixels().stored(0, 1, 1, 0));
        assertTrue(image.pixels().decoder().contains("sign-extends"), image.pixels().decoder());
    }

    @Test
    void unsigned32BitValuesStayExactAbove2To24And2To31() throws Exception {
        long[] raw = {(1L << 24) + 1, 4_000_000_000L, 0, 123_456_789L, 0xFFFF_FFFFL, 7};
        Path file = DicomFixture.of(DicomFixture.Syntax.IMPLICIT_LE)
                .image(1, 3, 2, 1, 32, 32, false, "MONOCHROME2").nativePixels(raw, 32).write(dir.resolve("u32.dcm"));
        DicomImage image = DicomImage.read(file);
        assertEquals(2, image.layout().frames());
        assertEquals((1L << 24) + 1, image.pixels().stored(0, 0, 0, 0));
        assertEquals(4_000_000_000L, image.pixels().stored(0, 0, 1, 0));
        assertEquals(0xFFFF_FFFFL, image.pixels().stored(1, 0, 1, 0));
        PixelStats s = image.pixels().storedStats();
        assertEquals(0, s.min());
        assertEquals(0xFFFF_FFFFL, s.max());
        double sum = 0;
        for (long v : raw) {
            sum += v;
        }
        assertEquals(sum / 6, s.mean(), 1e-6);
    }

    @Test
    void rgbPlanarAndInterleavedAgree() throws Exception {
        // 2x2 RGB: pixel p has (10p + 1, 10p + 2, 10p + 3)
        long[] interleaved = new long[12];
        long[] planar = new long[12];
        for (int p = 0; p < 4; p++) {
            for (int s = 0; s < 3; s++) {
                interleaved[3 * p + s] = 10L * p + s + 1;
                planar[4 * s + p] = 10L * p + s + 1;
            }
        }
        DicomImage a = DicomImage.read(DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE)
                .image(2, 2, 1, 3, 8, 8, false, "RGB").us(Tags.PLANAR_CONFIGURATION, 0)
                .nativePixels(interleaved, 8).write(dir.resolve("rgb0.dcm")));
        DicomImage b = DicomImage.read(DicomFixture.of(DicomFixture.Syntax.EXPLICIT_BE)
                .image(2, 2, 1, 3, 8, 8, false, "RGB").us(Tags.PLANAR_CONFIGURATION, 1)
                .nativePixels(planar, 8).write(dir.resolve("rgb1.dcm")));
        for (DicomImage image : List.of(a, b)) {
            for (int p = 0; p < 4; p++) {
                for (int s = 0; s < 3; s++) {
                    assertEquals(10L * p + s + 1, image.pixels().stored(0, p / 2, p % 2, s), image + " p" + p + " s" + s);
                }
            }
            assertEquals(0x1F2021, image.render(0).getRGB(1, 1) & 0xFFFFFF); // (31, 32, 33)
        }
    }

    @Test
    void rleLosslessSigned16BitTwoFrames() throws Exception {
        long[] values = ramp(6, 9, 2);
        long[] frame0 = java.util.Arrays.copyOfRange(values, 0, 54);
        long[] frame1 = java.util.Arrays.copyOfRange(values, 54, 108);
        // the encoder gets raw 16-bit patterns: two's complement of the negative values
        for (long[] f : List.of(frame0, frame1)) {
            for (int i = 0; i < f.length; i++) {
                f[i] &= 0xFFFF;
            }
        }
        Path file = DicomFixture.encapsulated("1.2.840.10008.1.2.5")
                .image(6, 9, 2, 1, 16, 16, true, "MONOCHROME2")
                .encapsulatedPixels(List.of(DicomFixture.rleFrame(frame0, 1, 2), DicomFixture.rleFrame(frame1, 1, 2)))
                .write(dir.resolve("rle.dcm"));
        DicomImage image = DicomImage.read(file);
        for (int f = 0; f < 2; f++) {
            for (int r = 0; r < 6; r++) {
                for (int c = 0; c < 9; c++) {
                    assertEquals(37L * r - 11L * c - 500 + 1000L * f, image.pixels().stored(f, r, c, 0));
                }
            }
        }
        assertTrue(image.pixels().decoder().contains("RLE"));
    }

    @Test
    void rleRgbSegmentsGoSampleBySample() throws Exception {
        long[] rgb = new long[3 * 20];
        for (int p = 0; p < 20; p++) {
            rgb[3 * p] = 200; // a long run
            rgb[3 * p + 1] = p * 12;
            rgb[3 * p + 2] = p < 10 ? 5 : 250;
        }
        Path file = DicomFixture.encapsulated("1.2.840.10008.1.2.5").image(4, 5, 1, 3, 8, 8, false, "RGB")
                .encapsulatedPixels(List.of(DicomFixture.rleFrame(rgb, 3, 1))).write(dir.resolve("rle-rgb.dcm"));
        DicomImage image = DicomImage.read(file);
        for (int p = 0; p < 20; p++) {
            for (int s = 0; s < 3; s++) {
                assertEquals(rgb[3 * p + s], image.pixels().stored(0, p / 5, p % 5, s));
            }
        }
    }

    @Test
    void packBitsRoundTripsEveryRunShape() throws Exception {
        byte[] plane = new byte[700];
        java.util.Random random = new java.util.Random(4);
        for (int i = 0; i < plane.length; i++) {
            plane[i] = (byte) (i < 300 ? 9 : i < 500 ? random.nextInt(256) : (i / 7) % 3);
        }
        byte[] packed = DicomFixture.packBits(plane);
        byte[] out = new byte[plane.length];
        RleDecoder.unpackBits(packed, 0, packed.length, out, "t", "segment");
        assertEquals(java.util.Arrays.toString(plane), java.util.Arrays.toString(out));
    }

    @Test
    void undefinedLengthSequencesAreWalked() throws Exception {
        for (DicomFixture.Syntax syntax : DicomFixture.Syntax.values()) {
            DicomFixture fx = DicomFixture.of(syntax)
                    .string(Tags.MODALITY, "CS", "MR")
                    .sequence(0x0008_1140, 0x0008_1150, "UI", "1.2.3.4\0") // ReferencedImageSequence
                    .image(2, 2, 1, 1, 16, 16, false, "MONOCHROME2")
                    .nativePixels(new long[] {1, 2, 3, 4}, 16);
            DicomImage image = DicomImage.read(syntax + ".dcm", fx.bytes());
            DicomElement seq = image.header().find(0x0008_1140).orElseThrow();
            assertEquals("SQ", seq.vr());
            assertEquals(1, seq.items());
            assertEquals(4, image.pixels().stored(0, 1, 1, 0), syntax.toString());
        }
    }

    @Test
    void monochrome1IsInvertedWhenRendered() throws Exception {
        long[] v = {0, 100, 200, 300};
        DicomImage m1 = DicomImage.read(DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE)
                .image(2, 2, 1, 1, 16, 16, false, "MONOCHROME1").nativePixels(v, 16).write(dir.resolve("m1.dcm")));
        DicomImage m2 = DicomImage.read(DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE)
                .image(2, 2, 1, 1, 16, 16, false, "MONOCHROME2").nativePixels(v, 16).write(dir.resolve("m2.dcm")));
        // the whole range: 0 -> black, 300 -> white in MONOCHROME2, the other way round in MONOCHROME1
        assertEquals(0x000000, m2.render(0).getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xFFFFFF, m2.render(0).getRGB(1, 1) & 0xFFFFFF);
        assertEquals(0xFFFFFF, m1.render(0).getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x000000, m1.render(0).getRGB(1, 1) & 0xFFFFFF);
        int g2 = m2.render(0).getRGB(1, 0) & 0xFF;
        int g1 = m1.render(0).getRGB(1, 0) & 0xFF;
        assertEquals(255, g1 + g2);
    }

    @Test
    void windowsFollowTheStandardsLinearFunction() {
        Window brain = WindowPreset.BRAIN.window();
        assertEquals(new Window(40, 80), brain);
        assertEquals(new Window(-600, 1500), WindowPreset.LUNG.window());
        assertEquals(new Window(50, 350), WindowPreset.MEDIASTINUM.window());
        assertEquals(new Window(400, 1800), WindowPreset.BONE.window());
        assertEquals(new Window(40, 400), WindowPreset.ABDOMEN.window());
        // PS3.3 C.11.2.1.2.1 with c = 40, w = 80: x <= 0 -> 0, x > 79 -> 255, else ((x - 39.5) / 79 + 0.5) * 255
        assertEquals(0, brain.apply(0));
        assertEquals(0, brain.apply(-1000));
        assertEquals(255, brain.apply(79.01));
        assertEquals((int) Math.round((0.5 / 79 + 0.5) * 255), brain.apply(40));
        assertEquals((int) Math.round((10.5 / 79 + 0.5) * 255), brain.apply(50));
        assertThrows(IllegalArgumentException.class, () -> new Window(0, 0.5));
    }

    @Test
    void fileWindowIsTheFirstValue() throws Exception {
        DicomImage image = DicomImage.read(DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE)
                .image(1, 2, 1, 1, 16, 16, true, "MONOCHROME2")
                .string(Tags.WINDOW_CENTER, "DS", "40\\400")
                .string(Tags.WINDOW_WIDTH, "DS", "80\\2000")
                .nativePixels(new long[] {0, 80}, 16).write(dir.resolve("w.dcm")));
        assertEquals(new Window(40, 80), image.fileWindow().orElseThrow());
        assertEquals(0, image.render(0).getRGB(0, 0) & 0xFF);
        assertEquals(255, image.render(0).getRGB(1, 0) & 0xFF);
    }
}
