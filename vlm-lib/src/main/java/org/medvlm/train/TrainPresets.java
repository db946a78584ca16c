package org.medvlm.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.medvlm.vlm.Fusion;
import org.medvlm.vlm.LoraConfig;
import org.medvlm.vlm.VisionLanguageModel;
import org.medvlm.vlm.VlmLoader;

/**
 * The recipes a run starts from: which model, which parts train, and the hyper-parameters a user leaves out. The
 * {@code tiny} preset is BLIP-2's stage 2 on the built-in model: its pre-trained ViT and BLOOM frozen, a fresh
 * Q-Former, query tokens and projection trained on the phantoms.
 */
public final class TrainPresets {
    private TrainPresets() {}

    /** The presets by name. */
    public static final List<String> NAMES = List.of("tiny", "tiny-gated");

    /** The settings of {@code preset} (its defaults), for {@code data} and {@code seed}. */
    public static TrainSettings defaults(String preset, String data, long seed) {
        return switch (preset.toLowerCase(Locale.ROOT)) {
            case "tiny" -> new TrainSettings("tiny", data, null, 300, seed, 32, 1, 3e-3, 20, 0.01, 1.0,
                    TrainSettings.Freeze.BLIP2, 8, 16, 0.05, 100, 0, 16, 100, 2, false);
            case "tiny-gated" -> new TrainSettings("tiny-gated", data, null, 300, seed, 32, 1, 3e-3, 20, 0.01, 1.0,
                    TrainSettings.Freeze.GATED, 8, 16, 0.05, 100, 0, 16, 100, 2, false);
            default -> throw new IllegalArgumentException("unknown preset '" + preset + "' (presets: " + String.join(", ", NAMES) + ")");
        };
    }

    /**
     * The model a run starts from, with its frozen parts marked: the preset's (built-in parts, a fresh fusion seeded by
     * the run's seed) or {@code settings.model()} (a model folder, or a run folder's final model).
     */
    public static VisionLanguageModel model(TrainSettings settings) throws IOException {
        VisionLanguageModel vlm;
        if (settings.model() != null) {
            vlm = VisionLanguageModel.load(modelFolder(settings.model()));
        } else {
            Fusion fusion = settings.preset().toLowerCase(Locale.ROOT).endsWith("-gated") ? Fusion.GATED : Fusion.QFORMER;
            vlm = VlmLoader.builtinRandom(fusion, settings.seed());
        }
        try {
            applyFreeze(vlm, settings);
            return vlm;
        } catch (RuntimeException e) {
            vlm.close();
            throw e;
        }
    }

    /** Marks what stays frozen; LoRA adds fresh adapters (seeded) first. */
    static void applyFreeze(VisionLanguageModel vlm, TrainSettings s) {
        vlm.unfreeze("");
        switch (s.freeze()) {
            case NONE -> { }
            case BLIP2 -> {
                if (vlm.bridge() == null) {
                    throw new IllegalArgumentException("--freeze blip2 trains the Q-Former, but this model has the gated fusion; use --freeze gated");
                }
                vlm.freeze("vision_model.", "language_model.");
            }
            case GATED -> {
                if (vlm.flamingo() == null) {
                    throw new IllegalArgumentException("--freeze gated trains the gated cross-attention, but this model has the Q-Former; use --freeze blip2");
                }
                vlm.freeze("vision_model.", "language_model.");
            }
            case LORA -> {
                if (vlm.config().lora() == null) {
                    vlm.addLora(LoraConfig.bloom(s.loraR(), s.loraAlpha(), s.loraDropout()), s.seed());
                }
                vlm.freeze("vision_model.", "language_model.");
                vlm.namedParameters().keySet().stream().filter(k -> k.contains(".lora_A.") || k.contains(".lora_B."))
                        .forEach(vlm::unfreeze);
            }
        }
    }

    /** A model folder, or a run folder's final model (else its newest checkpoint). */
    public static Path modelFolder(Path dir) throws IOException {
        if (java.nio.file.Files.isRegularFile(dir.resolve("config.json"))) {
            return dir;
        }
        if (java.nio.file.Files.isRegularFile(dir.resolve(RunDirectory.RUN))) {
            Path model = dir.resolve(RunDirectory.MODEL);
            if (java.nio.file.Files.isRegularFile(model.resolve("config.json"))) {
                return model;
            }
            java.util.Optional<Checkpoints.Found> latest = RunDirectory.open(dir).checkpoints(Integer.MAX_VALUE).latest(w -> { });
            if (latest.isPresent()) {
                return latest.get().dir();
            }
            throw new IOException(dir + ": the run has no final model and no complete checkpoint yet");
        }
        throw new IOException(dir + ": neither a model folder (config.json) nor a run folder (run.json)");
    }
}
