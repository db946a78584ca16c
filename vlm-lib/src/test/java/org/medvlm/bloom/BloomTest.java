package org.medvlm.bloom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.generate.GenerationConfig;
import org.medvlm.generate.Generator;
import org.medvlm.checkpoint.StateDictMismatchException;
import org.medvlm.testing.Configs;

/** Behaviour on a random tiny model, so it runs without ../shared. */
class BloomTest {
    private static final long[][] IDS = {{5, 17, 42, 8, 63, 21, 90, 3, 11}};

    private static double maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void leftPaddedRowGivesTheUnpaddedLogits() {
        try (NDManager m = NDManager.newBaseManager()) {
            Bloom model = TinyBloom.model(m, 1);
            NDArray alone = model.logits(m.create(IDS), m.ones(new ai.djl.ndarray.types.Shape(1, 9), DataType.INT64));
            long[][] padded = {{0, 0, 0, 5, 17, 42, 8, 63, 21, 90, 3, 11}};
            long[][] mask = {{0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1}};
            NDArray withPad = model.logits(m.create(padded), m.create(mask));
            double d = maxDiff(withPad.get(new NDIndex(":, 3:, :")), alone);
            assertTrue(d < 1e-5, "padded row differs by " + d);
            assertTrue(Float.isFinite(withPad.abs().max().getFloat()), "fully padded positions stay finite");
        }
    }

    @Test
    void cachedDecodingEqualsFullRecomputation() {
        try (NDManager m = NDManager.newBaseManager()) {
            Bloom model = TinyBloom.model(m, 2);
            long[][] ids = {{0, 0, 7, 8, 9, 10, 11, 12}, {1, 2, 3, 4, 5, 6, 7, 8}};
            long[][] mask = {{0, 0, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1}};
            NDArray full = model.logits(m.create(ids), m.create(mask)); // (2, 8, V)
            try (KvCache cache = new KvCache(m, model.config(), 2, 8, DataType.FLOAT32)) {
                // prefill 5 tokens, then one token at a time
                NDArray h = model.forward(model.embed(m.create(ids).get(":, :5")), m.create(mask).get(":, :5"), cache);
                // fully padded query rows attend to every key in HF (uniformly), so only real positions compare
                assertTrue(maxDiff(model.lmHead(h).get(":, 2:, :"), full.get(":, 2:5, :")) < 1e-5);
                for (int t = 5; t < 8; t++) {
                    NDArray step = model.forward(model.embed(m.create(ids).get(new NDIndex(":, {}:{}", t, t + 1))),
                            m.create(mask).get(new NDIndex(":, :{}", t + 1)), cache);
                    double d = maxDiff(model.lmHead(step), full.get(new NDIndex(":, {}:{}, :", t, t + 1)));
                    assertTrue(d < 1e-5, "position " + t + " differs by " + d);
                }
                assertEquals(8, cache.length());
                NDArray one = model.embed(m.create(new long[][] {{1}, {1}}));
                NDArray nineMask = m.ones(new ai.djl.ndarray.types.Shape(2, 9), DataType.INT64);
                assertThrows(IllegalStateException.class, () -> model.forward(one, nineMask, cache), "cache capacity is enforced");
            }
        }
    }

    @Test
    void inputsEmbedsEqualIds() {
        try (NDManager m = NDManager.newBaseManager()) {
            Bloom model = TinyBloom.model(m, 3);
            NDArray ids = m.create(IDS);
            NDArray mask = ids.onesLike();
            NDArray viaEmbeds = model.lmHead(model.forward(model.embed(ids), mask, null));
            assertArrayEquals(model.logits(ids, mask).toFloatArray(), viaEmbeds.toFloatArray(), 0f);
        }
    }

