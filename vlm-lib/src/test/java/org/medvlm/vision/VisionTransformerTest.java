package org.medvlm.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medvlm.checkpoint.StateDictMismatchException;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.testing.Configs;
import org.medvlm.testing.ManagerFixture;
import org.medvlm.testing.RandomWeights;

/** The ViT on configs other than the reference's, with weights the test makes and saves itself. */
class VisionTransformerTest extends ManagerFixture {
    static VisionTransformer.Config config(String json) {
        return VisionTransformer.Config.fromJson(Configs.reader(json));
    }

    static NDArray pixels(VisionTransformer.Config c, int batch) {
        manager.getEngine().setRandomSeed(7);
        return manager.randomNormal(new Shape(batch, c.inChans(), c.imgSize(), c.imgSize()));
    }

    @Test
    void defaultsAreBiomedClipsVitB16() {
        VisionTransformer.Config c = VisionTransformer.Config.vitBasePatch16_224();
        assertEquals(197, c.numTokens());
        assertEquals(3072, c.mlpHidden());
        assertEquals(1e-6, c.layerNormEps());
        assertEquals(c, config("{\"model_type\": \"timm_vit\"}"));
    }

    @Test
    void configFieldsAreHonouredAndWeightsRoundTrip() throws IOException {
        // three blocks, six heads of width 8, patch 16 on 64 pixels, no qkv bias, mlp_ratio 2
        VisionTransformer.Config c = config("{\"model_type\":\"timm_vit\",\"img_size\":64,\"patch_size\":16,"
                + "\"embed_dim\":48,\"depth\":3,\"num_heads\":6,\"mlp_ratio\":2.0,\"qkv_bias\":false,\"layer_norm_eps\":1e-6,"
                + "\"class_token\":true}");
        {
            VisionTransformer vit = RandomWeights.load(new VisionTransformer(c), manager, 1);
            Map<String, NDArray> p = vit.stateDict();
            assertEquals(new Shape(144, 48), p.get("blocks.2.attn.qkv.weight").getShape());
            assertFalse(p.containsKey("blocks.0.attn.qkv.bias"));
            assertEquals(new Shape(96, 48), p.get("blocks.1.mlp.fc1.weight").getShape());
            assertEquals(new Shape(1, 17, 48), p.get("pos_embed").getShape());
            assertEquals(4 + 3 * 11 + 2, p.size());
            NDArray x = pixels(c, 2);
            VisionTransformer.Output out = vit.forward(x);
            assertEquals(new Shape(2, 17, 48), out.features().getShape());
            assertArrayEquals(out.features().get(new NDIndex(":, 0")).toFloatArray(), out.pooled().toFloatArray());

            Path file = dir.resolve("vit.safetensors");
            SafetensorsWriter.write(file, p);
            try (StateDict sd = StateDict.open(file)) {
                VisionTransformer loaded = VisionTransformer.load(c, sd, manager, DataType.FLOAT32);
                assertArrayEquals(out.features().toFloatArray(), loaded.forwardFeatures(x).toFloatArray());
            }
            // the same file under a deeper config fails, naming what is missing
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> {
                try (StateDict sd = StateDict.open(file)) {
                    VisionTransformer.load(c.withDepth(4), sd, manager, DataType.FLOAT32);
                }
            });
            assertTrue(e.getMessage().contains("missing") && e.getMessage().contains("blocks.3.norm1.weight"), e.getMessage());
            assertTrue(e.getMessage().startsWith(file.toString()), "the message names the file: " + e.getMessage());
        }
    }

    @Test
    void eachImageIsEncodedIndependentlyOfTheBatch() {
        VisionTransformer.Config c = config("{\"img_size\":32,\"patch_size\":8,\"embed_dim\":32,\"depth\":2,\"num_heads\":4}");
        {
            VisionTransformer vit = RandomWeights.load(new VisionTransformer(c), manager, 2);
            NDArray x = pixels(c, 3);
            NDArray all = vit.forwardFeatures(x);
            NDArray one = vit.forwardFeatures(x.get(new NDIndex("1:2")));
            float diff = all.get(new NDIndex("1:2")).sub(one).abs().max().getFloat();
            assertTrue(diff < 1e-5, "batch entry 1 alone differs by " + diff);
            // and different images give different features
            assertTrue(all.get(new NDIndex("0")).sub(all.get(new NDIndex("2"))).abs().max().getFloat() > 1e-3);
        }
    }

    @Test
    void optionalPartsFollowTimm() {
        // no class token → average pooling through fc_norm, and no final norm; pre_norm → norm_pre and
        // a bias-free patch embedding; init_values → LayerScale gammas
        VisionTransformer.Config c = config("{\"img_size\":32,\"patch_size\":16,\"embed_dim\":16,\"depth\":1,\"num_heads\":2,"
                + "\"class_token\":false,\"global_pool\":\"avg\",\"pre_norm\":true,\"init_values\":1e-5,\"num_classes\":5}");
        {
            VisionTransformer vit = RandomWeights.load(new VisionTransformer(c), manager, 3);
            Map<String, NDArray> p = vit.stateDict();
            assertTrue(p.containsKey("fc_norm.weight") && p.containsKey("norm_pre.bias") && p.containsKey("blocks.0.ls2.gamma"));
            assertFalse(p.containsKey("norm.weight") || p.containsKey("cls_token") || p.containsKey("patch_embed.proj.bias"));
            assertEquals(new Shape(1, 4, 16), p.get("pos_embed").getShape());
            VisionTransformer.Output out = vit.forward(pixels(c, 2));
            assertEquals(new Shape(2, 4, 16), out.features().getShape());
            assertEquals(new Shape(2, 16), out.pooled().getShape());
            assertEquals(new Shape(2, 5), vit.logits(out.pooled()).getShape());
        }
    }

    @Test
    void biomedClipNamesLoadThroughTheConversion() throws IOException {
        VisionTransformer.Config c = config("{\"img_size\":32,\"patch_size\":16,\"embed_dim\":16,\"depth\":1,\"num_heads\":2}");
        {
            VisionTransformer vit = RandomWeights.load(new VisionTransformer(c), manager, 4);
            Map<String, NDArray> openClip = new LinkedHashMap<>();
            vit.stateDict().forEach((k, v) -> openClip.put("visual.trunk." + k, v));
            openClip.put("visual.head.proj.weight", manager.randomNormal(new Shape(12, 16)));
            openClip.put("text.transformer.embeddings.word_embeddings.weight", manager.zeros(new Shape(4, 8)));
            openClip.put("logit_scale", manager.create(4.6f));
            Path file = dir.resolve("open_clip.safetensors");
            SafetensorsWriter.write(file, openClip);
            try (StateDict sd = StateDict.open(file)) {
                assertTrue(BiomedClipKeys.isOpenClip(sd));
                assertEquals("blocks.0.attn.qkv.weight", BiomedClipKeys.rename("visual.trunk.blocks.0.attn.qkv.weight"));
                {
                VisionTransformer loaded = VisionTransformer.load(c, BiomedClipKeys.toTimm(sd), manager, DataType.FLOAT32);
                    NDArray x = pixels(c, 1);
                    assertArrayEquals(vit.forwardFeatures(x).toFloatArray(), loaded.forwardFeatures(x).toFloatArray());
                    NDArray embedding = BiomedClipKeys.imageProjection(sd, 16, manager).orElseThrow()
                            .forward(loaded.forward(x).pooled());
                    assertEquals(new Shape(1, 12), embedding.getShape());
                    assertEquals(DataType.FLOAT32, embedding.getDataType());
                }
            }
        }
    }

    @Test
    void wrongInputsAndConfigsAreRefusedByName() {
        VisionTransformer.Config c = config("{\"img_size\":32,\"patch_size\":16,\"embed_dim\":16,\"depth\":1,\"num_heads\":2}");
        {
            VisionTransformer vit = RandomWeights.load(new VisionTransformer(c), manager, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> vit.forwardFeatures(manager.zeros(new Shape(1, 3, 224, 224))));
            assertTrue(e.getMessage().contains("[B, 3, 32, 32]"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> config("{\"embed_dim\":10,\"num_heads\":3}"));
        assertThrows(IllegalArgumentException.class, () -> config("{\"img_size\":30,\"patch_size\":16}"));
        assertThrows(IllegalArgumentException.class, () -> config("{\"global_pool\":\"map\"}"));
    }
}
