package org.medvlm.zero;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.medvlm.io.AtomicFiles;

/**
 * A DeepSpeed {@code ds_config.json} for a plan. Settings whose defaults changed between DeepSpeed
 * versions are written explicitly: {@code pin_memory} (false up to 0.19.4, true since 0.19.5),
 * {@code gradient_clipping} (0.0 up to 0.19.2, 1.0 since 0.19.3) and {@code steps_per_print} (10 up to
 * 0.15.1, unset since 0.15.2).
 *
 * @param stage              ZeRO stage
 * @param offloadOptimizer   {@code zero_optimization.offload_optimizer.device}
 * @param offloadParam       {@code zero_optimization.offload_param.device} (stage 3 only)
 * @param precision          MIXED and BF16 enable {@code bf16} (or {@code fp16} with {@code fp16}); AMP enables neither
 * @param fp16               use fp16 with dynamic loss scaling instead of bf16 for MIXED
 * @param optimizer          optimizer type
 * @param learningRate       {@code optimizer.params.lr}
 * @param microBatch         {@code train_micro_batch_size_per_gpu}
 * @param gradientAccumulation {@code gradient_accumulation_steps}
 * @param worldSize          data-parallel GPUs
 * @param trainBatchSize     an explicit {@code train_batch_size} to check against the other three
 * @param hiddenSize         the model's hidden size, for bucket sizes (as Hugging Face's "auto" fills them)
 * @param gradientClipping   {@code gradient_clipping}; 0 disables it
 * @param stepsPerPrint      {@code steps_per_print}
 * @param pinMemory          {@code pin_memory} of the offload blocks
 */
