package org.medvlm.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.imaging.ImagePreprocessor;
import org.medvlm.vlm.PromptTemplate;
import org.medvlm.vlm.Tokenizer;

/**
 * The Python trainer's pixels (Pillow decode + medvlm.data.preprocess) equal the Java pipeline's
 * (ImagePreprocessor: Pillow-exact bicubic) within 1e-6, for phantoms as prepared and for RGB, grey and palette
 * images of odd, wide and tall sizes, at the tiny model's 64 px and BiomedCLIP's 224 px.
 */
class PythonPixelsTest {
    @TempDir Path dir;

    @Test
    void pythonPreprocessingEqualsJavas() throws Exception {
        String python = PythonTorch.require();
        List<Path> images = new ArrayList<>();
        try (Tokenizer t = Tokenizer.builtin()) {
            PreparedData.prepare("phantoms:3:5", t, null, PromptTemplate.BLOOMZ, dir.resolve("ph"));
        }
        try (Stream<Path> s = Files.list(dir.resolve("ph/images"))) {
            s.sorted().forEach(images::add);
        }
        Random rnd = new Random(3);
        BufferedImage rgb = new BufferedImage(301, 199, BufferedImage.TYPE_INT_RGB);
        BufferedImage grey = new BufferedImage(97, 131, BufferedImage.TYPE_BYTE_GRAY);
        byte[] r = new byte[16];
        byte[] g = new byte[16];
        byte[] b = new byte[16];
        rnd.nextBytes(r);
        rnd.nextBytes(g);
        rnd.nextBytes(b);
        BufferedImage palette = new BufferedImage(80, 61, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(4, 16, r, g, b));
        for (BufferedImage img : List.of(rgb, grey, palette)) {
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int v = (x * 7 + y * 3) % 256;
                    img.setRGB(x, y, (v << 16) | (((v + rnd.nextInt(40)) & 255) << 8) | (255 - v));
                }
            }
            Path f = dir.resolve("img" + images.size() + ".png");
            ImageIO.write(img, "png", f.toFile());
            images.add(f);
        }
        String script = String.join("\n", "import sys", "from medvlm.data import preprocess",
                "size = int(sys.argv[1])",
                "for p in sys.argv[2:]:",
                "    open(p + '.' + str(size) + '.f32', 'wb').write(preprocess(p, size).numpy().astype('<f4').tobytes())");
        int compared = 0;
        for (int size : new int[] {64, 224}) {
            List<String> argv = new ArrayList<>(List.of(python, "-c", script, Integer.toString(size)));
            images.forEach(p -> argv.add(p.toString()));
            PythonEnv.Result res = PythonEnv.run(argv, Optional.of(PythonEnv.packageRoot()), 300);
            assertEquals(0, res.code(), res.output());
            ImagePreprocessor pre = ImagePreprocessor.clip(size);
            for (Path p : images) {
                float[] java = pre.apply(p);
                ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(Path.of(p + "." + size + ".f32"))).order(ByteOrder.LITTLE_ENDIAN);
                assertEquals(java.length * 4, bytes.capacity(), p.toString());
                double max = 0;
                for (float v : java) {
                    max = Math.max(max, Math.abs(v - bytes.getFloat()));
                }
                assertTrue(max <= 1e-6, p + " at " + size + " px differs by " + max);
                compared++;
            }
        }
        assertEquals(2 * 6, compared);
    }
}
