package org.medvlm.imaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.testing.Shared;

class ImagePreprocessorTest {
    @TempDir Path dir;

    private final ImagePreprocessor pre = ImagePreprocessor.clip(224);

    private static BufferedImage rgb(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] d = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = (y * w + x) * 3;
                // smooth structure plus noise, so that resampling has something to get wrong
                d[p] = (byte) (128 + 100 * Math.sin(x * 0.11) + r.nextInt(20));
                d[p + 1] = (byte) (128 + 100 * Math.cos(y * 0.07) + r.nextInt(20));
                d[p + 2] = (byte) ((x * 7 + y * 3) & 0xff);
            }
        }
        return img;
    }

    @Test
    void normalisationIsTorchFloat32() {
        // values from numpy float32: (v / 255 - mean) / std
        BufferedImage black = new BufferedImage(300, 300, BufferedImage.TYPE_3BYTE_BGR);
        float[] out = pre.apply(black);
        int plane = 224 * 224;
        assertEquals(-1.7922625541687012f, out[0]);
        assertEquals(-1.7520971298217773f, out[plane]);
        assertEquals(-1.480219841003418f, out[2 * plane + 5]);
        BufferedImage white = new BufferedImage(100, 180, BufferedImage.TYPE_BYTE_GRAY);
        java.util.Arrays.fill(((DataBufferByte) white.getRaster().getDataBuffer()).getData(), (byte) 255);
        out = pre.apply(white);
        assertEquals(1.9303361177444458f, out[17]);
        assertEquals(2.0748836994171143f, out[plane + 17]);
        assertEquals(2.1458969116210938f, out[2 * plane + 17]);
    }

    @Test
    void aConstantImageStaysConstantAtAnyScale() {
        for (int[] wh : new int[][] {{300, 500}, {1024, 659}, {50, 40}, {224, 224}}) {
            BufferedImage img = new BufferedImage(wh[0], wh[1], BufferedImage.TYPE_3BYTE_BGR);
            byte[] d = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int p = 0; p < d.length; p += 3) {
                d[p] = (byte) 250; // B
                d[p + 1] = (byte) 128; // G
                d[p + 2] = (byte) 10; // R
            }
            int[] rgb = pre.resizedRgb(img);
            for (int i = 0; i < rgb.length; i += 3) {
                assertEquals(10, rgb[i]);
                assertEquals(128, rgb[i + 1]);
                assertEquals(250, rgb[i + 2]);
            }
        }
    }

    /** With the short side already 224 nothing is resampled and the crop can be read off directly. */
    @Test
    void centreCropGeometryRoundsHalfToEven() {
        for (int[] hTop : new int[][] {{300, 38}, {225, 0}, {227, 2}, {226, 1}}) {
            int h = hTop[0];
            BufferedImage img = new BufferedImage(224, h, BufferedImage.TYPE_BYTE_GRAY);
            byte[] d = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < 224; x++) {
                    d[y * 224 + x] = (byte) (y ^ x);
                }
            }
            int[] rgb = pre.resizedRgb(img);
            int top = hTop[1];
            for (int y = 0; y < 224; y += 37) {
                for (int x = 0; x < 224; x += 11) {
                    assertEquals(((y + top) ^ x) & 0xff, rgb[3 * (y * 224 + x)], "h=" + h + " y=" + y + " x=" + x);
                }
            }
        }
        // landscape: the crop is horizontal, left = round((300 - 224) / 2) = 38
        BufferedImage img = new BufferedImage(300, 224, BufferedImage.TYPE_BYTE_GRAY);
        byte[] d = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i % 300);
        }
        assertEquals(38, pre.resizedRgb(img)[0]);
        assertEquals((38 + 223) & 0xff, pre.resizedRgb(img)[3 * 223]); // bytes wrap at 256
    }

    @Test
    void halvingAveragesWithTheCubicKernel() {
        // 448 -> 224: each output is a 8-tap cubic (a = -0.5, widened x2) over a column of alternating
        // 0/200 stripes; the kernel is symmetric around a pixel boundary, so both phases weigh equally: 100
        BufferedImage img = new BufferedImage(448, 448, BufferedImage.TYPE_BYTE_GRAY);
        byte[] d = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < 448; y++) {
            for (int x = 0; x < 448; x++) {
                d[y * 448 + x] = (byte) (x % 2 == 0 ? 0 : 200);
            }
        }
        int[] rgb = pre.resizedRgb(img);
        assertEquals(100, rgb[3 * (100 * 224 + 100)]);
        assertEquals(100, rgb[3 * (7 * 224 + 50)]);
    }

    @Test
    void greyAndEqualChannelImagesGiveTheSameAsFullColour() {
        BufferedImage colour = rgb(400, 333, 5);
        BufferedImage grey = new BufferedImage(400, 333, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage greyAsRgb = new BufferedImage(400, 333, BufferedImage.TYPE_3BYTE_BGR);
        byte[] c = ((DataBufferByte) colour.getRaster().getDataBuffer()).getData();
        byte[] g = ((DataBufferByte) grey.getRaster().getDataBuffer()).getData();
        byte[] gr = ((DataBufferByte) greyAsRgb.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < g.length; i++) {
            g[i] = c[3 * i + 1];
            gr[3 * i] = g[i];
            gr[3 * i + 1] = g[i];
            gr[3 * i + 2] = g[i];
        }
        int[] fromColour = pre.resizedRgb(colour); // G channel resampled among three
        int[] fromGrey = pre.resizedRgb(grey);
        int[] fromGreyRgb = pre.resizedRgb(greyAsRgb);
        assertArrayEquals(fromGrey, fromGreyRgb);
        for (int i = 0; i < fromGrey.length; i += 3) {
            assertEquals(fromColour[i + 1], fromGrey[i]);
        }
    }

    @Test
    void greyRastersKeepTheirValuesWhateverTheirLayout() {
        // 16-bit grey and a grey sub-image are read from the raster: Java's getRGB would pass them through a
        // linear-grey-to-sRGB conversion and turn 200 into another value
        BufferedImage wide = new BufferedImage(300, 250, BufferedImage.TYPE_USHORT_GRAY);
        java.util.Arrays.fill(((java.awt.image.DataBufferUShort) wide.getRaster().getDataBuffer()).getData(), (short) (200 * 257));
        BufferedImage byteGrey = new BufferedImage(300, 300, BufferedImage.TYPE_BYTE_GRAY);
        java.util.Arrays.fill(((DataBufferByte) byteGrey.getRaster().getDataBuffer()).getData(), (byte) 200);
        for (BufferedImage img : List.of(wide, byteGrey.getSubimage(10, 20, 250, 260))) {
            int[] rgb = pre.resizedRgb(img);
            for (int i = 0; i < rgb.length; i += 101) {
                assertEquals(200, rgb[i], "type " + img.getType() + " sample " + i);
            }
        }
    }

    @Test
    void packedIntImagesGiveTheSameAsByteImages() {
        BufferedImage bytes = rgb(410, 300, 8);
        BufferedImage packed = new BufferedImage(410, 300, BufferedImage.TYPE_INT_RGB);
        BufferedImage withAlpha = new BufferedImage(410, 300, BufferedImage.TYPE_INT_ARGB);
        BufferedImage bigger = new BufferedImage(420, 300, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 410; x++) {
                int v = bytes.getRGB(x, y) & 0xffffff;
                packed.setRGB(x, y, v);
                withAlpha.setRGB(x, y, (x % 3 == 0 ? 0x40 : 0xff) << 24 | v); // alpha is dropped, not blended
                bigger.setRGB(x + 10, y, v);
            }
        }
        int[] expected = pre.resizedRgb(bytes);
        assertArrayEquals(expected, pre.resizedRgb(packed));
        assertArrayEquals(expected, pre.resizedRgb(withAlpha));
        assertArrayEquals(expected, pre.resizedRgb(bigger.getSubimage(10, 0, 410, 300))); // through getRGB
    }

    @Test
    void shrinkingAntialiasesFineStripes() {
        // one-pixel stripes shrunk 4x come out as mid grey, not as stripes (which Java2D's bicubic would alias into)
        BufferedImage img = new BufferedImage(896, 896, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 896; y++) {
            for (int x = 0; x < 896; x++) {
                img.setRGB(x, y, x % 2 == 0 ? 0xffffff : 0);
            }
        }
        int[] rgb = pre.resizedRgb(img);
        // away from the borders, where Pillow renormalises a truncated kernel over uneven stripes
        for (int y = 2; y < 222; y += 7) {
            for (int x = 2; x < 222; x++) {
                int v = rgb[3 * (y * 224 + x)];
                assertTrue(v > 120 && v < 136, "pixel (" + x + ", " + y + ") = " + v);
            }
        }
    }

    @Test
    void badFilesNameTheFile() throws IOException {
        Path txt = dir.resolve("notes.jpg");
        Files.writeString(txt, "this is not a JPEG");
        IOException e = assertThrows(IOException.class, () -> pre.apply(txt));
        assertTrue(e.getMessage().startsWith(txt.toString()), e.getMessage());
        Path missing = dir.resolve("missing.jpg");
        e = assertThrows(IOException.class, () -> pre.apply(missing));
        assertEquals(missing + ": no such file or folder", e.getMessage());
        Path truncated = dir.resolve("cut.jpg");
        ImageIO.write(rgb(300, 300, 1), "jpg", truncated.toFile());
        byte[] all = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(all, 200));
        e = assertThrows(IOException.class, () -> pre.apply(truncated));
        assertTrue(e.getMessage().startsWith(truncated.toString()), e.getMessage());
    }

    @Test
    void batchOnTwoThreadsEqualsOneByOne() throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Path f = dir.resolve("img" + i + ".jpg");
            ImageIO.write(rgb(260 + 40 * i, 300 - 10 * i, i), "jpg", f.toFile());
            files.add(f);
        }
        float[] batch = pre.applyAll(files, 2);
        assertEquals(5 * pre.length(), batch.length);
        for (int i = 0; i < files.size(); i++) {
            float[] one = pre.apply(files.get(i));
            assertArrayEquals(one, java.util.Arrays.copyOfRange(batch, i * pre.length(), (i + 1) * pre.length()));
        }
    }

    /**
     * Against Pillow itself where {@code /usr/bin/python3} has it (Debian python3-pil); skipped
     * otherwise. Raw pixels go in, so only the resampling is compared: it must be bit-exact.
     */
    @Test
    void bitExactAgainstPillowWhereInstalled() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python) && run(python, "import PIL", new byte[0]).exit == 0,
                "no /usr/bin/python3 with Pillow: comparison with PIL's bicubic skipped");
        for (int[] wh : new int[][] {{37, 53}, {300, 211}, {1024, 659}, {225, 990}}) {
            BufferedImage img = rgb(wh[0], wh[1], wh[0]);
            byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
            byte[] rgbBytes = new byte[bgr.length];
            for (int p = 0; p < bgr.length; p += 3) {
                rgbBytes[p] = bgr[p + 2];
                rgbBytes[p + 1] = bgr[p + 1];
                rgbBytes[p + 2] = bgr[p];
            }
            // torchvision's Resize(224) + CenterCrop(224) on a PIL image, written out here
            String script = String.join("\n",
                    "import sys",
                    "from PIL import Image",
                    "w, h = " + wh[0] + ", " + wh[1],
                    "im = Image.frombytes('RGB', (w, h), sys.stdin.buffer.read())",
                    "s = 224",
                    "nw, nh = (s, int(s * h / w)) if w <= h else (int(s * w / h), s)",
                    "im = im.resize((nw, nh), Image.BICUBIC)",
                    "l, t = int(round((nw - s) / 2.0)), int(round((nh - s) / 2.0))",
                    "sys.stdout.buffer.write(im.crop((l, t, l + s, t + s)).tobytes())");
            Result r = run(python, script, rgbBytes);
            assertEquals(0, r.exit, new String(r.out, StandardCharsets.UTF_8));
            int[] ours = pre.resizedRgb(img);
            assertEquals(ours.length, r.out.length);
            int diff = 0;
            for (int i = 0; i < ours.length; i++) {
                if (ours[i] != (r.out[i] & 0xff)) {
                    diff++;
                }
            }
            assertEquals(0, diff, wh[0] + "x" + wh[1] + ": samples differing from Pillow");
        }
    }

    /** Real JPEGs: the decoders differ (libjpeg vs the JDK's), so a small tolerance. */
    @Test
    void realJpegsAgreeWithPillowWithinDecoderNoise() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Path img = Shared.path("external/medvqa/vqa-rad/Harsh-Toshniwal__MUMC/data_RAD/images/synpic100228.jpg");
        Assumptions.assumeTrue(Files.isExecutable(python) && run(python, "import PIL", new byte[0]).exit == 0,
                "no /usr/bin/python3 with Pillow: comparison skipped");
        String script = String.join("\n",
                "import sys",
                "from PIL import Image",
                "im = Image.open(sys.argv[1]).convert('RGB')",
                "w, h = im.size",
                "s = 224",
                "nw, nh = (s, int(s * h / w)) if w <= h else (int(s * w / h), s)",
                "im = im.resize((nw, nh), Image.BICUBIC)",
                "l, t = int(round((nw - s) / 2.0)), int(round((nh - s) / 2.0))",
                "sys.stdout.buffer.write(im.crop((l, t, l + s, t + s)).tobytes())");
        Result r = run(python, script, new byte[0], img.toString());
        assertEquals(0, r.exit);
        int[] ours = pre.resizedRgb(ImageIO.read(img.toFile()));
        double sum = 0;
        int max = 0;
        for (int i = 0; i < ours.length; i++) {
            int d = Math.abs(ours[i] - (r.out[i] & 0xff));
            sum += d;
            max = Math.max(max, d);
        }
        assertTrue(sum / ours.length < 0.6, "mean abs difference " + sum / ours.length);
        assertTrue(max <= 6, "max abs difference " + max);
    }

    private record Result(int exit, byte[] out) {}

    private static Result run(Path python, String script, byte[] stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python.toString(), "-c", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        return new Result(p.waitFor(), out);
    }
}
