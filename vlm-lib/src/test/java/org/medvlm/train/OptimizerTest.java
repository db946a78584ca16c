package org.medvlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medvlm.data.VqaExample;
import org.medvlm.layers.LayerNorm;
import org.medvlm.layers.Linear;
import org.medvlm.layers.Module;
import org.medvlm.layers.Parameter;
import org.medvlm.phantoms.Phantoms;
import org.medvlm.vlm.Fusion;
import org.medvlm.vlm.TrainingExamples;
import org.medvlm.vlm.VisionLanguageModel;
import org.medvlm.vlm.VlmLoader;

/**
 * AdamW, the schedule and clipping against PyTorch's definitions. The expected numbers were printed by this script
 * with Debian's python3-torch 1.13.1 ({@code torch.optim.AdamW}, {@code LambdaLR} with transformers'
 * {@code get_cosine_schedule_with_warmup} lambda, {@code torch.nn.utils.clip_grad_norm_}):
 * <pre>
 * p = Parameter([1.0, -2.0, 0.5]); b = Parameter([0.1, 0.2])
 * opt = AdamW([{'params': [p], 'weight_decay': 0.1}, {'params': [b], 'weight_decay': 0.0}], lr=0.1, eps=1e-8)
 * warm-up 1, total 4; grads per step: ([.5,-1,2],[.3,-.1]), ([-.2,.4,.1],[0,.5]), ([1,1,-1],[-.3,.2]), ([.05,0,-.02],[.01,0])
 * each step: lr = group lr; norm = clip_grad_norm_([p, b], 1.0); opt.step(); sched.step()
 * </pre>
 */
class OptimizerTest {

    /** One weight and one bias, so that AdamW's groups (decay / no decay) are both exercised. */
    static final class Toy extends Module {
        final Parameter weight = addParameter("weight", 3);
        final Parameter bias = addParameter("bias", 2);
    }

    @Test
    void adamWScheduleAndClippingMatchPyTorch() {
        double[] lrs = {0.0, 0.1, 0.075, 0.025};
        double[] norms = {2.313006639480591, 0.6782330274581909, 1.7691806554794312, 0.054772257804870605};
        double[][] p = {{1.0, -2.0, 0.5}, {0.9913769960403442, -1.9813770055770874, 0.4198850691318512},
            {0.9418136477470398, -2.000279426574707, 0.40633484721183777}, {0.9268545508384705, -2.004497528076172, 0.4027597904205322}};
        double[][] b = {{0.10000000149011612, 0.20000000298023224}, {0.03299418091773987, 0.13163210451602936},
            {0.047477420419454575, 0.0824320986866951}, {0.05074731260538101, 0.06899821758270264}};
        float[][][] grads = {{{.5f, -1f, 2f}, {.3f, -.1f}}, {{-.2f, .4f, .1f}, {0f, .5f}}, {{1f, 1f, -1f}, {-.3f, .2f}},
            {{.05f, 0f, -.02f}, {.01f, 0f}}};
        try (NDManager m = NDManager.newBaseManager()) {
            Toy toy = new Toy();
            toy.loadStateDict(Map.of("weight", m.create(new float[] {1f, -2f, .5f}), "bias", m.create(new float[] {.1f, .2f})));
            // a bias is not decayed (no layer: the key decides)
            LrSchedule schedule = new LrSchedule(0.1, 1, 4);
            try (AdamW opt = new AdamW(toy, new AdamW.Settings(0.9, 0.999, 1e-8, 0.1), m)) {
                assertTrue(opt.decays("weight"));
                assertFalse(opt.decays("bias"));
                for (int step = 0; step < 4; step++) {
                    try (NDManager s = m.newSubManager()) {
                        Map<String, NDArray> g = new LinkedHashMap<>();
                        g.put("weight", s.create(grads[step][0]));
                        g.put("bias", s.create(grads[step][1]));
                        double lr = schedule.at(step);
                        assertEquals(lrs[step], lr, 1e-12, "lr at step " + step);
                        assertEquals(norms[step], GradClip.clip(g.values(), 1.0), 1e-6, "norm at step " + step);
                        opt.step(g, lr);
                    }
                    float[] w = toy.weight.array().toFloatArray();
                    float[] bb = toy.bias.array().toFloatArray();
                    for (int i = 0; i < 3; i++) {
                        assertEquals(p[step][i], w[i], 1e-6, "weight[" + i + "] after step " + step);
                    }
                    for (int i = 0; i < 2; i++) {
                        assertEquals(b[step][i], bb[i], 1e-6, "bias[" + i + "] after step " + step);
                    }
                }
            }
        }
    }

