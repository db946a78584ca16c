package org.medvlm.vlm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.Autograd;
import org.medvlm.layers.Module;
import org.medvlm.layers.Parameter;
import org.medvlm.qformer.QFormer;
import org.medvlm.qformer.QFormerProjector;
import org.medvlm.vision.VisionTransformer;

/**
 * Backward through every part and the whole VLM, checked against central finite differences in float64: for a few
 * coordinates of several parameters, d(loss)/dθ from the engine's autograd must equal (loss(θ+h) − loss(θ−h)) / 2h.
 * A forward that works in place on a tensor autograd keeps, or a part that cuts the graph, fails here.
 */
class GradientTest {
    private static final double H = 1e-6;

    /** The analytic and numeric derivatives of {@code loss} for two coordinates of each of {@code keys}. */
    private static void check(Module model, NDManager m, Supplier<NDArray> loss, List<String> keys) {
        Map<String, Parameter> params = model.namedParameters();
        for (String k : keys) {
            params.get(k).attachGradient(true);
        }
        try (NDManager step = m.newSubManager()) {
            try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                NDArray l = loss.get();
                gc.backward(l);
            }
            SplittableRandom random = new SplittableRandom(k(keys));
            List<String> report = new ArrayList<>();
            for (String k : keys) {
                Parameter p = params.get(k);
                double[] grad = p.gradient(step).toType(DataType.FLOAT64, false).toDoubleArray();
                double scale = 0;
                for (double g : grad) {
                    scale = Math.max(scale, Math.abs(g));
                }
                assertTrue(scale > 0, k + " received no gradient");
                for (int trial = 0; trial < 2; trial++) {
                    int i = random.nextInt(grad.length);
                    double numeric = finiteDifference(p.array(), i, loss);
                    double err = Math.abs(numeric - grad[i]);
                    report.add(String.format("%s[%d] autograd %.9g numeric %.9g", k, i, grad[i], numeric));
                    assertTrue(err <= 1e-6 * Math.max(1, scale), String.join("\n", report));
                }
            }
        } finally {
            for (String k : keys) {
                params.get(k).attachGradient(false);
            }
        }
    }

    private static long k(List<String> keys) {
        return keys.hashCode();
    }

    private static double finiteDifference(NDArray a, int flat, Supplier<NDArray> loss) {
        NDIndex at = index(a.getShape(), flat);
        return Autograd.noGrad(() -> {
            double original = a.get(at).toType(DataType.FLOAT64, false).getDouble();
            a.set(at, original + H);
            double plus = loss.get().getDouble();
            a.set(at, original - H);
            double minus = loss.get().getDouble();
            a.set(at, original);
            return (plus - minus) / (2 * H);
        });
    }

    private static NDIndex index(Shape shape, int flat) {
        long[] idx = new long[shape.dimension()];
        long rest = flat;
        for (int d = shape.dimension() - 1; d >= 0; d--) {
            idx[d] = rest % shape.get(d);
            rest /= shape.get(d);
        }
        return new NDIndex(idx);
    }

    /** {@code sum(out · R)} for a fixed random R: every output element matters, with its own weight. */
    private static NDArray projected(NDArray out, NDArray r) {
        return out.mul(r).sum();
    }

    private static NDArray random(NDManager m, long seed, long... shape) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] v = new double[(int) new Shape(shape).size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
        return m.create(v, new Shape(shape));
    }

    /** A module with fresh float64 weights (initialised as for training, then widened). */
    private static <M extends Module> M float64(M module, org.medvlm.layers.InitPolicy policy, NDManager m, long seed) {
        module.initialize(m, policy, seed);
        module.load(StateDict.of(module.stateDict(), "fresh"), m, DataType.FLOAT64);
        return module;
    }

    private static final VisionTransformer.Config VIT = new VisionTransformer.Config(32, 8, 3, 24, 2, 3, 2.0, true, 1e-6,
            true, VisionTransformer.GlobalPool.TOKEN, false, null, 0, List.of(6, 12), org.medvlm.layers.Activation.GELU, 0, 0, 0);

    @Test
    void visionTransformerWithConvStem() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = new VisionTransformer(VIT);
            float64(vit, vit.initPolicy(), m, 1);
            NDArray pixels = random(m, 2, 2, 3, 32, 32);
            NDArray r = random(m, 3, 2, VIT.numTokens(), 24);
            check(vit, m, () -> projected(vit.forwardFeatures(pixels), r), List.of("patch_embed.backbone.0.weight",
                    "patch_embed.backbone.2.bias", "patch_embed.proj.weight", "cls_token", "pos_embed",
                    "blocks.0.attn.qkv.weight", "blocks.1.mlp.fc2.weight", "blocks.0.norm1.weight", "norm.bias"));
        }
    }

    @Test
    void qformerAndProjection() {
        try (NDManager m = NDManager.newBaseManager()) {
            QFormer.Config c = QFormer.builder().setEncoderHiddenSize(20).optHiddenSize(16).optNumHiddenLayers(2)
                    .optNumAttentionHeads(4).optIntermediateSize(24).optCrossAttentionFrequency(2).optNumQueryTokens(3)
                    .optDropout(0, 0).build();
            QFormerProjector p = float64(new QFormerProjector(c, 12), QFormerProjector.initPolicy(), m, 4);
            NDArray image = random(m, 5, 2, 7, 20);
            NDArray r = random(m, 6, 2, 3, 12);
            check(p, m, () -> projected(p.forward(image), r), List.of("query_tokens", "qformer.layernorm.weight",
                    "qformer.encoder.layer.0.crossattention.attention.key.weight",
                    "qformer.encoder.layer.0.attention.attention.query.bias", "qformer.encoder.layer.1.output_query.dense.weight",
                    "qformer.encoder.layer.1.output_query.LayerNorm.bias", "language_projection.weight"));
        }
    }

    @Test
    void bloomWithPaddingAndLora() {
        try (NDManager m = NDManager.newBaseManager()) {
            BloomConfig c = new BloomConfig(50, 16, 2, 4, 1e-5, false, true, 1, 2, 3);
            Bloom bloom = new Bloom(c);
            bloom.addLora(2, 4, 0, List.of("query_key_value", "dense"));
            bloom.initialize(m, (key, par, owner, init) -> key.endsWith("lora_B.weight") ? init.normal(0.1)
                    : Bloom.initPolicy().draw(key, par, owner, init), 7); // lora_B non-zero so that lora_A gets a gradient
            bloom.load(StateDict.of(bloom.stateDict(), "fresh"), m, DataType.FLOAT64);
            NDArray ids = m.create(new long[][] {{5, 6, 7, 8}, {3, 3, 9, 10}});
            NDArray mask = m.create(new long[][] {{1, 1, 1, 1}, {0, 0, 1, 1}});
            // padded query rows see only masked keys: their outputs are shift-invariant in exact arithmetic but not in
            // the forward's (finfo.min swamps q·k), so, as in every real loss, they do not count
            NDArray r = random(m, 8, 2, 4, 50).mul(mask.toType(DataType.FLOAT64, false).reshape(2, 4, 1));
            check(bloom, m, () -> projected(bloom.logits(ids, mask), r), List.of("word_embeddings.weight",
                    "word_embeddings_layernorm.weight", "h.0.self_attention.query_key_value.weight",
                    "h.0.self_attention.query_key_value.lora_A.weight", "h.1.self_attention.dense.lora_B.weight",
                    "h.1.mlp.dense_h_to_4h.bias", "h.1.post_attention_layernorm.weight", "ln_f.bias"));
        }
    }

    private static VisionLanguageModel vlm(Fusion fusion) {
        VlmConfig base = VlmLoader.builtinConfig(fusion);
        VisionLanguageModel vlm = VisionLanguageModel.random(base, Tokenizer.builtin(), 9);
        vlm.load(StateDict.of(vlm.stateDict(), "fresh"), vlm.manager(), DataType.FLOAT64);
        return vlm;
    }

    private static VisionLanguageModel.Batch batch(VisionLanguageModel vlm) {
        NDManager m = vlm.manager();
        int s = vlm.config().vision().imgSize();
        NDArray pixels = random(m, 10, 2, 3, s, s);
        NDArray ids = m.create(new long[][] {{20, 21, 22, 30, 2}, {23, 24, 31, 2, 3}});
        NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}});
        NDArray labels = m.create(new long[][] {{-100, -100, -100, 30, 2}, {-100, -100, 31, 2, -100}});
        return new VisionLanguageModel.Batch(pixels, ids, mask, labels);
    }

    @Test
    void wholeVlmWithQFormerThroughTheTrainingLoss() {
        try (VisionLanguageModel vlm = vlm(Fusion.QFORMER)) {
            VisionLanguageModel.Batch b = batch(vlm);
            check(vlm, vlm.manager(), () -> vlm.forward(b), List.of("vision_model.patch_embed.proj.weight",
                    "vision_model.blocks.1.attn.proj.weight", "query_tokens", "qformer.encoder.layer.1.crossattention.attention.value.weight",
                    "language_projection.bias", "language_model.h.1.self_attention.query_key_value.bias",
                    "language_model.word_embeddings.weight"));
        }
    }

    @Test
    void wholeVlmWithGatedFusion() {
        try (VisionLanguageModel vlm = vlm(Fusion.GATED)) {
            // open the gates: with tanh(0) = 0 nothing before them would receive a gradient
            Autograd.noGrad(() -> vlm.namedParameters().forEach((k, p) -> {
                if (k.endsWith("_gate")) {
                    p.array().addi(0.5);
                }
            }));
            VisionLanguageModel.Batch b = batch(vlm);
            check(vlm, vlm.manager(), () -> vlm.forward(b), List.of("vision_model.blocks.0.mlp.fc1.weight", "perceiver.latents",
                    "perceiver.layers.0.0.to_kv.weight", "gated_cross_attn_layers.0.attn.to_q.weight",
                    "gated_cross_attn_layers.1.attn_gate", "gated_cross_attn_layers.0.ff.1.weight",
                    "language_model.h.0.mlp.dense_4h_to_h.weight"));
        }
    }

    /**
     * The same gradients when the garbage collector runs between forward and backward. DJL's {@code NDArray.mul(Number)}
     * frees the constant's Java buffer that autograd still holds, so a collection there used to turn gradients into
     * NaN or garbage now and then; every forward now makes its constants natively ({@code layers.Scalars}).
     */
    @Test
    void gradientsSurviveAGarbageCollectionBetweenForwardAndBackward() {
        for (Fusion fusion : Fusion.values()) {
            try (VisionLanguageModel vlm = VlmLoader.builtinRandom(fusion, 31)) {
                vlm.addLora(LoraConfig.bloom(2, 4, 0), 1);
                Autograd.noGrad(() -> vlm.namedParameters().forEach((k, p) -> {
                    if (k.endsWith("_gate") || k.endsWith("lora_B.weight")) {
                        p.array().addi(0.5); // open gates and non-zero adapters: every part is on the gradient's path
                    }
                }));
                vlm.trainableParameters().values().forEach(p -> p.attachGradient(true));
                float[][] reference = null;
                for (int run = 0; run < 4; run++) {
                    try (NDManager s = vlm.manager().newSubManager()) {
                        VisionLanguageModel.Batch b = batch(vlm, s);
                        try (GradientCollector gc = s.getEngine().newGradientCollector()) {
                            NDArray loss = vlm.forward(b);
                            if (run > 0) {
                                System.gc();
                                System.gc();
                            }
                            gc.backward(loss);
                        }
                        List<float[]> grads = new ArrayList<>();
                        vlm.trainableParameters().values().forEach(p -> grads.add(p.gradient(s).toFloatArray()));
                        vlm.zeroGrad();
                        if (reference == null) {
                            reference = grads.toArray(float[][]::new);
                        } else {
                            for (int i = 0; i < grads.size(); i++) {
                                assertTrue(java.util.Arrays.equals(reference[i], grads.get(i)), fusion + ": gradient " + i
                                        + " changed after a garbage collection (run " + run + ")");
                            }
                        }
                    }
                }
            }
        }
    }

    private static VisionLanguageModel.Batch batch(VisionLanguageModel vlm, NDManager m) {
        int s = vlm.config().vision().imgSize();
        float[] values = new float[2 * 3 * s * s];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) Math.sin(i * 0.01);
        }
        NDArray pixels = m.create(values, new Shape(2, 3, s, s));
        NDArray ids = m.create(new long[][] {{20, 21, 22, 30, 2}, {23, 24, 31, 2, 3}});
        NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}});
        NDArray labels = m.create(new long[][] {{-100, -100, -100, 30, 2}, {-100, -100, 31, 2, -100}});
        return new VisionLanguageModel.Batch(pixels, ids, mask, labels);
    }
}
