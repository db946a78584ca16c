package org.medvlm.qformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.Activation;
import org.medvlm.testing.Configs;
import org.medvlm.testing.ManagerFixture;
import org.medvlm.testing.RandomWeights;

/** The Q-Former on configs other than the reference's, with weights the test makes itself. */
class QFormerTest extends ManagerFixture {
    static QFormer.Config fourLayersEveryOther() {
        return QFormer.Config.fromJson(Configs.reader("{\"model_type\":\"blip_2_qformer\",\"hidden_size\":48,"
                + "\"num_hidden_layers\":4,\"num_attention_heads\":6,\"intermediate_size\":80,\"encoder_hidden_size\":40,"
                + "\"cross_attention_frequency\":2,\"layer_norm_eps\":1e-12,\"hidden_act\":\"gelu\"}"));
    }

    @Test
    void builderDefaultsAreBlip2sAndTheEncoderWidthIsRequired() {
        QFormer.Config c = QFormer.builder().setEncoderHiddenSize(768).build();
        assertEquals(32, c.numQueryTokens());
        assertEquals(2, c.crossAttentionFrequency());
        assertEquals(1e-12, c.layerNormEps());
        assertEquals(Activation.GELU, c.hiddenAct());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QFormer.builder().build());
        assertTrue(e.getMessage().contains("setEncoderHiddenSize"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QFormer.Config.fromJson(Configs.reader("{}")));
    }

    @Test
    void crossAttentionOnlyOnEveryFrequencyThLayerAndWeightsRoundTrip() throws IOException {
        QFormer.Config c = fourLayersEveryOther();
        {
            QFormer q = RandomWeights.load(new QFormer(c), manager, 1);
            Map<String, NDArray> p = q.stateDict();
            assertTrue(p.containsKey("encoder.layer.0.crossattention.attention.key.weight"));
            assertTrue(p.containsKey("encoder.layer.2.crossattention.output.LayerNorm.bias"));
            assertFalse(p.keySet().stream().anyMatch(k -> k.startsWith("encoder.layer.1.crossattention")
                    || k.startsWith("encoder.layer.3.crossattention")));
            assertEquals(new Shape(48, 40), p.get("encoder.layer.2.crossattention.attention.value.weight").getShape());
            assertEquals(new Shape(80, 48), p.get("encoder.layer.3.intermediate_query.dense.weight").getShape());
            assertEquals(2 + 2 * 26 + 2 * 16, p.size());
            manager.getEngine().setRandomSeed(9);
            NDArray queries = manager.randomNormal(new Shape(2, 5, 48));
            NDArray image = manager.randomNormal(new Shape(2, 11, 40));
            NDArray out = q.forward(queries, image);
            assertEquals(new Shape(2, 5, 48), out.getShape());
            Path file = dir.resolve("qformer.safetensors");
            SafetensorsWriter.write(file, p);
            try (StateDict sd = StateDict.open(file)) {
                QFormer loaded = QFormer.load(c, sd, manager, DataType.FLOAT32);
                assertArrayEquals(out.toFloatArray(), loaded.forward(queries, image).toFloatArray());
            }
            // the queries do look at the image
            NDArray other = q.forward(queries, manager.randomNormal(new Shape(2, 11, 40)));
            assertTrue(out.sub(other).abs().max().getFloat() > 1e-3);
        }
    }

