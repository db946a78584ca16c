package org.medvlm.dicom;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.testing.ChildJvm;

/**
 * Seeded fuzzing of the DICOM reader in a JVM of 256 MiB: well-formed files of each encoding (native in three
 * byte orders, RLE, JPEG, sequences, the whole de-identification profile), mutated by bit flips, cuts, length fields
 * and frame and size attributes set to huge or negative values, and the probe's hostile files. Every one must be
 * read or refused in one line naming it, within 10 s, without a JVM error.
 */
class DicomFuzzTest {
    private static final long SEED = 20261206L;
    private static final int MUTANTS = 160;

    @TempDir Path dir;

    static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (DicomFixture.Syntax s : DicomFixture.Syntax.values()) {
            seeds.add(DicomFixture.of(s).string(Tags.MODALITY, "CS", "CT").string(Tags.PATIENT_NAME, "PN", "Doe^Jane")
                    .sequence(0x0008_1140, 0x0008_1150, "UI", "1.2.3.4\0").image(6, 5, 2, 1, 16, 12, true, "MONOCHROME2")
                    .string(Tags.RESCALE_INTERCEPT, "DS", "-1024").string(Tags.RESCALE_SLOPE, "DS", "1")
                    .string(Tags.WINDOW_CENTER, "DS", "40").string(Tags.WINDOW_WIDTH, "DS", "400")
                    .nativePixels(ramp(60), 16).bytes());
            seeds.add(DicomFixture.of(s).image(4, 4, 1, 3, 8, 8, false, "RGB").nativePixels(ramp(48), 8).bytes());
        }
        seeds.add(DicomFixture.encapsulated("1.2.840.10008.1.2.5").image(8, 8, 2, 1, 16, 16, false, "MONOCHROME2")
                .encapsulatedPixels(List.of(DicomFixture.rleFrame(ramp(64), 1, 2), DicomFixture.rleFrame(ramp(64), 1, 2))).bytes());
        BufferedImage rgb = new BufferedImage(16, 8, BufferedImage.TYPE_3BYTE_BGR);
        rgb.setRGB(3, 3, 0xFF8040);
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(rgb, "jpg", jpeg);
        seeds.add(DicomFixture.encapsulated("1.2.840.10008.1.2.4.50").image(8, 16, 1, 3, 8, 8, false, "YBR_FULL_422")
                .encapsulatedPixels(List.of(jpeg.toByteArray())).bytes());
        seeds.add(HostileDicom.everyProfileAttribute(DicomFixture.Syntax.EXPLICIT_LE, false));
        return seeds;
    }

    private static long[] ramp(int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i * 37) & 0xFF;
        }
        return v;
    }

    /** One mutation of {@code b}: what a damaged or hostile file looks like. */
    static byte[] mutate(byte[] b, Random r) {
        byte[] m = b.clone();
        switch (r.nextInt(6)) {
            case 0 -> { // bit flips
                for (int i = 0, n = 1 + r.nextInt(12); i < n; i++) {
                    m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> m = Arrays.copyOf(m, r.nextInt(m.length)); // cut
            case 2 -> { // a length or count field set to a huge value
                int at = 132 + r.nextInt(Math.max(1, m.length - 136));
                int v = new int[] {0xFFFF_FFFF, 0x7FFF_FFFF, 0xFFFF_FFF0, 0x0100_0000, 0xFFFF}[r.nextInt(5)];
                for (int k = 0; k < 4 && at + k < m.length; k++) {
                    m[at + k] = (byte) (v >>> (8 * k));
                }
            }
            case 3 -> m = replace(m, r, " 2", new String[] {"600000000", "791000000", "-1", "NaN", "1e999", "2147483647"}); // NumberOfFrames
            case 4 -> { // Rows / Columns to 65535
                for (int i = 132; i + 8 < m.length; i++) {
                    if ((m[i] == 0x28 && m[i + 1] == 0 && (m[i + 2] == 0x10 || m[i + 2] == 0x11) && m[i + 3] == 0)
                            || (m[i] == 0 && m[i + 1] == 0x28 && m[i + 2] == 0 && (m[i + 3] == 0x10 || m[i + 3] == 0x11))) {
                        int val = i + (m[i + 4] == 'U' ? 8 : 8);
                        if (val + 1 < m.length) {
                            m[val] = (byte) 0xFF;
                            m[val + 1] = (byte) 0xFF;
                        }
                    }
                }
            }
            default -> { // random bytes in a random window
                int at = r.nextInt(m.length);
                for (int i = at; i < Math.min(m.length, at + 1 + r.nextInt(64)); i++) {
                    m[i] = (byte) r.nextInt(256);
                }
            }
        }
        return m;
    }

    private static byte[] replace(byte[] m, Random r, String what, String[] with) {
        String s = new String(m, StandardCharsets.ISO_8859_1);
        int at = s.indexOf(what);
        if (at < 0) {
            return m;
        }
        String w = with[r.nextInt(with.length)];
        w = w.length() % 2 == 0 ? w : w + " ";
        // keep the element's length: overwrite in place where it fits, else grow the value (the length then lies)
        return (s.substring(0, at) + w.substring(0, Math.min(w.length(), what.length())) + s.substring(at + what.length()))
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void mutatedAndHostileFilesAreReadOrRefusedInOneLineWithin256MiB() throws Exception {
        Random r = new Random(SEED);
        List<byte[]> seeds = seeds();
        List<Map.Entry<String, Path>> inputs = new ArrayList<>();
        for (int i = 0; i < seeds.size(); i++) {
            inputs.add(Map.entry("dicom", Files.write(dir.resolve("seed" + i + ".dcm"), seeds.get(i))));
        }
        for (int i = 0; i < MUTANTS; i++) {
            byte[] m = mutate(seeds.get(r.nextInt(seeds.size())), r);
            if (r.nextInt(3) == 0) {
                m = mutate(m, r);
            }
            inputs.add(Map.entry(i % 5 == 0 ? "dicom-header" : "dicom", Files.write(dir.resolve("mutant" + i + ".dcm"), m)));
        }
        for (int frames : new int[] {600_000_000, 791_000_000, Integer.MAX_VALUE}) {
            inputs.add(Map.entry("dicom", Files.write(dir.resolve("frames" + frames + ".dcm"), HostileDicom.rleClaimingFrames(frames))));
        }
        inputs.add(Map.entry("dicom", Files.write(dir.resolve("rle4096.dcm"), HostileDicom.rleOfSize(4096, 4096))));
        inputs.add(Map.entry("dicom", Files.write(dir.resolve("rle6000.dcm"), HostileDicom.rleOfSize(6000, 6000))));
        inputs.add(Map.entry("dicom", Path.of("/dev/zero")));
        inputs.add(Map.entry("dicom", Files.createDirectory(dir.resolve("folder.dcm"))));
        Path fifo = dir.resolve("pipe.dcm");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            inputs.add(Map.entry("dicom", fifo));
        }
        List<ChildJvm.Outcome> outcomes = ChildJvm.run(dir, inputs, 10, 120);
        ChildJvm.assertContained(outcomes);
        long read = outcomes.stream().filter(o -> o.status().equals("OK")).count();
        assertTrue(read >= seeds.size(), "the seeds themselves are read: " + read);
        // 6000 x 6000 (137 MiB of ints and as much rendered) is within the pixel budget but not half of 256 MiB: refused by the heap check
        ChildJvm.Outcome big = outcomes.stream().filter(o -> o.path().endsWith("rle6000.dcm")).findFirst().orElseThrow();
        assertTrue(big.message().contains("more than half of this JVM's"), big.toString());
    }
}
