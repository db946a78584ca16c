package org.medvlm.vlm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomLm;
import org.medvlm.generate.GenerationConfig;
import org.medvlm.generate.Generator;
import org.medvlm.layers.Parameter;
import org.medvlm.train.AdamW;
import org.medvlm.train.GradClip;

/**
 * A long-lived kernel calls the model thousands of times: every call must leave the number of native arrays where it
 * found it. Each part and both fusions run 50 times (after a warm-up call) and the model's manager must hold exactly
 * as many arrays afterwards, for inference and for a whole training step (forward, backward, gradients, AdamW).
 */
class NativeHandlesTest {
    private static final int CALLS = 50;

    private static void flat(VisionLanguageModel vlm, Consumer<NDManager> call) {
        NDManager m = vlm.manager();
        try (NDManager warm = m.newSubManager()) {
            call.accept(warm);
        }
        int before = m.getManagedArrays().size();
        for (int i = 0; i < CALLS; i++) {
            try (NDManager step = m.newSubManager()) {
                call.accept(step);
            }
        }
        assertEquals(before, m.getManagedArrays().size(), "native arrays held by the model after " + CALLS + " calls");
    }

    private static BufferedImage image() {
        return VisionLanguageModelTest.scan(3, 80, 64);
    }

    @ParameterizedTest
    @ValueSource(strings = {"vision_model", "qformer", "perceiver", "language_model"})
    void eachPartStaysFlat(String part) {
        Fusion fusion = part.equals("perceiver") ? Fusion.GATED : Fusion.QFORMER;
        try (VisionLanguageModel vlm = VlmLoader.builtinRandom(fusion, 1)) {
            int s = vlm.config().vision().imgSize();
            flat(vlm, step -> {
                NDArray pixels = step.randomNormal(new Shape(2, 3, s, s));
                switch (part) {
                    case "vision_model" -> vlm.visionModel().forward(pixels);
                    case "qformer" -> vlm.bridge().forward(vlm.visionModel().forwardFeatures(pixels));
                    case "perceiver" -> vlm.flamingo().resample(vlm.visionModel().forwardFeatures(pixels));
                    default -> {
                        Bloom bloom = vlm.languageModel();
                        Generator.generate(BloomLm.of(bloom), step, new long[][] {{20, 21, 22}}, GenerationConfig.beam(4, 2));
                    }
                }
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Fusion.class)
    void askingStaysFlat(Fusion fusion) {
        try (VisionLanguageModel vlm = VlmLoader.builtinRandom(fusion, 2)) {
            flat(vlm, step -> vlm.ask(List.of(image(), image()), List.of("Is there a lesion?", "Which organ?"), 4));
        }
    }

    @ParameterizedTest
    @EnumSource(Fusion.class)
    void trainingStepsStayFlat(Fusion fusion) {
        try (VisionLanguageModel vlm = VlmLoader.builtinRandom(fusion, 3)) {
            vlm.freeze("vision_model.", "language_model.");
            Map<String, Parameter> trainable = vlm.trainableParameters();
            trainable.values().forEach(p -> p.attachGradient(true));
            TrainingExamples examples = new TrainingExamples(vlm);
            List<TrainingExamples.Example> batch = List.of(examples.encode(image(), "Is there a lesion?", "yes"),
                    examples.encode(image(), "Which side is it on?", "left"));
            try (AdamW opt = new AdamW(vlm, AdamW.Settings.defaults(0.01), vlm.manager())) {
                vlm.train(true);
                flat(vlm, step -> {
                    try (GradientCollector gc = step.getEngine().newGradientCollector()) {
                        gc.backward(vlm.forward(examples.collate(batch, step)));
                    }
                    Map<String, NDArray> grads = new LinkedHashMap<>();
                    trainable.forEach((k, p) -> grads.put(k, p.gradient(step)));
                    GradClip.clip(grads.values(), 1.0);
                    opt.step(grads, 1e-3);
                    vlm.zeroGrad();
                });
            }
        }
    }
}
