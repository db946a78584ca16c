package org.medvlm.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomLm;
import org.medvlm.bloom.TinyBloom;
import org.medvlm.generate.CausalLm;
import org.medvlm.generate.GenerationConfig;
import org.medvlm.generate.Generator;
import org.medvlm.testing.RandomWeights;

class FlamingoFusionTest {
    private static final FlamingoFusion.Config CONFIG = new FlamingoFusion.Config(48, 40, 2, 1, 2, 5, 2, 16, 4);

    private static float[] logits(Bloom bloom, Bloom.Hooks hooks, NDManager m) {
        NDArray ids = m.create(new long[][] {{5, 17, 42, 8}, {3, 3, 9, 10}});
        NDArray mask = m.create(new long[][] {{1, 1, 1, 1}, {0, 0, 1, 1}});
        return bloom.lmHead(bloom.forward(bloom.embed(ids), mask, null, hooks)).toFloatArray();
    }

    @Test
    void zeroGatesLeaveTheLanguageModelExactlyUnchanged() {
        try (NDManager m = NDManager.newBaseManager()) {
            Bloom bloom = TinyBloom.model(m, 31);
            FlamingoFusion fusion = new FlamingoFusion(CONFIG);
            Map<String, NDArray> w = RandomWeights.of(fusion, m, 32); // gates are drawn as 0, like OpenFlamingo's init
            assertEquals(0f, w.get("gated_cross_attn_layers.0.attn_gate").getFloat());
            fusion.loadStateDict(w);
            NDArray media = m.randomNormal(new Shape(2, 7, 40));
            NDArray latents = fusion.resample(media);
            assertArrayEquals(new long[] {2, 5, 40}, latents.getShape().getShape());
            float[] plain = logits(bloom, Bloom.Hooks.NONE, m);
            assertArrayEquals(plain, logits(bloom, fusion.hooks(latents), m), 0f);

            Map<String, NDArray> opened = new LinkedHashMap<>(w);
            opened.put("gated_cross_attn_layers.1.attn_gate", m.create(new float[] {0.5f}));
            FlamingoFusion open = new FlamingoFusion(CONFIG);
            open.loadStateDict(opened);
            float[] changed = logits(bloom, open.hooks(open.resample(media)), m);
            assertFalse(Arrays.equals(plain, changed), "an open gate lets the image in");
            float[] otherImage = logits(bloom, open.hooks(open.resample(m.randomNormal(new Shape(2, 7, 40)))), m);
            assertFalse(Arrays.equals(changed, otherImage), "and the output depends on the image");
        }
    }

    @Test
    void keysFollowOpenFlamingo() {
        FlamingoFusion f = new FlamingoFusion(new FlamingoFusion.Config(48, 40, 4, 2, 1, 5, 2, 16, 4));
        List<String> keys = List.copyOf(f.namedParameters().keySet());
        assertTrue(keys.containsAll(List.of("perceiver.latents", "perceiver.layers.0.0.norm_media.weight",
                "perceiver.layers.0.0.to_kv.weight", "perceiver.layers.0.1.1.weight", "perceiver.layers.0.1.3.weight",
                "perceiver.norm.bias", "gated_cross_attn_layers.1.attn.to_q.weight", "gated_cross_attn_layers.1.attn_gate",
                "gated_cross_attn_layers.3.ff.0.weight", "gated_cross_attn_layers.3.ff_gate")), keys.toString());
        assertTrue(keys.stream().noneMatch(k -> k.startsWith("gated_cross_attn_layers.0.") || k.startsWith("gated_cross_attn_layers.2.")),
                "blocks only before every 2nd layer: (i + 1) % 2 == 0");
    }

    @Test
    void cachedDecodingThroughTheGatesEqualsFullRecomputation() {
        try (NDManager m = NDManager.newBaseManager()) {
            Bloom bloom = TinyBloom.model(m, 33);
            FlamingoFusion fusion = new FlamingoFusion(CONFIG);
            Map<String, NDArray> w = new LinkedHashMap<>(RandomWeights.of(fusion, m, 34));
            w.put("gated_cross_attn_layers.0.attn_gate", m.create(new float[] {1f}));
            w.put("gated_cross_attn_layers.1.ff_gate", m.create(new float[] {1f}));
            fusion.loadStateDict(w);
            NDArray media = m.randomNormal(new Shape(1, 7, 40));
            BloomLm lm = fusion.languageModel(bloom, media);
            long[] prompt = {5, 17, 42};
            long[] greedy = Generator.generate(lm, m, new long[][] {prompt}, GenerationConfig.greedy(6)).get(0);
            // the same tokens by re-running the whole sequence through the hooks at every step (no KV cache)
            Bloom.Hooks hooks = fusion.hooks(fusion.resample(media));
            long[] seq = prompt.clone();
            for (int step = 0; step < 6; step++) {
                NDArray ids = m.create(new long[][] {seq});
                NDArray last = bloom.lmHead(Bloom.lastPosition(bloom.forward(bloom.embed(ids), ids.onesLike(), null, hooks)));
                long next = last.argMax(-1).getLong(0);
                assertEquals(next, greedy[step], "step " + step);
                seq = Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = next;
            }
            // one beam is greedy search
            assertArrayEquals(greedy, Generator.generate(lm, m, new long[][] {prompt}, GenerationConfig.beam(6, 1)).get(0));
            // and the image reaches the decoding: another image, other next-token logits
            float[] first;
            float[] second;
            try (CausalLm.State a = lm.start(m, 1, 8);
                 CausalLm.State b = fusion.languageModel(bloom, m.randomNormal(new Shape(1, 7, 40))).start(m, 1, 8)) {
                NDArray ids = m.create(new long[][] {prompt});
                first = lm.nextLogits(a, ids, ids.onesLike()).toFloatArray();
                second = fusion.languageModel(bloom, m.randomNormal(new Shape(1, 7, 40))).nextLogits(b, ids, ids.onesLike()).toFloatArray();
            }
            assertFalse(Arrays.equals(first, second), "another image, other logits");
        }
    }
}