    @Test
    void layerNormWeightsAndBiasesAreNotDecayed() {
        Module net = new Module() {
            final Linear fc = addChild("fc", new Linear(4, 4, true));
            final LayerNorm norm = addChild("norm", new LayerNorm(4, 1e-5));
        };
        try (NDManager m = NDManager.newBaseManager()) {
            net.initialize(m, org.medvlm.layers.InitPolicy.torchDefaults(), 1);
            try (AdamW opt = new AdamW(net, AdamW.Settings.defaults(0.01), m)) {
                assertTrue(opt.decays("fc.weight"));
                assertFalse(opt.decays("fc.bias"));
                assertFalse(opt.decays("norm.weight"));
                assertFalse(opt.decays("norm.bias"));
            }
        }
    }

    /** Losses of {@code steps} AdamW updates on one fixed batch of phantoms (the trainable parameters as marked). */
    private static List<Double> fit(VisionLanguageModel vlm, int steps, double lr) throws java.io.IOException {
        Map<String, Parameter> trainable = vlm.trainableParameters();
        trainable.values().forEach(p -> p.attachGradient(true));
        TrainingExamples ex = new TrainingExamples(vlm);
        List<TrainingExamples.Example> batch = new ArrayList<>();
        for (VqaExample e : Phantoms.generate(8, 5)) {
            batch.add(ex.encode(e.image().load(), e.question(), e.answer()));
        }
        List<Double> losses = new ArrayList<>();
        vlm.train(true);
        try (AdamW opt = new AdamW(vlm, AdamW.Settings.defaults(0.01), vlm.manager())) {
            for (int step = 0; step < steps; step++) {
                try (NDManager s = vlm.manager().newSubManager()) {
                    try (GradientCollector gc = s.getEngine().newGradientCollector()) {
                        NDArray loss = vlm.forward(ex.collate(batch, s));
                        losses.add((double) loss.getFloat());
                        gc.backward(loss);
                    }
                    Map<String, NDArray> g = new LinkedHashMap<>();
                    trainable.forEach((k, p) -> g.put(k, p.gradient(s)));
                    GradClip.clip(g.values(), 1.0);
                    opt.step(g, lr);
                    vlm.zeroGrad();
                }
            }
        } finally {
            trainable.values().forEach(p -> p.attachGradient(false));
        }
        return losses;
    }

    @Test
    void twentyStepsOfTheBuiltInVlmLowerItsLoss() throws java.io.IOException {
        for (Fusion fusion : Fusion.values()) {
            try (VisionLanguageModel vlm = VlmLoader.builtinRandom(fusion, 7)) {
                List<Double> losses = fit(vlm, 20, 3e-3);
                double first = losses.get(0);
                double last = losses.get(losses.size() - 1);
                assertTrue(last < 0.5 * first, fusion + ": loss " + first + " -> " + last + " " + losses);
            }
        }
    }

    @Test
    void frozenParametersStayBitIdentical() throws java.io.IOException {
        try (VisionLanguageModel vlm = VlmLoader.builtinRandom(Fusion.QFORMER, 8)) {
            vlm.freeze("vision_model.", "language_model."); // BLIP-2's recipe: only the bridge trains
            Map<String, float[]> before = new LinkedHashMap<>();
            vlm.namedParameters().forEach((k, p) -> before.put(k, p.array().toFloatArray()));
            fit(vlm, 3, 1e-2);
            vlm.namedParameters().forEach((k, p) -> {
                boolean same = java.util.Arrays.equals(before.get(k), p.array().toFloatArray());
                assertEquals(!p.isTrainable(), same, k + (p.isTrainable() ? " trains but did not change" : " is frozen but changed"));
            });
        }
    }
}
