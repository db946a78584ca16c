package org.medvlm.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BiomedCLIP preprocessing: shapes, normalisation, short-side resize + centre crop geometry, antialiasing. */
class PreprocessTest {
    static final Preprocess P = Preprocess.biomedClip();

    static BufferedImage filled(int w, int h, int type, Color c) {
        BufferedImage img = new BufferedImage(w, h, type);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    static float normalised(int value, int channel) {
        return (value / 255f - P.mean()[channel]) / P.std()[channel];
    }

    @Test
    void uniformImageGivesTheNormalisedColourEverywhere() {
        float[] px = P.pixels(filled(300, 500, BufferedImage.TYPE_INT_RGB, new Color(128, 64, 32)));
        assertEquals(3 * 224 * 224, px.length);
        int plane = 224 * 224;
        int[] rgb = {128, 64, 32};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i += 97) {
                assertEquals(normalised(rgb[c], c), px[c * plane + i], 1e-6, "channel " + c);
            }
        }
    }

    @Test
    void greyImagesKeepTheirValues() {
        // Java's getRGB would pass grey through a colour-space conversion and change 200 into another value
        float[] px = P.pixels(filled(224, 224, BufferedImage.TYPE_BYTE_GRAY, new Color(200, 200, 200)));
        assertEquals(normalised(200, 0), px[0], 1e-6);
        assertEquals(normalised(200, 2), px[2 * 224 * 224 + 5000], 1e-6);
    }

    @Test
    void shortSideTo224ThenCentreCrop() {
        // 448 x 224: the short side is already 224, so no resampling; the crop keeps columns 112..335,
        // where the input switches from black to white at column 224, i.e. output column 112
        BufferedImage img = filled(448, 224, BufferedImage.TYPE_INT_RGB, Color.BLACK);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(224, 0, 224, 224);
        g.dispose();
        float[] px = P.pixels(img);
        assertEquals(normalised(0, 0), px[100 * 224 + 111], 1e-6);
        assertEquals(normalised(255, 0), px[100 * 224 + 112], 1e-6);
        // 896 x 448 has the same picture at twice the size: after halving, the edge stays in the middle
        BufferedImage big = filled(896, 448, BufferedImage.TYPE_INT_RGB, Color.BLACK);
        g = big.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(448, 0, 448, 448);
        g.dispose();
        float[] half = P.pixels(big);
        assertEquals(normalised(0, 1), half[224 * 224 + 50 * 224 + 100], 1e-6);
        assertEquals(normalised(255, 1), half[224 * 224 + 50 * 224 + 124], 1e-6);
        assertTrue(half[50 * 224 + 111] < half[50 * 224 + 112], "the edge rises across the middle");
    }

    @Test
    void shrinkingAntialiasesFinePatterns() {
        // one-pixel stripes shrunk 4x must come out as mid grey, not as stripes (aliasing)
        BufferedImage img = new BufferedImage(896, 896, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 896; y++) {
            for (int x = 0; x < 896; x++) {
                img.setRGB(x, y, x % 2 == 0 ? 0xffffff : 0);
            }
        }
        float[] px = P.pixels(img);
        float lo = normalised(120, 0);
        float hi = normalised(136, 0);
        // away from the borders, where Pillow renormalises a truncated kernel over uneven stripes
        for (int y = 2; y < 222; y += 7) {
            for (int x = 2; x < 222; x++) {
                float v = px[y * 224 + x];
                assertTrue(v > lo && v < hi, "pixel (" + x + ", " + y + ") = " + v);
            }
        }
    }

    @Test
    void batchesStackSingleImages() {
        BufferedImage a = filled(250, 230, BufferedImage.TYPE_INT_RGB, Color.ORANGE);
        BufferedImage b = filled(230, 260, BufferedImage.TYPE_INT_ARGB, Color.CYAN);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray batch = P.apply(List.of(a, b), m);
            assertEquals(new Shape(2, 3, 224, 224), batch.getShape());
            assertArrayEquals(P.apply(b, m).toFloatArray(), batch.get(1).expandDims(0).toFloatArray());
        }
    }
}
