package org.medvlm.dicom;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What reading a CT slice costs: through ImageJ (the default for uncompressed files, checked value by value against
 * the native decoder) against the native decoder alone, for a 512 x 512 signed 16-bit slice, and RLE for the same
 * slice. Run: {@code mvn -Pbench -pl datasets test -Dtest=DicomReadBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class DicomReadBenchmark {
    @TempDir Path dir;

    @Test
    void readSpeed() throws Exception {
        int n = 512;
        long[] values = new long[n * n];
        for (int i = 0; i < values.length; i++) {
            int r = i / n;
            int c = i % n;
            double d = Math.hypot(r - n / 2.0, c - n / 2.0);
            values[i] = (d < 200 ? 1000 + (r * 7 + c * 3) % 80 : 0) & 0xFFFF;
        }
        Path nativeFile = DicomFixture.of(DicomFixture.Syntax.EXPLICIT_LE).string(0x0008_0016, "UI", "1.2.840.10008.5.1.4.1.1.2")
                .string(Tags.MODALITY, "CS", "CT").image(n, n, 1, 1, 16, 16, true, "MONOCHROME2")
                .string(Tags.RESCALE_INTERCEPT, "DS", "-1024").string(Tags.RESCALE_SLOPE, "DS", "1")
                .nativePixels(values, 16).write(dir.resolve("ct512.dcm"));
        Path rleFile = DicomFixture.encapsulated("1.2.840.10008.1.2.5").string(Tags.MODALITY, "CS", "CT")
                .image(n, n, 1, 1, 16, 16, true, "MONOCHROME2")
                .encapsulatedPixels(java.util.List.of(DicomFixture.rleFrame(values, 1, 2))).write(dir.resolve("ct512-rle.dcm"));
        byte[] bytes = Files.readAllBytes(nativeFile);
        double imagej = perSecond(() -> DicomImage.read(nativeFile));
        double own = perSecond(() -> DicomImage.read("ct512.dcm", bytes));
        double rle = perSecond(() -> DicomImage.read(rleFile));
        double render = perSecond(() -> DicomImage.read(nativeFile).render(0, WindowPreset.LUNG.window()));
        System.out.printf("512x512 CT slice reads per second: ImageJ + check %.0f, native decoder alone %.0f (ImageJ path costs %.2fx),"
                + " RLE %.0f, ImageJ read + lung-window RGB render %.0f%n", imagej, own, own / imagej, rle, render);
    }

    interface Work {
        Object run() throws Exception;
    }

    private static double perSecond(Work work) throws Exception {
        for (int i = 0; i < 20; i++) {
            work.run();
        }
        int count = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < 2_000_000_000L) {
            work.run();
            count++;
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }
}
