package org.medvlm.vlm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The attention map's mechanics on both fusions: a normalised grid, a peak inside the seen square, an overlay. */
class AttentionMapTest {

    @ParameterizedTest
    @EnumSource(Fusion.class)
    void mapsTheAnswerOntoThePatchGrid(Fusion fusion) {
        try (VisionLanguageModel vlm = VlmLoader.builtinRandom(fusion, 4)) {
            BufferedImage image = VisionLanguageModelTest.scan(2, 120, 80); // wide: the model sees the centre 80x80
            AttentionMap map = vlm.explain(image, "Is there a lesion?");
            int grid = vlm.config().vision().gridSize();
            assertEquals(grid, map.grid());
            float max = 0;
            float min = Float.MAX_VALUE;
            for (float h : map.heat()) {
                max = Math.max(max, h);
                min = Math.min(min, h);
            }
            assertEquals(1f, max, 1e-6, "scaled to a maximum of 1");
            assertTrue(min >= 0 && min < 1, "not flat: " + min);
            double[] peak = map.peak();
            assertTrue(peak[0] >= 20 && peak[0] <= 100 && peak[1] >= 0 && peak[1] <= 80, "inside the centre crop: " + peak[0] + "," + peak[1]);
            assertEquals(1.0, map.heatAt(peak[0], peak[1]), 1e-6);
            assertEquals(0.0, map.heatAt(5, 40), "outside the part the model saw");
            assertEquals(vlm.ask(image, "Is there a lesion?").text(), map.answer());
            BufferedImage overlay = map.overlay();
            assertTrue(overlay.getWidth() >= 224 && overlay.getWidth() == overlay.getHeight());
            assertEquals(1, map.table().rowCount());
        }
    }
}
