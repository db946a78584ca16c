package org.medvlm.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.data.ImageSource;
import org.medvlm.io.InputFileException;
import org.medvlm.io.Limit;
import org.medvlm.testing.Limits;

/**
 * Images are decoded only when whole and of a size within the budget: a JPEG cut to a third, a PNG without its end,
 * a header declaring 28,000 x 28,000 pixels are refused in one line naming the file, before any raster is allocated.
 */
@SuppressWarnings("try") // the try-with-resources only scope a limit
class ImageFilesTest {
    @TempDir Path dir;

    static BufferedImage noise(int w, int h) {
        Random r = new Random(7);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), format);
        return out.toByteArray();
    }

    private InputFileException refused(Path file) {
        InputFileException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(InputFileException.class, () -> ImageFiles.read(file)));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void wholeImagesDecode() throws IOException {
        BufferedImage img = noise(120, 90);
        for (String format : List.of("png", "jpg", "bmp", "gif")) {
            Path f = Files.write(dir.resolve("ok." + format), encode(img, format));
            BufferedImage back = ImageFiles.read(f);
            assertEquals(120, back.getWidth(), format);
            assertEquals(90, back.getHeight(), format);
            assertEquals(90, ImageFiles.read(Files.readAllBytes(f), "embedded").getHeight());
        }
    }

    @Test
    void cutImagesAreRefusedInEveryFormat() throws IOException {
        BufferedImage img = noise(160, 120);
        for (String format : List.of("jpg", "png", "gif", "bmp")) {
            byte[] whole = encode(img, format);
            for (int keep : new int[] {whole.length / 3, whole.length / 2, whole.length - 6, 200}) {
                Path f = Files.write(dir.resolve("cut" + keep + "." + format), Arrays.copyOf(whole, keep));
                String m = refused(f).getMessage();
                assertTrue(m.contains("truncated or corrupt image"), m);
                // the same bytes embedded in a dataset file (parquet exports)
                IOException e = assertThrows(IOException.class,
                        () -> new ImageSource.Embedded("row 3", Arrays.copyOf(whole, keep)).load());
                assertTrue(e.getMessage().startsWith("row 3: truncated or corrupt image"), e.getMessage());
            }
        }
    }

    @Test
    void theDeclaredSizeIsCheckedBeforeDecoding() throws IOException {
        for (int[] wh : new int[][] {{28_000, 28_000}, {20_000, 20_000}, {8193, 8193}, {65_535, 1_100}}) {
            Path png = Files.write(dir.resolve("big.png"), pngHeaderOnly(wh[0], wh[1]));
            assertTrue(Files.size(png) < 200);
            String m = refused(png).getMessage();
            assertTrue(m.contains(wh[0] + "x" + wh[1] + " pixels is too large to decode (limit 67108864"), m);
            Path jpg = Files.write(dir.resolve("big.jpg"), jpegDeclaring(Math.min(wh[0], 65_000), Math.min(wh[1], 65_000)));
            m = refused(jpg).getMessage();
            assertTrue(m.contains("pixels is too large to decode"), m);
        }
        Path small = Files.write(dir.resolve("small.png"), encode(noise(40, 30), "png"));
        try (var l = Limits.set(Limit.IMAGE_PIXELS, 40 * 30 - 1)) {
            assertTrue(refused(small).getMessage().contains("40x30 pixels is too large"));
        }
        try (var l = Limits.set(Limit.IMAGE_BYTES, 100)) {
            assertTrue(refused(small).getMessage().contains("bytes is too large (limit 100 bytes per image file"));
        }
        try (var l = Limits.set(Limit.IMAGE_PIXELS, 4_000_000_000L)) {
            // lifted: the heap still decides, in one line
            Path png = Files.write(dir.resolve("huge.png"), pngHeaderOnly(60_000, 60_000));
            String huge = refused(png).getMessage();
            assertTrue(huge.contains("more than half of this JVM's"), huge);
        }
    }

    @Test
    void whatIsNotAnImageFileIsNamed() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.jpg"), "not a picture");
        assertTrue(refused(text).getMessage().contains("not a readable image"));
        assertEquals(dir + ": is a folder, not a file", refused(dir).getMessage());
        assertEquals(dir.resolve("none.png") + ": no such file or folder", refused(dir.resolve("none.png")).getMessage());
    }

    @Test
    void noTemporaryFileIsWritten() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = imageioTemps(tmp);
        byte[] jpg = encode(noise(64, 64), "jpg");
        ImageFiles.read(jpg, "embedded");
        ImageFiles.read(Files.write(dir.resolve("a.jpg"), jpg));
        assertEquals(before, imageioTemps(tmp));
    }

    private static long imageioTemps(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("imageio")).count();
        }
    }

    /** A PNG whose header declares {@code w x h} grey pixels, followed by a tiny compressed row and IEND. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        Deflater d = new Deflater();
        d.setInput(new byte[64]);
        d.finish();
        byte[] z = new byte[128];
        chunk(out, "IDAT", Arrays.copyOf(z, d.deflate(z)));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A small JPEG whose SOF0 header is patched to declare {@code w x h}. */
    static byte[] jpegDeclaring(int w, int h) throws IOException {
        byte[] b = encode(noise(16, 16), "jpg");
        for (int i = 0; i + 8 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0xC0) {
                b[i + 5] = (byte) (h >> 8);
                b[i + 6] = (byte) h;
                b[i + 7] = (byte) (w >> 8);
                b[i + 8] = (byte) w;
                return b;
            }
        }
        throw new AssertionError("no SOF0 marker");
    }
}
