package org.medvlm.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.medvlm.testing.Shared;

/**
 * pydicom's test files ({@code ../shared/external/dicom}) against figures pydicom computed, written here as
 * literals so that the suite needs no Python. Produced on 2026-11-27 with Debian's python3-pydicom 2.3.1 and
 * python3-numpy 1.24.2 (Pillow 9.4.0 for the JPEG file) by {@code src/test/resources/org/medvlm/dicom/pydicom_reference.py}:
 * stored = {@code ds.pixel_array} (YBR_FULL JPEG stays YCbCr there), modality =
 * {@code pydicom.pixel_data_handlers.util.apply_modality_lut(arr, ds)}, statistics over all frames and samples,
 * pixels = frame 0, sample 0 at (0,0), (rows/2, cols/2), (rows-1, cols-1). The lossy JPEG file is allowed +-2.
 */
class PydicomReferenceTest {

    record Expected(String file, int rows, int columns, int frames, int samples, int bitsAllocated, int bitsStored,
                    String photometric, String transferSyntax, double slope, double intercept, String modality,
                    double storedMin, double storedMax, double storedMean,
                    double modalityMin, double modalityMax, double modalityMean, long[] pixels) {
        boolean lossy() {
            return transferSyntax.equals("1.2.840.10008.1.2.4.50");
        }

        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Expected> files() {
        return Stream.of(
                new Expected("CT_small.dcm", 128, 128, 1, 1, 16, 16, "MONOCHROME2", "1.2.840.10008.1.2.1", 1.0, -1024.0, "CT",
                        128, 2191, 904.9261474609375, -896, 1167, -119.0738525390625, new long[] {175, 1928, 909}),
                new Expected("ExplVR_BigEnd.dcm", 60, 80, 1, 3, 8, 8, "RGB", "1.2.840.10008.1.2.2", 1.0, 0.0, "US",
                        0, 255, 171.5775, 0, 255, 171.5775, new long[] {171, 255, 255}),
                new Expected("MR_small.dcm", 64, 64, 1, 1, 16, 16, "MONOCHROME2", "1.2.840.10008.1.2.1", 1.0, 0.0, "MR",
                        127, 2145, 518.88134765625, 127, 2145, 518.88134765625, new long[] {905, 182, 862}),
                new Expected("MR_small_RLE.dcm", 64, 64, 1, 1, 16, 16, "MONOCHROME2", "1.2.840.10008.1.2.5", 1.0, 0.0, "MR",
                        127, 2145, 518.88134765625, 127, 2145, 518.88134765625, new long[] {905, 182, 862}),
                new Expected("MR_small_bigendian.dcm", 64, 64, 1, 1, 16, 16, "MONOCHROME2", "1.2.840.10008.1.2.2", 1.0, 0.0, "MR",
                        127, 2145, 518.88134765625, 127, 2145, 518.88134765625, new long[] {905, 182, 862}),
                new Expected("SC_rgb_jpeg_dcmtk.dcm", 100, 100, 1, 3, 8, 8, "YBR_FULL", "1.2.840.10008.1.2.4.50", 1.0, 0.0, "OT",
                        0, 255, 127.88, 0, 255, 127.88, new long[] {76, 143, 255}),
                new Expected("SC_rgb_small_odd.dcm", 3, 3, 1, 3, 8, 8, "RGB", "1.2.840.10008.1.2.1", 1.0, 0.0, "OT",
                        52, 176, 128.77777777777777, 52, 176, 128.77777777777777, new long[] {166, 63, 158}),
                new Expected("rtdose.dcm", 10, 10, 15, 1, 32, 32, "MONOCHROME2", "1.2.840.10008.1.2", 1.0, 0.0, "RTDOSE",
                        795000, 1254000, 1013273.3333333334, 795000, 1254000, 1013273.3333333334,
                        new long[] {1249000, 978000, 798000}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void matchesPydicom(Expected e) throws Exception {
        Path file = Shared.path("external/dicom/" + e.file());
        DicomImage image = DicomImage.read(file);
        PixelLayout l = image.layout();
        assertEquals(e.rows(), l.rows());
        assertEquals(e.columns(), l.columns());
        assertEquals(e.frames(), l.frames());
        assertEquals(e.samples(), l.samplesPerPixel());
        assertEquals(e.bitsAllocated(), l.bitsAllocated());
        assertEquals(e.bitsStored(), l.bitsStored());
        assertEquals(e.photometric(), l.photometric());
        assertEquals(e.transferSyntax(), image.header().transferSyntax().uid());
        assertEquals(e.slope(), image.rescaleSlope());
        assertEquals(e.intercept(), image.rescaleIntercept());
        assertEquals(e.modality(), image.header().modality());

        double tolerance = e.lossy() ? 2 : 0;
        double meanTolerance = e.lossy() ? 2 : Math.abs(e.storedMean()) * 1e-9;
        PixelStats stored = image.pixels().storedStats();
        assertEquals(e.storedMin(), stored.min(), tolerance, "stored min");
        assertEquals(e.storedMax(), stored.max(), tolerance, "stored max");
        assertEquals(e.storedMean(), stored.mean(), meanTolerance, "stored mean");
        PixelStats modality = image.modalityStats();
        assertEquals(e.modalityMin(), modality.min(), tolerance, "modality min");
        assertEquals(e.modalityMax(), modality.max(), tolerance, "modality max");
        assertEquals(e.modalityMean(), modality.mean(), e.lossy() ? 2 : Math.abs(e.modalityMean()) * 1e-9, "modality mean");

        int[][] at = {{0, 0}, {l.rows() / 2, l.columns() / 2}, {l.rows() - 1, l.columns() - 1}};
        for (int i = 0; i < 3; i++) {
            assertEquals(e.pixels()[i], image.pixels().stored(0, at[i][0], at[i][1], 0), tolerance,
                    "pixel at " + at[i][0] + "," + at[i][1]);
        }
        for (int f = 0; f < l.frames(); f++) {
            BufferedImage rgb = image.render(f);
            assertEquals(BufferedImage.TYPE_INT_RGB, rgb.getType());
            assertEquals(l.columns(), rgb.getWidth());
            assertEquals(l.rows(), rgb.getHeight());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void saysWhichDecoderReadIt(Expected e) throws Exception {
        DicomImage image = DicomImage.read(Shared.path("external/dicom/" + e.file()));
        String decoder = image.pixels().decoder();
        switch (e.file()) {
            case "MR_small_RLE.dcm" -> assertTrue(decoder.contains("RLE"), decoder);
            case "SC_rgb_jpeg_dcmtk.dcm" -> assertTrue(decoder.contains("JPEG"), decoder);
            case "rtdose.dcm" -> assertTrue(decoder.contains("32-bit"), decoder);
            // the uncompressed 8/16-bit files are what ImageJ reads, and it must agree with the native decoder
            default -> assertTrue(decoder.startsWith("ImageJ") && decoder.contains("checked"), decoder);
        }
    }
}