    @Test
    void visualPrefixIsPrependedOnTheFirstStepOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Bloom model = TinyBloom.model(m, 4);
            // a "visual" prefix that happens to be the embeddings of tokens 5, 17: generation must then continue
            // exactly as for the prompt 5, 17, 42, 8
            NDArray prefix = model.embed(m.create(new long[][] {{5, 17}}));
            GenerationConfig g = GenerationConfig.greedy(6);
            List<long[]> withPrefix = Generator.generate(BloomLm.of(model).withPrefix(prefix), m, new long[][] {{42, 8}}, g);
            List<long[]> plain = Generator.generate(BloomLm.of(model), m, new long[][] {{5, 17, 42, 8}}, g);
            assertArrayEquals(plain.get(0), withPrefix.get(0));
            List<long[]> beams = Generator.generate(BloomLm.of(model).withPrefix(prefix), m, new long[][] {{42, 8}},
                    GenerationConfig.beam(4, 3));
            assertEquals(4, beams.get(0).length);
        }
    }

    @Test
    void loadsHubAndCausalLmKeysThroughSafetensors(@TempDir Path dir) throws java.io.IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = TinyBloom.weights(m, 5);
            Map<String, NDArray> prefixed = new LinkedHashMap<>();
            w.forEach((k, v) -> prefixed.put("transformer." + k, v));
            prefixed.put("lm_head.weight", w.get("word_embeddings.weight").duplicate()); // tied: ignored like HF does
            SafetensorsWriter.write(dir.resolve("model.safetensors"), prefixed);
            Bloom fromFile;
            try (StateDict file = StateDict.open(dir.resolve("model.safetensors"))) {
                fromFile = Bloom.load(TinyBloom.CONFIG, file, m, ai.djl.ndarray.types.DataType.FLOAT32);
            }
            Bloom direct = TinyBloom.load(TinyBloom.CONFIG, w);
            NDArray ids = m.create(IDS);
            assertArrayEquals(direct.logits(ids, ids.onesLike()).toFloatArray(), fromFile.logits(ids, ids.onesLike()).toFloatArray(), 0f);
        }
    }

    @Test
    void strictLoadNamesWhatIsWrong() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>(TinyBloom.weights(m, 6));
            w.remove("h.1.mlp.dense_4h_to_h.bias");
            w.put("h.0.self_attention.query_key_value.weight", m.zeros(new ai.djl.ndarray.types.Shape(48, 144)));
            w.put("h.9.extra.weight", m.zeros(new ai.djl.ndarray.types.Shape(2)));
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> TinyBloom.load(TinyBloom.CONFIG, w));
            assertEquals(List.of("h.1.mlp.dense_4h_to_h.bias"), e.missing());
            assertEquals(List.of("h.9.extra.weight"), e.unexpected());
            assertTrue(e.getMessage().contains("h.0.self_attention.query_key_value.weight: expected [144, 48], got [48, 144]"),
                    e.getMessage());
            Bloom unloaded = new Bloom(TinyBloom.CONFIG);
            assertThrows(StateDictMismatchException.class, () -> unloaded.loadStateDict(w));
            assertTrue(unloaded.namedParameters().values().stream().noneMatch(p -> p.isLoaded()), "nothing loaded on failure");
        }
    }

    @Test
    void parameterNamesAreHfKeysInOrder() {
        List<String> keys = List.copyOf(new Bloom(TinyBloom.CONFIG).namedParameters().keySet());
        assertEquals(List.of("word_embeddings.weight", "word_embeddings_layernorm.weight", "word_embeddings_layernorm.bias",
                "h.0.input_layernorm.weight", "h.0.input_layernorm.bias", "h.0.self_attention.query_key_value.weight",
                "h.0.self_attention.query_key_value.bias", "h.0.self_attention.dense.weight", "h.0.self_attention.dense.bias",
                "h.0.post_attention_layernorm.weight", "h.0.post_attention_layernorm.bias", "h.0.mlp.dense_h_to_4h.weight",
                "h.0.mlp.dense_h_to_4h.bias", "h.0.mlp.dense_4h_to_h.weight", "h.0.mlp.dense_4h_to_h.bias"), keys.subList(0, 15));
        assertEquals(List.of("ln_f.weight", "ln_f.bias"), keys.subList(keys.size() - 2, keys.size()));
    }

    @Test
    void decodingDoesNotGrowNativeMemory() {
        try (NDManager weights = NDManager.newBaseManager(); NDManager work = NDManager.newBaseManager()) {
            Bloom model = TinyBloom.model(weights, 7);
            int before = TinyBloom.resources(weights);
            Generator.generate(BloomLm.of(model), work, IDS, GenerationConfig.greedy(5));
            int afterFirst = TinyBloom.resources(work);
            Generator.generate(BloomLm.of(model), work, IDS, GenerationConfig.beam(20, 2));
            assertEquals(before, TinyBloom.resources(weights), "nothing attached to the weights' manager");
            assertEquals(afterFirst, TinyBloom.resources(work), "every step's arrays were freed");
            assertEquals(0, afterFirst, "the generator leaves nothing behind");
        }
    }

    @Test
    void configParsesHfJson() {
        BloomConfig c = BloomConfig.fromJson(Configs.reader("{\"model_type\":\"bloom\",\"vocab_size\":1000,\"hidden_size\":64,\"n_layer\":2,"
                + "\"n_head\":4,\"layer_norm_epsilon\":1e-5,\"pad_token_id\":null,\"eos_token_id\":2}"));
        assertEquals(new BloomConfig(1000, 64, 2, 4, 1e-5, false, true, 1, 2, -1), c);
        assertEquals(2, c.paddingId());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BloomConfig.fromJson(Configs.reader("{\"model_type\":\"bert\"}")));
        assertTrue(e.getMessage().contains("bert"));
        assertEquals(1024, BloomConfig.bloomz560m().hiddenSize());
        assertEquals(128, BloomConfig.bloomz7b1().headDim());
    }
}
