package org.medvlm.zero;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ds_config.json generator. */
class DeepSpeedConfigTest {

    private static DeepSpeedConfig config(ZeroStage stage, Offload opt, Offload param, int mb, int gas, int ws) {
        return new DeepSpeedConfig(stage, opt, param, Precision.MIXED, false, Optimizer.ADAMW, 1e-4, mb, gas, ws,
                OptionalInt.empty(), OptionalInt.of(1024), 1.0, 10, true);
    }

    @Test
    void batchSizeIsMicroTimesAccumulationTimesWorld() {
        JsonObject j = config(ZeroStage.STAGE_2, Offload.NONE, Offload.NONE, 4, 8, 16).toJson();
        assertEquals(512, j.get("train_batch_size").getAsInt());
        assertEquals(4, j.get("train_micro_batch_size_per_gpu").getAsInt());
        assertEquals(8, j.get("gradient_accumulation_steps").getAsInt());
        config(ZeroStage.STAGE_2, Offload.NONE, Offload.NONE, 4, 8, 16).withTrainBatchSize(512);
    }

    @Test
    void inconsistentTripleIsRefusedInDeepSpeedsWords() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config(ZeroStage.STAGE_2, Offload.NONE, Offload.NONE, 4, 2, 4).withTrainBatchSize(64));
        assertEquals("Check batch related parameters. train_batch_size is not equal to micro_batch_per_gpu * "
                + "gradient_acc_step * world_size 64 != 4 * 2 * 4", e.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> config(ZeroStage.STAGE_2, Offload.NONE, Offload.NONE, 0, 2, 4));
        assertEquals("Micro batch size per gpu: 0 has to be greater than 0", zero.getMessage());
        IllegalArgumentException gas = assertThrows(IllegalArgumentException.class,
                () -> config(ZeroStage.STAGE_2, Offload.NONE, Offload.NONE, 1, 0, 4));
        assertEquals("Gradient accumulation steps: 0 has to be greater than 0", gas.getMessage());
    }

    @Test
    void zeroBlockWithOffloadAndExplicitVersionSensitiveDefaults() {
        JsonObject j = config(ZeroStage.STAGE_3, Offload.CPU, Offload.CPU, 1, 1, 8).toJson();
        JsonObject z = j.getAsJsonObject("zero_optimization");
        assertEquals(3, z.get("stage").getAsInt());
        assertTrue(z.get("overlap_comm").getAsBoolean());
        assertTrue(z.get("contiguous_gradients").getAsBoolean());
        assertEquals(1024L * 1024, z.get("reduce_bucket_size").getAsLong());
        assertEquals(Math.round(0.9 * 1024 * 1024), z.get("stage3_prefetch_bucket_size").getAsLong());
        assertEquals("cpu", z.getAsJsonObject("offload_optimizer").get("device").getAsString());
        assertTrue(z.getAsJsonObject("offload_optimizer").get("pin_memory").getAsBoolean());
        assertEquals("cpu", z.getAsJsonObject("offload_param").get("device").getAsString());
        assertEquals(1.0, j.get("gradient_clipping").getAsDouble());
        assertEquals(10, j.get("steps_per_print").getAsInt());
        assertTrue(j.getAsJsonObject("bf16").get("enabled").getAsBoolean());
        assertFalse(j.has("fp16"));
        assertEquals("AdamW", j.getAsJsonObject("optimizer").get("type").getAsString());

        JsonObject z2 = config(ZeroStage.STAGE_2, Offload.NONE, Offload.NONE, 1, 1, 8).toJson().getAsJsonObject("zero_optimization");
        assertEquals(1024L * 1024, z2.get("allgather_bucket_size").getAsLong());
        assertFalse(z2.has("offload_optimizer"));
        assertFalse(z2.has("offload_param"));
    }

    @Test
    void fp16GetsDynamicLossScaling() {
        JsonObject j = new DeepSpeedConfig(ZeroStage.STAGE_1, Offload.NONE, Offload.NONE, Precision.MIXED, true, Optimizer.ADAM,
                1e-4, 1, 1, 1, OptionalInt.empty(), OptionalInt.empty(), 0.0, 100, false).toJson();
        assertEquals(0, j.getAsJsonObject("fp16").get("loss_scale").getAsInt());
        assertEquals(16, j.getAsJsonObject("fp16").get("initial_scale_power").getAsInt());
        assertFalse(j.has("bf16"));
        assertEquals(0.0, j.get("gradient_clipping").getAsDouble());
        assertEquals(500_000_000L, j.getAsJsonObject("zero_optimization").get("reduce_bucket_size").getAsLong());
    }

    @Test
    void refusesOffloadThatTheStageCannotDo() {
        assertThrows(IllegalArgumentException.class, () -> config(ZeroStage.STAGE_2, Offload.CPU, Offload.CPU, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> config(ZeroStage.STAGE_0, Offload.CPU, Offload.NONE, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> config(ZeroStage.STAGE_2, Offload.NVME, Offload.NONE, 1, 1, 1));
    }

    @Test
    void writtenAtomicallyAsJson(@TempDir Path dir) throws IOException {
        ZeroPlan plan = ZeroPlanner.plan(PlanRequest.of(BloomSize.bloomz7b1(), 8).withGpu(Gpu.A100_40GB));
        StagePlan chosen = plan.recommendation().orElseThrow().choice().orElseThrow();
        Path file = dir.resolve("sub/ds_config.json");
        DeepSpeedConfig.forPlan(plan, chosen, 2, 4).write(file);
        JsonObject j = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        assertEquals(chosen.stage().number(), j.getAsJsonObject("zero_optimization").get("stage").getAsInt());
        assertEquals(64, j.get("train_batch_size").getAsInt());
        assertEquals(4096L * 4096, j.getAsJsonObject("zero_optimization").get("reduce_bucket_size").getAsLong());
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count());
        }
    }
}
