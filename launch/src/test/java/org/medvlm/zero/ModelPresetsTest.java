package org.medvlm.zero;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.cli.CliRun;

/** {@code zero --model NAME}: the models the planner has presets for, by name, with the published parameter counts. */
class ModelPresetsTest {

    @Test
    void bloomzNamesHaveTheHubConfigsParameterCounts() {
        // the parameter counts of bigscience/bloomz-* as transformers reports them (num_parameters())
        assertEquals(559_214_592L, ModelPresets.named("bloomz-560m").orElseThrow().params());
        assertEquals(1_065_314_304L, ModelPresets.named("bloomz-1b1").orElseThrow().params());
        assertEquals(1_722_408_960L, ModelPresets.named("bloomz-1b7").orElseThrow().params());
        assertEquals(3_002_557_440L, ModelPresets.named("bloomz-3b").orElseThrow().params());
        assertEquals(7_069_016_064L, ModelPresets.named("bigscience/BLOOMZ-7b1").orElseThrow().params());
        assertEquals(4096, ModelPresets.named("bloomz-7b1").orElseThrow().shape().orElseThrow().hidden());
    }

    @Test
    void biomedClipAndTheNames() {
        assertEquals(85_798_656L, ModelPresets.named("biomedclip vit-b/16").orElseThrow().params());
        assertEquals(ModelPresets.named("biomedclip").orElseThrow(), ModelPresets.named("biomedclip-vit-b16").orElseThrow());
        assertEquals(List.of("bloomz-560m", "bloomz-1b1", "bloomz-1b7", "bloomz-3b", "bloomz-7b1", "biomedclip-vit-b16"),
                ModelPresets.names());
        assertTrue(ModelPresets.named("bloomz-7b2").isEmpty());
    }

    @Test
    void theVlmPresetsAreTrainsPresetsSizedOnTheirModuleTreeWithFreeze() {
        CliRun all = CliRun.of("zero", "--model", "biomedclip-bloomz-560m", "--gpus", "1", "--json");
        assertEquals(0, all.exitCode(), all.err());
        JsonObject o = JsonParser.parseString(all.out().strip()).getAsJsonObject();
        // the closed form of the same architecture agrees with the module tree
        assertEquals(VlmSize.medVlm(BloomSize.bloomz560m()).params(), o.get("params").getAsLong());
        CliRun frozen = CliRun.of("zero", "--model", "biomedclip-bloomz-560m", "--freeze", "blip2", "--gpus", "1", "--json");
        assertEquals(0, frozen.exitCode(), frozen.err());
        JsonObject f = JsonParser.parseString(frozen.out().strip()).getAsJsonObject();
        long stage0Optimizer = f.getAsJsonArray("stages").get(0).getAsJsonObject().get("optimizer_bytes").getAsLong();
        long allOptimizer = o.getAsJsonArray("stages").get(0).getAsJsonObject().get("optimizer_bytes").getAsLong();
        assertTrue(stage0Optimizer < allOptimizer / 4, "blip2 trains the Q-Former only: " + stage0Optimizer + " vs " + allOptimizer);
        CliRun partFrozen = CliRun.of("zero", "--model", "bloomz-560m", "--freeze", "blip2");
        assertEquals(1, partFrozen.exitCode());
        assertTrue(partFrozen.errIsOneLine() && partFrozen.err().contains("--freeze applies to a VLM"), partFrozen.err());
    }

    @Test
    void zeroModelTakesANameAndAFileOfThatNameWins(@TempDir Path dir) throws Exception {
        CliRun run = CliRun.of("zero", "--model", "bloomz-7b1", "--gpus", "8", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject o = JsonParser.parseString(run.out().strip()).getAsJsonObject();
        assertEquals(7_069_016_064L, o.get("params").getAsLong());
        // a downloaded model folder named like a preset is read: its config is the truth
        Path folder = Files.createDirectory(dir.resolve("bloomz-7b1"));
        Files.writeString(folder.resolve("config.json"),
                "{\"model_type\": \"bloom\", \"hidden_size\": 64, \"n_layer\": 2, \"n_head\": 4, \"vocab_size\": 100}");
        CliRun file = CliRun.of("zero", "--model", folder.toString(), "--json");
        assertEquals(0, file.exitCode(), file.err());
        assertEquals(BloomSize.of("x", 64, 2, 4, 100, true).params(),
                JsonParser.parseString(file.out().strip()).getAsJsonObject().get("params").getAsLong());
    }

    @Test
    void anUnknownNameIsOneLineThatListsTheNames() {
        CliRun run = CliRun.of("zero", "--model", "bloomz-7b2", "--gpus", "8");
        assertEquals(1, run.exitCode());
        assertTrue(run.errIsOneLine(), run.err());
        assertTrue(run.err().contains("bloomz-7b2: no such file, and not a model the planner knows by name (tiny, tiny-gated,"
                + " biomedclip-bloomz-560m, biomedclip-bloomz-1b7, biomedclip-bloomz-7b1, bloomz-560m, "), run.err());
    }

    @Test
    void theRecommendationSaysWhatItCountsAndTheTableHasItsFigure() {
        ModelSize psi = ModelSize.ofParams(7_500_000_000L);
        ZeroPlan plan = ZeroPlanner.plan(PlanRequest.of(psi, 8).withGpu(Gpu.A100_40GB));
        String why = plan.recommendation().orElseThrow().reason();
        double peak = plan.table().doubleColumn("peak GB").get(1);
        double states = plan.table().doubleColumn("model states GB").get(1);
        assertEquals(41.25, states, 1e-9);
        assertEquals(41.317, peak, 1e-9, "model states and the 64 MiB CUDA workspace");
        assertTrue(why.contains(String.format(java.util.Locale.ROOT, "%.2f GB", peak)), why);
        assertTrue(why.contains("without activations (give --micro-batch and --seq-len to count them)"), why);
        assertEquals(1, why.split("\\. ").length, "one sentence: " + why);
        assertTrue(plan.toString().contains("peak 41.32 GB"), plan.toString());
        // with a batch shape, the figures are the step's peak
        ModelSize bloom = BloomSize.bloomz7b1();
        Workload w = new Workload(1, 2048, 1, true, Attention.EAGER, bloom.shape().orElseThrow());
        String withBatch = ZeroPlanner.plan(PlanRequest.of(bloom, 8).withWorkload(w).withGpu(Gpu.A100_40GB))
                .recommendation().orElseThrow().reason();
        assertTrue(withBatch.contains("peak over a step (model states, activations"), withBatch);
    }
}
