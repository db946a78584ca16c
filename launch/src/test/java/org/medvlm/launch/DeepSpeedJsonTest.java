package org.medvlm.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.medvlm.launch.LaunchSpec.Launcher;
import org.medvlm.launch.LaunchSpec.Offload;
import org.medvlm.launch.LaunchSpec.Precision;

/** The generated ds_config.json satisfies DeepSpeed's documented rules for every stage, offload and precision. */
class DeepSpeedJsonTest {
    static LaunchSpec ds(int zero, Offload offload, Precision precision) {
        return new LaunchSpec(Launcher.DEEPSPEED, 8, null, 1, Optional.empty(), "", "", "", null, null, zero, offload, null,
                precision, false, false, false, "", "", "", "", "");
    }

    @Test
    void everyStageOffloadAndPrecisionFollowsTheRules() {
        TrainerArgs t = TrainerArgs.of("--batch-size", "4", "--grad-accum", "3", "--lr", "2e-5", "--weight-decay", "0.05",
                "--grad-clip", "0.5");
        int checked = 0;
        for (int zero = 0; zero <= 3; zero++) {
            for (Offload off : Offload.values()) {
                if ((off == Offload.PARAMS && zero != 3) || (off == Offload.OPTIMIZER && zero == 0)) {
                    continue;
                }
                for (Precision p : Precision.values()) {
                    JsonObject c = DeepSpeedJson.of(ds(zero, off, p), t, 16, 4096);
                    assertEquals(List.of(), DeepSpeedJson.check(c, 16));
                    // the batch triple: 4 x 3 x 16
                    assertEquals(192, c.get("train_batch_size").getAsInt());
                    assertEquals(4, c.get("train_micro_batch_size_per_gpu").getAsInt());
                    assertEquals(3, c.get("gradient_accumulation_steps").getAsInt());
                    JsonObject z = c.getAsJsonObject("zero_optimization");
                    assertEquals(zero, z.get("stage").getAsInt());
                    assertEquals(zero == 3, z.has("stage3_prefetch_bucket_size"));
                    assertEquals(off != Offload.NONE, z.has("offload_optimizer"));
                    assertEquals(off == Offload.PARAMS, z.has("offload_param"));
                    assertEquals(p == Precision.BF16, c.has("bf16"));
                    assertEquals(p == Precision.FP16, c.has("fp16"));
                    assertFalse(c.has("scheduler"), "the trainer sets the learning rate itself");
                    JsonObject params = c.getAsJsonObject("optimizer").getAsJsonObject("params");
                    assertEquals(2e-5, params.get("lr").getAsDouble());
                    assertEquals(0.05, params.get("weight_decay").getAsDouble());
                    assertEquals(0.5, c.get("gradient_clipping").getAsDouble());
                    checked++;
                }
            }
        }
        assertEquals(3 * (1 + 2 + 2 + 3), checked);
    }

    @Test
    void brokenConfigsAreNamed() {
        JsonObject bad = JsonParser.parseString("""
                {"train_batch_size": 30, "train_micro_batch_size_per_gpu": 4, "gradient_accumulation_steps": 1,
                 "fp16": {"enabled": true}, "bf16": {"enabled": true}, "optimizer": {"type": "SuperAdam"},
                 "zero_optimization": {"stage": 2, "stage3_max_live_parameters": 1e9,
                   "offload_param": {"device": "cpu"}, "offload_optimizer": {"device": "nvme"}}}""").getAsJsonObject();
        List<String> p = DeepSpeedJson.check(bad, 8);
        assertTrue(p.contains("Check batch related parameters. train_batch_size is not equal to micro_batch_per_gpu"
                + " * gradient_acc_step * world_size 30 != 4 * 1 * 8"), p.toString());
        assertTrue(p.contains("bfloat16 and fp16 modes cannot be simultaneously enabled"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.contains("stage3_max_live_parameters applies to stage 3 only")), p.toString());
        assertTrue(p.contains("offload_param needs stage 3 (stage is 2)"), p.toString());
        assertTrue(p.contains("offload_optimizer to nvme needs stage 3"), p.toString());
        assertTrue(p.contains("optimizer type superadam is not one of DeepSpeed's"), p.toString());
        assertEquals(6, p.size(), p.toString());
    }
}
