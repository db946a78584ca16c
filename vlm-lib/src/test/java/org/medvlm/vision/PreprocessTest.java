package org.medvlm.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The settings record and the tensors it builds; the pixel arithmetic itself (Pillow's bicubic, the crop, grey
 * rasters, antialiasing) is tested with {@link org.medvlm.imaging.ImagePreprocessor}.
 */
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
        try (NDManager m = NDManager.newBaseManager()) {
            float[] px = P.apply(filled(300, 500, BufferedImage.TYPE_INT_RGB, new Color(128, 64, 32)), m).toFloatArray();
            assertEquals(3 * 224 * 224, px.length);
            int plane = 224 * 224;
            int[] rgb = {128, 64, 32};
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < plane; i += 97) {
                    assertEquals(normalised(rgb[c], c), px[c * plane + i], 1e-6, "channel " + c);
                }
            }
        }
    }

    @Test
    void otherSizesAndNormalisationsAreHonoured() {
        Preprocess small = new Preprocess(64, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
        float[] px = small.pixels(filled(100, 80, BufferedImage.TYPE_INT_RGB, Color.WHITE));
        assertEquals(3 * 64 * 64, px.length);
        assertEquals(1f, px[3 * 64 * 64 - 1], 1e-6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Preprocess(224, P.mean(), P.std(), "bilinear"));
        assertEquals("interpolation 'bilinear' is not supported (bicubic)", e.getMessage());
    }

    @Test
    void batchesStackSingleImages() {
        BufferedImage a = filled(250, 230, BufferedImage.TYPE_INT_RGB, Color.ORANGE);
        BufferedImage b = filled(230, 260, BufferedImage.TYPE_INT_ARGB, Color.CYAN);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray batch = P.apply(List.of(a, b), m);
            assertEquals(new Shape(2, 3, 224, 224), batch.getShape());
            assertArrayEquals(P.apply(b, m).toFloatArray(), batch.get(1).expandDims(0).toFloatArray());
            assertArrayEquals(P.pixels(a), batch.get(0).toFloatArray());
        }
    }
}
