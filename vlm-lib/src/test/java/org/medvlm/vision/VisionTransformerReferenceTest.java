package org.medvlm.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.testing.Configs;
import org.medvlm.testing.Shared;

/** The ViT against timm's outputs on ../shared/reference/vit-tiny (skipped without shared). */
class VisionTransformerReferenceTest {

    @Test
    void vitTinyMatchesTimm() throws Exception {
        Path dir = Shared.path("reference/vit-tiny");
        VisionTransformer.Config config = VisionTransformer.Config.fromJson(Configs.file(dir.resolve("config.json")));
        assertEquals(2, config.depth());
        assertEquals(17, config.numTokens());
        try (NDManager m = NDManager.newBaseManager();
             StateDict weights = StateDict.open(dir);
             StateDict reference = StateDict.open(dir.resolve("reference.safetensors"))) {
            VisionTransformer vit = VisionTransformer.load(config, weights, m, DataType.FLOAT32);
            Map<String, NDArray> ref = reference.toMap(m);
            VisionTransformer.Output out = vit.forward(ref.get("pixel_values"));
            assertEquals(ref.get("features").getShape(), out.features().getShape());
            assertEquals(ref.get("pooled").getShape(), out.pooled().getShape());
            float f = out.features().sub(ref.get("features")).abs().max().getFloat();
            float p = out.pooled().sub(ref.get("pooled")).abs().max().getFloat();
            assertTrue(f <= 1e-4, "features differ by " + f);
            assertTrue(p <= 1e-4, "pooled differs by " + p);
            // a real comparison: the outputs are far from zero
            assertTrue(ref.get("features").abs().max().getFloat() > 0.5f);
            {
                VisionTransformer again = VisionTransformer.fromDirectory(dir, m);
                assertTrue(again.forwardFeatures(ref.get("pixel_values")).sub(ref.get("features")).abs().max().getFloat() <= 1e-4);
            }
        }
    }
}
