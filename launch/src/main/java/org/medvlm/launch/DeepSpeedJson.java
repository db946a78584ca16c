package org.medvlm.launch;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.medvlm.zero.DeepSpeedConfig;
import org.medvlm.zero.Offload;
import org.medvlm.zero.Optimizer;
import org.medvlm.zero.Precision;
import org.medvlm.zero.ZeroStage;

/**
 * The {@code ds_config.json} of a launched run: the planner's {@link DeepSpeedConfig} for the run's stage, offload,
 * precision and batch shape, with the trainer's learning rate, weight decay and clipping, and no scheduler block (the
 * trainer sets the learning rate itself). {@link #check} holds DeepSpeed's documented rules, applied to every config
 * written.
 */
public final class DeepSpeedJson {
    private static final Set<String> OPTIMIZERS = Set.of("adam", "adamw", "lamb", "onebitadam", "zerooneadam",
            "onebitlamb", "adagrad", "lion", "muon", "muadam", "muadamw", "musgd");
    private static final Set<String> DEVICES = Set.of("none", "cpu", "nvme");

    private DeepSpeedJson() {}

    /**
     * @param hidden the language model's width (bucket sizes as Hugging Face's "auto" fills them)
     */
    public static JsonObject of(LaunchSpec spec, TrainerArgs trainer, int worldSize, int hidden) {
        Offload optimizer = spec.offload() == LaunchSpec.Offload.NONE ? Offload.NONE : Offload.CPU;
        Offload params = spec.offload() == LaunchSpec.Offload.PARAMS ? Offload.CPU : Offload.NONE;
        Precision precision = spec.precision() == LaunchSpec.Precision.FP32 ? Precision.AMP : Precision.MIXED;
        DeepSpeedConfig c = new DeepSpeedConfig(ZeroStage.of(spec.stage()), optimizer, params, precision,
                spec.precision() == LaunchSpec.Precision.FP16, Optimizer.ADAMW, trainer.lr(), trainer.batchSize(),
                trainer.gradAccum(), worldSize, OptionalInt.empty(), hidden > 0 ? OptionalInt.of(hidden) : OptionalInt.empty(),
                trainer.gradClip(), 10, true);
        JsonObject json = c.toJson();
        json.getAsJsonObject("optimizer").getAsJsonObject("params").addProperty("weight_decay", trainer.weightDecay());
        List<String> problems = check(json, worldSize);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("generated ds_config.json breaks DeepSpeed's rules: " + String.join("; ", problems));
        }
        return json;
    }

    public static String text(JsonObject json) {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json) + "\n";
    }

    /**
     * DeepSpeed's rules for a config (deepspeed/runtime/config.py, zero/config.py, zero/offload_config.py): the batch
     * triple {@code train_batch_size = train_micro_batch_size_per_gpu x gradient_accumulation_steps x world size},
     * each positive; fp16 and bf16 not both; stage 0..3 and stage-3 keys only at stage 3; {@code offload_param} only at
     * stage 3, {@code offload_optimizer} at stage 1..3 (nvme at 3); known devices and optimizer types; no "auto" (only
     * Hugging Face's integration fills those). Returns the broken rules, empty when none.
     */
    public static List<String> check(JsonObject c, int worldSize) {
        List<String> p = new ArrayList<>();
        Integer tb = integer(c, "train_batch_size");
        Integer mb = integer(c, "train_micro_batch_size_per_gpu");
        Integer gas = integer(c, "gradient_accumulation_steps");
        if (tb == null && mb == null) {
            p.add("Either train_batch_size or train_micro_batch_size_per_gpu needs to be provided");
        }
        if (tb != null && tb <= 0) {
            p.add("Train batch size: " + tb + " has to be greater than 0");
        }
        if (mb != null && mb <= 0) {
            p.add("Micro batch size per gpu: " + mb + " has to be greater than 0");
        }
        if (gas != null && gas <= 0) {
            p.add("Gradient accumulation steps: " + gas + " has to be greater than 0");
        }
        if (tb != null && mb != null && gas != null && (long) mb * gas * worldSize != tb) {
            p.add("Check batch related parameters. train_batch_size is not equal to micro_batch_per_gpu * gradient_acc_step"
                    + " * world_size " + tb + " != " + mb + " * " + gas + " * " + worldSize);
        }
        if (enabled(c, "fp16") && enabled(c, "bf16")) {
            p.add("bfloat16 and fp16 modes cannot be simultaneously enabled");
        }
        for (Map.Entry<String, JsonElement> e : c.entrySet()) {
            if (e.getValue().isJsonPrimitive() && "auto".equals(e.getValue().getAsString())) {
                p.add(e.getKey() + " is \"auto\", which only Hugging Face's integration fills in");
            }
        }
        if (c.has("optimizer")) {
            String type = c.getAsJsonObject("optimizer").get("type").getAsString().toLowerCase(java.util.Locale.ROOT);
            if (!OPTIMIZERS.contains(type)) {
                p.add("optimizer type " + type + " is not one of DeepSpeed's");
            }
        }
        if (c.has("zero_optimization")) {
            JsonObject z = c.getAsJsonObject("zero_optimization");
            int stage = z.has("stage") ? z.get("stage").getAsInt() : 0;
            if (stage < 0 || stage > 3) {
                p.add("zero_optimization.stage " + stage + " is not 0..3");
            }
            for (String k : z.keySet()) {
                if (k.startsWith("stage3_") && stage != 3) {
                    p.add("zero_optimization." + k + " applies to stage 3 only (stage is " + stage + ")");
                }
            }
            if (z.has("offload_param")) {
                String d = z.getAsJsonObject("offload_param").get("device").getAsString();
                if (!DEVICES.contains(d)) {
                    p.add("offload_param.device " + d + " is not none, cpu or nvme");
                } else if (!d.equals("none") && stage != 3) {
                    p.add("offload_param needs stage 3 (stage is " + stage + ")");
                }
            }
            if (z.has("offload_optimizer")) {
                JsonObject o = z.getAsJsonObject("offload_optimizer");
                String d = o.get("device").getAsString();
                if (!DEVICES.contains(d)) {
                    p.add("offload_optimizer.device " + d + " is not none, cpu or nvme");
                } else if (!d.equals("none") && stage == 0) {
                    p.add("offload_optimizer needs stage 1, 2 or 3");
                } else if (d.equals("nvme") && stage != 3) {
                    p.add("offload_optimizer to nvme needs stage 3");
                }
                if (o.has("ratio") && o.get("ratio").getAsDouble() < 1.0 && stage != 3) {
                    p.add("Partial offloading only supported for ZeRO Stage 3.");
                }
            }
        }
        return p;
    }

    private static Integer integer(JsonObject c, String key) {
        return c.has(key) && !c.get(key).isJsonNull() && c.get(key).getAsJsonPrimitive().isNumber() ? c.get(key).getAsInt() : null;
    }

    private static boolean enabled(JsonObject c, String key) {
        return c.has(key) && c.getAsJsonObject(key).has("enabled") && c.getAsJsonObject(key).get("enabled").getAsBoolean();
    }
}