    @Test
    void projectorMapsImageTokensToLanguageWidthAndLoadsFromBlip2Names() throws IOException {
        QFormer.Config c = QFormer.builder().setEncoderHiddenSize(24).optHiddenSize(32).optNumHiddenLayers(2)
                .optNumAttentionHeads(4).optIntermediateSize(64).optNumQueryTokens(6).build();
        {
            QFormerProjector p = RandomWeights.load(new QFormerProjector(c, 40), manager, 2);
            assertEquals(new Shape(1, 6, 32), p.stateDict().get("query_tokens").getShape());
            assertEquals(new Shape(40, 32), p.stateDict().get("language_projection.weight").getShape());
            assertTrue(p.stateDict().containsKey("qformer.encoder.layer.1.output_query.LayerNorm.weight"));
            NDArray image = manager.randomNormal(new Shape(3, 9, 24));
            NDArray prefix = p.forward(image);
            assertEquals(new Shape(3, 6, 40), prefix.getShape());

            // a whole BLIP-2 checkpoint: the vision and language parts are left to their own loaders
            Map<String, NDArray> blip2 = new LinkedHashMap<>(p.stateDict());
            blip2.put("vision_model.post_layernorm.weight", manager.ones(new Shape(24)));
            blip2.put("language_model.lm_head.weight", manager.ones(new Shape(2, 40)));
            Path file = dir.resolve("blip2.safetensors");
            SafetensorsWriter.write(file, blip2);
            try (StateDict sd = StateDict.open(file)) {
                QFormerProjector loaded = QFormerProjector.load(c, 40, sd, manager, DataType.FLOAT32);
                assertArrayEquals(prefix.toFloatArray(), loaded.forward(image).toFloatArray());
            }

            // the same weights under LAVIS names
            Map<String, NDArray> lavis = new LinkedHashMap<>();
            p.stateDict().forEach((k, v) -> lavis.put(toLavis(k), v));
            lavis.put("Qformer.cls.predictions.bias", manager.zeros(new Shape(3)));
            lavis.put("Qformer.bert.embeddings.word_embeddings.weight", manager.zeros(new Shape(3, 32)));
            lavis.put("Qformer.bert.encoder.layer.0.intermediate.dense.weight", manager.zeros(new Shape(64, 32)));
            Path lavisFile = dir.resolve("lavis.safetensors");
            SafetensorsWriter.write(lavisFile, lavis);
            try (StateDict sd = StateDict.open(lavisFile)) {
                QFormerProjector loaded = QFormerProjector.load(c, 40, LavisKeys.toHf(sd), manager, DataType.FLOAT32);
                assertTrue(LavisKeys.isLavis(sd));
                assertArrayEquals(prefix.toFloatArray(), loaded.forward(image).toFloatArray());
            }
        }
    }

    /** HF → LAVIS, written out independently of {@link LavisKeys} so the test checks the map. */
    static String toLavis(String hf) {
        if (hf.startsWith("qformer.layernorm.")) {
            return "Qformer.bert.embeddings.LayerNorm." + hf.substring("qformer.layernorm.".length());
        }
        if (hf.startsWith("language_projection.")) {
            return "opt_proj." + hf.substring("language_projection.".length());
        }
        if (hf.startsWith("qformer.")) {
            return "Qformer.bert." + hf.substring("qformer.".length()).replace("attention.attention.", "attention.self.");
        }
        return hf;
    }

    @Test
    void lavisRenamesAsTransformersConversionDoes() {
        assertEquals("qformer.encoder.layer.0.attention.attention.query.weight",
                LavisKeys.rename("Qformer.bert.encoder.layer.0.attention.self.query.weight"));
        assertEquals("qformer.encoder.layer.4.crossattention.attention.value.bias",
                LavisKeys.rename("Qformer.bert.encoder.layer.4.crossattention.self.value.bias"));
        assertEquals("qformer.layernorm.weight", LavisKeys.rename("Qformer.bert.embeddings.LayerNorm.weight"));
        assertEquals("language_projection.bias", LavisKeys.rename("opt_proj.bias"));
        assertEquals("vision_model.post_layernorm.weight", LavisKeys.rename("ln_vision.weight"));
        assertEquals("query_tokens", LavisKeys.rename("query_tokens"));
        assertEquals("qformer.encoder.layer.1.output_query.dense.weight",
                LavisKeys.rename("Qformer.bert.encoder.layer.1.output_query.dense.weight"));
        assertNull(LavisKeys.rename("Qformer.bert.encoder.layer.1.output.dense.weight"));
        assertNull(LavisKeys.rename("Qformer.cls.predictions.decoder.weight"));
        assertNull(LavisKeys.rename("Qformer.bert.embeddings.position_ids"));
    }
}