public record DeepSpeedConfig(ZeroStage stage, Offload offloadOptimizer, Offload offloadParam, Precision precision,
                              boolean fp16, Optimizer optimizer, double learningRate, int microBatch,
                              int gradientAccumulation, int worldSize, OptionalInt trainBatchSize,
                              OptionalInt hiddenSize, double gradientClipping, int stepsPerPrint, boolean pinMemory) {

    /** DeepSpeed's default bucket size (elements) when the hidden size is unknown. */
    static final long DEFAULT_BUCKET = 500_000_000L;

    public DeepSpeedConfig {
        trainBatchSize = trainBatchSize == null ? OptionalInt.empty() : trainBatchSize;
        hiddenSize = hiddenSize == null ? OptionalInt.empty() : hiddenSize;
        // DeepSpeed's own assertions, in its words (runtime/config.py _batch_assertion)
        if (trainBatchSize.isPresent() && trainBatchSize.getAsInt() <= 0) {
            throw new IllegalArgumentException("Train batch size: " + trainBatchSize.getAsInt() + " has to be greater than 0");
        }
        if (microBatch <= 0) {
            throw new IllegalArgumentException("Micro batch size per gpu: " + microBatch + " has to be greater than 0");
        }
        if (gradientAccumulation <= 0) {
            throw new IllegalArgumentException("Gradient accumulation steps: " + gradientAccumulation + " has to be greater than 0");
        }
        if (worldSize <= 0) {
            throw new IllegalArgumentException("world size must be positive, not " + worldSize);
        }
        // micro-batch × accumulation × GPUs can pass 2^63 (2^31 · 2^31 · 2^16): count it in BigInteger
        java.math.BigInteger product = java.math.BigInteger.valueOf(microBatch).multiply(java.math.BigInteger.valueOf(gradientAccumulation))
                .multiply(java.math.BigInteger.valueOf(worldSize));
        if (trainBatchSize.isPresent() && !product.equals(java.math.BigInteger.valueOf(trainBatchSize.getAsInt()))) {
            throw new IllegalArgumentException("Check batch related parameters. train_batch_size is not equal to "
                    + "micro_batch_per_gpu * gradient_acc_step * world_size " + trainBatchSize.getAsInt() + " != "
                    + microBatch + " * " + gradientAccumulation + " * " + worldSize);
        }
        if (product.compareTo(java.math.BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("train_batch_size " + microBatch + " * " + gradientAccumulation + " * " + worldSize
                    + " = " + product + " is too large (at most " + Integer.MAX_VALUE + ")");
        }
        if (offloadParam != Offload.NONE && stage != ZeroStage.STAGE_3) {
            throw new IllegalArgumentException("offload_param needs ZeRO stage 3, not stage " + stage.number());
        }
        if (offloadOptimizer != Offload.NONE && stage == ZeroStage.STAGE_0) {
            throw new IllegalArgumentException("offload_optimizer needs ZeRO stage 1, 2 or 3");
        }
        if (offloadOptimizer == Offload.NVME && stage != ZeroStage.STAGE_3) {
            throw new IllegalArgumentException("offload_optimizer to nvme needs ZeRO stage 3");
        }
        if (fp16 && precision != Precision.MIXED) {
            throw new IllegalArgumentException("fp16 applies to mixed precision only, not " + precision);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive, not " + learningRate);
        }
        if (gradientClipping < 0 || Double.isNaN(gradientClipping)) {
            throw new IllegalArgumentException("gradient clipping must be 0 (off) or positive, not " + gradientClipping);
        }
        if (stepsPerPrint <= 0) {
            throw new IllegalArgumentException("steps_per_print must be positive, not " + stepsPerPrint);
        }
    }

    /** A config for one stage plan: bf16, AdamW at 1e-4, clipping 1.0, pinned offload buffers, printing every 10 steps. */
    public static DeepSpeedConfig forPlan(ZeroPlan plan, StagePlan stage, int microBatch, int gradientAccumulation) {
        PlanRequest r = plan.request();
        return new DeepSpeedConfig(stage.stage(), stage.offloadOptimizer(), stage.offloadParam(), r.precision(), false,
                r.optimizer(), 1e-4, microBatch, gradientAccumulation, r.gpus(), OptionalInt.empty(),
                r.model().shape().map(s -> OptionalInt.of(s.hidden())).orElse(OptionalInt.empty()), 1.0, 10, true);
    }

    public DeepSpeedConfig withTrainBatchSize(int tb) {
        return new DeepSpeedConfig(stage, offloadOptimizer, offloadParam, precision, fp16, optimizer, learningRate, microBatch,
                gradientAccumulation, worldSize, OptionalInt.of(tb), hiddenSize, gradientClipping, stepsPerPrint, pinMemory);
    }

    /** fp16 with dynamic loss scaling instead of bf16 (mixed precision only). */
    public DeepSpeedConfig withFp16(boolean on) {
        return new DeepSpeedConfig(stage, offloadOptimizer, offloadParam, precision, on, optimizer, learningRate, microBatch,
                gradientAccumulation, worldSize, trainBatchSize, hiddenSize, gradientClipping, stepsPerPrint, pinMemory);
    }

    public DeepSpeedConfig withLearningRate(double lr) {
        return new DeepSpeedConfig(stage, offloadOptimizer, offloadParam, precision, fp16, optimizer, lr, microBatch,
                gradientAccumulation, worldSize, trainBatchSize, hiddenSize, gradientClipping, stepsPerPrint, pinMemory);
    }

    /** micro-batch × gradient accumulation × world size. */
    public int trainBatch() {
        return microBatch * gradientAccumulation * worldSize;
    }

    public JsonObject toJson() {
        JsonObject root = new JsonObject();
        root.addProperty("train_batch_size", trainBatch());
        root.addProperty("train_micro_batch_size_per_gpu", microBatch);
        root.addProperty("gradient_accumulation_steps", gradientAccumulation);
        root.addProperty("gradient_clipping", gradientClipping);
        root.addProperty("steps_per_print", stepsPerPrint);
        root.addProperty("wall_clock_breakdown", false);

        JsonObject opt = new JsonObject();
        opt.addProperty("type", optimizer.deepSpeedType());
        JsonObject params = new JsonObject();
        params.addProperty("lr", learningRate);
        if (optimizer == Optimizer.SGD) {
            params.addProperty("momentum", 0.9);
        } else {
            JsonArray betas = new JsonArray();
            betas.add(0.9);
            betas.add(0.999);
            params.add("betas", betas);
            params.addProperty("eps", 1e-8);
            params.addProperty("weight_decay", optimizer == Optimizer.ADAMW ? 0.01 : 0.0);
        }
        opt.add("params", params);
        root.add("optimizer", opt);

        if (precision != Precision.AMP) {
            JsonObject half = new JsonObject();
            half.addProperty("enabled", true);
            if (fp16) {
                half.addProperty("loss_scale", 0);
                half.addProperty("initial_scale_power", 16);
                half.addProperty("loss_scale_window", 1000);
                half.addProperty("hysteresis", 2);
                half.addProperty("min_loss_scale", 1);
                root.add("fp16", half);
            } else {
                root.add("bf16", half);
            }
        }

        JsonObject zero = new JsonObject();
        zero.addProperty("stage", stage.number());
        long bucket = hiddenSize.isPresent() ? (long) hiddenSize.getAsInt() * hiddenSize.getAsInt() : DEFAULT_BUCKET;
        // overlap_comm's default depends on the stage (true only for 3); say it
        zero.addProperty("overlap_comm", stage.number() >= 2);
        zero.addProperty("contiguous_gradients", true);
        zero.addProperty("reduce_scatter", true);
        zero.addProperty("reduce_bucket_size", bucket);
        if (stage == ZeroStage.STAGE_3) {
            zero.addProperty("stage3_prefetch_bucket_size", Math.round(0.9 * bucket));
            zero.addProperty("stage3_param_persistence_threshold", hiddenSize.isPresent() ? 10L * hiddenSize.getAsInt() : 100_000L);
            zero.addProperty("stage3_max_live_parameters", 1_000_000_000L);
            zero.addProperty("stage3_gather_16bit_weights_on_model_save", true);
        } else {
            zero.addProperty("allgather_partitions", true);
            zero.addProperty("allgather_bucket_size", bucket);
        }
        if (offloadOptimizer != Offload.NONE) {
            zero.add("offload_optimizer", offload(offloadOptimizer));
        }
        if (offloadParam != Offload.NONE) {
            zero.add("offload_param", offload(offloadParam));
        }
        root.add("zero_optimization", zero);
        return root;
    }

    private JsonObject offload(Offload device) {
        JsonObject o = new JsonObject();
        o.addProperty("device", device.device());
        if (device == Offload.NVME) {
            // a placeholder the user must point at a local NVMe mount
            o.addProperty("nvme_path", "/local_nvme");
        }
        o.addProperty("pin_memory", pinMemory);
        return o;
    }

    public String toJsonText() {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(toJson()) + "\n";
    }

    /** Writes the config atomically (a reader never sees half a file). */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toJsonText());
    }
}
