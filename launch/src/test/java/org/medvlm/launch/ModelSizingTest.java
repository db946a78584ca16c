package org.medvlm.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.testing.Shared;
import org.medvlm.train.TrainSettings.Freeze;
import org.medvlm.vlm.VisionLanguageModel;
import org.medvlm.vlm.VlmLoader;
import org.medvlm.zero.BloomSize;
import org.medvlm.zero.ModelSize;
import org.medvlm.zero.Offload;
import org.medvlm.zero.PlanRequest;
import org.medvlm.zero.QFormerSize;
import org.medvlm.zero.StagePlan;
import org.medvlm.zero.VitSize;
import org.medvlm.zero.VlmSize;
import org.medvlm.zero.ZeroPlanner;
import org.medvlm.zero.ZeroStage;

/**
 * The planner counts the module tree the trainer builds; the closed-form counts of {@code org.medvlm.zero} (checked
 * there against published totals) are the oracle, so the two ways of counting agree on every architecture a run can
 * start from.
 */
class ModelSizingTest {

    @Test
    void presetsCountAsTheirClosedForms(@TempDir Path dir) throws IOException {
        for (InitModel.Preset p : new InitModel.Preset[] {InitModel.Preset.BIOMEDCLIP_BLOOMZ_560M,
                InitModel.Preset.BIOMEDCLIP_BLOOMZ_1B7, InitModel.Preset.BIOMEDCLIP_BLOOMZ_7B1}) {
            Path folder = dir.resolve(p.cliName());
            InitModel.ModelFolder f = InitModel.write(p, Map.of(), folder);
            ModelSize tree = ModelSizing.read(folder, null, 8);
            var t = f.config().text();
            ModelSize lm = BloomSize.of("lm", t.hiddenSize(), t.nLayer(), t.nHead(), t.vocabSize(), true);
            ModelSize oracle = VlmSize.of("vlm", VitSize.biomedClipVitB16(), QFormerSize.blip2ForBiomedClip(), 32, 768, lm);
            assertEquals(oracle.params(), tree.params(), p.cliName());
            assertEquals(oracle.params(), tree.trainableParams(), p.cliName() + ": nothing frozen by default");
            assertEquals(oracle.largestLayerParams(), tree.largestLayerParams(), p.cliName() + ": the word embeddings");
            assertEquals(oracle.shape(), tree.shape(), p.cliName());
        }
    }

    @Test
    void freezingLeavesTheFusionTrainable(@TempDir Path dir) throws IOException {
        InitModel.write(InitModel.Preset.BIOMEDCLIP_BLOOMZ_7B1, Map.of(), dir);
        ModelSize blip2 = ModelSizing.read(dir, Freeze.BLIP2, 8);
        long qformer = QFormerSize.blip2ForBiomedClip().params() + 32 * 768 + (768L * 4096 + 4096);
        assertEquals(qformer, blip2.trainableParams(), "Q-Former, query tokens and language_projection");
        assertEquals(BloomSize.bloomz7b1().params() + VitSize.biomedClipVitB16().params() + qformer, blip2.params());

        // LoRA r on query_key_value (h → 3h) and dense (h → h) of each of 30 blocks: r·(h + 3h) + r·(h + h)
        ModelSize lora = ModelSizing.read(dir, Freeze.LORA, 16);
        long adapters = 30L * 16 * (4096 + 3 * 4096 + 4096 + 4096);
        assertEquals(qformer + adapters, lora.trainableParams());
        assertEquals(blip2.params() + adapters, lora.params());

        // frozen weights are held but have neither gradients nor optimizer states: 2Ψ + (2 + 12)·Ψ_trainable
        StagePlan frozen = ZeroPlanner.stage(PlanRequest.of(blip2, 8), ZeroStage.STAGE_0, Offload.NONE, Offload.NONE);
        StagePlan full = ZeroPlanner.stage(PlanRequest.of(ModelSizing.read(dir, null, 8), 8), ZeroStage.STAGE_0,
                Offload.NONE, Offload.NONE);
        assertEquals(2 * blip2.params() + 14 * blip2.trainableParams(), frozen.modelStatesBytes());
        assertEquals(16 * blip2.params(), full.modelStatesBytes());

        assertThrows(IllegalArgumentException.class, () -> ModelSizing.read(dir, Freeze.GATED, 8),
                "the Q-Former model has no gated cross-attention to train");
    }

    @Test
    void builtInModelCountsAsLoaded() throws IOException {
        for (var fusion : org.medvlm.vlm.Fusion.values()) {
            try (VisionLanguageModel loaded = VlmLoader.builtin(fusion)) {
                ModelSize counted = ModelSizing.vlm("tiny", loaded.config(), null, 8);
                assertEquals(loaded.parameterCount(), counted.params(), fusion.toString());
                assertEquals(ModelSizing.of("tiny", loaded, counted.shape()), counted, fusion.toString());
            }
        }
    }

    @Test
    void referencePartsCountAsTheirClosedForms() throws IOException {
        Path ref = Shared.path("reference");
        ModelSize vit = ModelSizing.read(ref.resolve("vit-tiny"), null, 8);
        assertEquals(VitSize.of("vit", 32, 8, 3, 48, 2, 4, 4.0, true, 0).params(), vit.params());
        ModelSize qformer = ModelSizing.read(ref.resolve("qformer-tiny"), null, 8);
        assertEquals(QFormerSize.params(64, 2, 128, 48, 1, false), qformer.params());
        ModelSize bloom = ModelSizing.read(ref.resolve("bloom-tiny"), null, 8);
        assertEquals(BloomSize.of("b", 64, 2, 4, 1000, true).params(), bloom.params());
        assertEquals(bloom.params(), safetensorsElements(ref.resolve("bloom-tiny/model.safetensors")),
                "and the checkpoint transformers wrote holds exactly that many numbers");
    }

    @Test
    void aFractionalMlpRatioRoundsDownAsTimm() {
        // timm: hidden_features = int(embed_dim * mlp_ratio); 100 · 2.5 = 250, 30 · 4.9 = 147
        long at250 = VitSize.of("a", 32, 8, 3, 100, 1, 4, 2.5, true, 0).params();
        long at147 = VitSize.of("b", 32, 8, 3, 30, 1, 3, 4.9, true, 0).params();
        long base = VitSize.of("b", 32, 8, 3, 30, 1, 3, 4.0, true, 0).params();
        assertEquals(27 * (2 * 30 + 1), at147 - base, "27 more hidden units of fc1 (30 in, +bias) and fc2 (30 out)");
        assertTrue(at250 > 0);
    }

    @Test
    void errorsNameTheFile(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("config.json");
        Files.writeString(bad, "{\"model_type\": \"bloom\", \"hidden_size\": 65, \"n_head\": 4, \"n_layer\": 2, \"vocab_size\": 10}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSizing.read(dir, null, 8));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("65"), e.getMessage());
        Path vit = dir.resolve("vit.json");
        Files.writeString(vit, "{\"model_type\": \"timm_vit\", \"img_size\": 32, \"patch_size\": 8, \"embed_dim\": 48,"
                + " \"depth\": 1, \"num_heads\": 4}");
        e = assertThrows(IllegalArgumentException.class, () -> ModelSizing.read(vit, Freeze.BLIP2, 8));
        assertTrue(e.getMessage().contains("--freeze"), e.getMessage());
    }

    private static long safetensorsElements(Path file) throws IOException {
        try (StateDict sd = StateDict.open(file)) {
            return sd.keys().stream().mapToLong(k -> sd.expect(k).shape().size()).sum();
        }
    }
}
