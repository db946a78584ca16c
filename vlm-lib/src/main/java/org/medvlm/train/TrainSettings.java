package org.medvlm.train;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A run's settings: the same keys as {@code medvlm train}'s options and a {@code %%train} cell's lines, recorded in
 * {@code run.json}. Presets ({@link TrainPresets}) fill what a user leaves out.
 *
 * @param preset the architecture and recipe ({@code tiny}, ...)
 * @param data the dataset, {@code FORMAT:PATH} as the datasets commands take it ({@code phantoms:2000:7})
 * @param model a model folder to start from instead of the preset's parts, or null
 * @param steps optimizer updates
 * @param seed the one seed of the run: initialisation, data order, dropout
 * @param batchSize examples per micro-batch
 * @param gradAccum micro-batches per update
 * @param lr peak learning rate
 * @param beta2 AdamW's second-moment decay (PyTorch's 0.999; small models on small data like 0.98)
 * @param warmupSteps updates of linear warm-up before the cosine decay
 * @param weightDecay AdamW's decoupled weight decay (not on biases and norms)
 * @param gradClip maximum global gradient norm (0: no clipping)
 * @param freeze what stays frozen
 * @param loraR LoRA rank (with {@code freeze = lora})
 * @param loraAlpha LoRA alpha
 * @param loraDropout LoRA dropout
 * @param evalEvery updates between evaluations on the held-out split
 * @param evalLimit most held-out questions scored per evaluation (0: all)
 * @param samples examples shown per evaluation (the image–answer table)
 * @param checkpointEvery updates between checkpoints
 * @param keepCheckpoints checkpoints kept (the newest)
 * @param resume continue from the newest complete checkpoint of the run folder
 */
public record TrainSettings(String preset, String data, Path model, int steps, long seed, int batchSize, int gradAccum,
        double lr, double beta2, int warmupSteps, double weightDecay, double gradClip, Freeze freeze, int loraR, double loraAlpha,
        double loraDropout, int evalEvery, int evalLimit, int samples, int checkpointEvery, int keepCheckpoints,
        boolean resume) {

    /** What training leaves unchanged. */
    public enum Freeze {
        /** BLIP-2's stage 2 (and the author's recipe): ViT and LLM frozen; Q-Former, query tokens, projection train. */
        BLIP2,
        /** Flamingo's: only the perceiver and the gated cross-attention blocks train. */
        GATED,
        /** Everything trains (from scratch, or full fine-tuning). */
        NONE,
        /** LoRA adapters on BLOOM's query_key_value and dense, plus the fusion; everything else frozen. */
        LORA;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Freeze parse(String s) {
            for (Freeze f : values()) {
                if (f.key().equals(s.toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            throw new IllegalArgumentException("freeze must be blip2, gated, none or lora, got '" + s + "'");
        }
    }

    public TrainSettings {
        require(steps > 0 && steps <= 100_000_000, "steps must be from 1 to 100000000");
        require(batchSize > 0 && batchSize <= 1 << 16, "batch-size must be from 1 to 65536");
        require(gradAccum > 0 && gradAccum <= 1 << 16, "grad-accum must be from 1 to 65536");
        require(lr > 0 && lr < 10 && Double.isFinite(lr), "lr must be a positive number below 10");
        require(beta2 >= 0 && beta2 < 1, "adam-beta2 must be in [0, 1)");
        require(warmupSteps >= 0, "warmup-steps must be 0 or more");
        require(weightDecay >= 0 && weightDecay < 10, "weight-decay must be from 0 to 10");
        require(gradClip >= 0 && Double.isFinite(gradClip), "grad-clip must be 0 (off) or positive");
        require(loraR > 0 && loraR <= 4096, "lora-r must be from 1 to 4096");
        require(loraAlpha > 0 && Double.isFinite(loraAlpha), "lora-alpha must be a positive number");
        require(loraDropout >= 0 && loraDropout < 1, "lora-dropout must be in [0, 1)");
        require(evalEvery > 0, "eval-every must be 1 or more");
        require(evalLimit >= 0, "eval-limit must be 0 (every held-out question) or more");
        require(samples >= 0 && samples <= 256, "samples must be from 0 to 256");
        require(checkpointEvery > 0, "checkpoint-every must be 1 or more");
        require(keepCheckpoints > 0, "keep-checkpoints must be 1 or more");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The settings as {@code run.json} records them (and a launched run's trainer receives them). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("preset", preset);
        o.addProperty("data", data);
        o.addProperty("model", model == null ? null : model.toString());
        o.addProperty("steps", steps);
        o.addProperty("seed", seed);
        o.addProperty("batch_size", batchSize);
        o.addProperty("grad_accum", gradAccum);
        o.addProperty("lr", lr);
        o.addProperty("adam_beta2", beta2);
        o.addProperty("warmup_steps", warmupSteps);
        o.addProperty("weight_decay", weightDecay);
        o.addProperty("grad_clip", gradClip);
        o.addProperty("freeze", freeze.key());
        o.addProperty("lora_r", loraR);
        o.addProperty("lora_alpha", loraAlpha);
        o.addProperty("lora_dropout", loraDropout);
        o.addProperty("eval_every", evalEvery);
        o.addProperty("eval_limit", evalLimit);
        o.addProperty("samples", samples);
        o.addProperty("checkpoint_every", checkpointEvery);
        o.addProperty("keep_checkpoints", keepCheckpoints);
        return o;
    }

    public TrainSettings withSteps(int n) {
        return new TrainSettings(preset, data, model, n, seed, batchSize, gradAccum, lr, beta2, warmupSteps, weightDecay, gradClip,
                freeze, loraR, loraAlpha, loraDropout, evalEvery, evalLimit, samples, checkpointEvery, keepCheckpoints, resume);
    }

    public TrainSettings withResume(boolean r) {
        return new TrainSettings(preset, data, model, steps, seed, batchSize, gradAccum, lr, beta2, warmupSteps, weightDecay, gradClip,
                freeze, loraR, loraAlpha, loraDropout, evalEvery, evalLimit, samples, checkpointEvery, keepCheckpoints, r);
    }
}
