package org.medvlm.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.medvlm.data.VqaExample;
import org.medvlm.vlm.Fusion;
import org.medvlm.vlm.LoraConfig;
import org.medvlm.vlm.Tokenizer;
import org.medvlm.vlm.VisionLanguageModel;
import org.medvlm.vlm.VlmConfig;
import org.medvlm.vlm.VlmLoader;

/**
 * The recipes a run starts from: which model, which parts train, and the hyper-parameters a user leaves out. The
 * built-in model is made the way the author's was, pre-trained parts first, then the fusion:
 * <ul>
 *   <li>{@code tiny-vision}: the ViT pre-trained on the phantoms' attributes (as BiomedCLIP's tower was pre-trained
 *       before BLIP-2 used it), with a per-patch lesion head;</li>
 *   <li>{@code tiny-text}: the BLOOM pre-trained on phantom text (findings followed by questions and answers);</li>
 *   <li>{@code tiny}: BLIP-2's stage 2: both frozen, a fresh Q-Former, query tokens and projection trained on
 *       question–answer pairs — the run a notebook shows live; {@code tiny-gated} the same with the Flamingo fusion.</li>
 * </ul>
 */
public final class TrainPresets {
    private TrainPresets() {}

    /** The presets by name. */
    public static final List<String> NAMES = List.of("tiny", "tiny-gated", "tiny-vision", "tiny-text");

    /** What a preset trains. */
    public enum Kind { VQA, VISION, TEXT }

    /** The kind of {@code preset}. */
    public static Kind kind(String preset) {
        return switch (preset.toLowerCase(Locale.ROOT)) {
            case "tiny-vision" -> Kind.VISION;
            case "tiny-text" -> Kind.TEXT;
            default -> Kind.VQA;
        };
    }

    /** The data a preset trains on when none is named. */
    public static String defaultData(String preset) {
        return kind(preset) == Kind.VQA ? "phantoms:2000:7" : "phantoms:20000:101";
    }

    /** The settings of {@code preset} (its defaults), for {@code data} (null: the preset's) and {@code seed}. */
    public static TrainSettings defaults(String preset, String data, long seed) {
        String d = data == null ? defaultData(preset) : data;
        return switch (preset.toLowerCase(Locale.ROOT)) {
            case "tiny" -> new TrainSettings("tiny", d, null, 600, seed, 32, 1, 2e-3, 0.98, 50, 0.05, 1.0,
                    TrainSettings.Freeze.BLIP2, 8, 16, 0.05, 100, 0, 16, 200, 2, false);
            case "tiny-gated" -> new TrainSettings("tiny-gated", d, null, 600, seed, 32, 1, 2e-3, 0.98, 50, 0.05, 1.0,
                    TrainSettings.Freeze.GATED, 8, 16, 0.05, 100, 0, 16, 200, 2, false);
            case "tiny-vision" -> new TrainSettings("tiny-vision", d, null, 3000, seed, 64, 1, 2e-3, 0.98, 100, 0.05, 1.0,
                    TrainSettings.Freeze.NONE, 8, 16, 0.05, 500, 0, 0, 500, 2, false);
            case "tiny-text" -> new TrainSettings("tiny-text", d, null, 1000, seed, 64, 1, 3e-3, 0.98, 100, 0.1, 1.0,
                    TrainSettings.Freeze.NONE, 8, 16, 0.05, 250, 0, 0, 250, 2, false);
            default -> throw new IllegalArgumentException("unknown preset '" + preset + "' (presets: " + String.join(", ", NAMES) + ")");
        };
    }

    /** The objective of a run: the model, its data, its loss and its evaluation. */
    static Objective objective(TrainSettings settings, Supplier<List<VqaExample>> data) throws IOException {
        Kind kind = kind(settings.preset());
        if (kind != Kind.VQA) {
            int[] countSeed = phantoms(settings.data());
            VlmConfig builtin = VlmLoader.builtinConfig(Fusion.QFORMER);
            if (kind == Kind.VISION) {
                return new VisionPretraining(builtin.vision(), countSeed[0], countSeed[1], 1000, 7, 1.0, settings.seed());
            }
            return new TextPretraining(builtin.text(), Tokenizer.builtin(), countSeed[0], countSeed[1], 7, settings.seed());
        }
        List<VqaExample> all = data.get();
        List<VqaExample> train = new java.util.ArrayList<>();
        List<VqaExample> test = new java.util.ArrayList<>();
        LocalTraining.split(all, train, test, settings.data());
        VisionLanguageModel vlm = model(settings);
        try {
            return new VqaObjective(vlm, train, test, settings.evalLimit(), settings.samples());
        } catch (RuntimeException e) {
            vlm.close();
            throw e;
        }
    }

    /** COUNT and SEED of a {@code phantoms:COUNT:SEED} spec: the pre-training presets draw their own cases. */
    private static int[] phantoms(String spec) {
        String[] p = spec.split(":");
        if (p.length != 3 || !p[0].equalsIgnoreCase("phantoms")) {
            throw new IllegalArgumentException("--data " + spec + ": the pre-training presets take phantoms:COUNT:SEED");
        }
        try {
            int count = Integer.parseInt(p[1]);
            int seed = Integer.parseInt(p[2]);
            if (count < 64 || count > 200_000) {
                throw new IllegalArgumentException("--data " + spec + ": COUNT must be from 64 to 200000");
            }
            return new int[] {count, seed};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--data " + spec + ": COUNT and SEED must be integers", e);
        }
    }

    /**
     * The model a VQA run starts from, with its frozen parts marked: the preset's (the built-in pre-trained parts and a
     * fresh fusion seeded by the run's seed) or {@code settings.model()} (a model folder, or a run folder's model).
     */
    public static VisionLanguageModel model(TrainSettings settings) throws IOException {
        VisionLanguageModel vlm;
        if (settings.model() != null) {
            vlm = VisionLanguageModel.load(modelFolder(settings.model()));
        } else {
            Fusion fusion = settings.preset().toLowerCase(Locale.ROOT).endsWith("-gated") ? Fusion.GATED : Fusion.QFORMER;
            vlm = VlmLoader.builtinParts(fusion, settings.seed());
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
        if (s.freeze() == TrainSettings.Freeze.LORA && vlm.config().lora() == null) {
            vlm.addLora(LoraConfig.bloom(s.loraR(), s.loraAlpha(), s.loraDropout()), s.seed());
        }
        markFrozen(vlm, s.freeze());
    }

    /**
     * Marks what {@code freeze} leaves frozen on a model (its LoRA adapters, for {@code lora}, already attached):
     * what a run trains, and what a memory plan counts gradients and optimizer states for.
     */
    public static void markFrozen(VisionLanguageModel vlm, TrainSettings.Freeze freeze) {
        vlm.unfreeze("");
        switch (freeze) {
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
                    throw new IllegalArgumentException("--freeze lora needs LoRA adapters on the model");
                }
                vlm.freeze("vision_model.", "language_model.");
                vlm.namedParameters().keySet().stream().filter(k -> k.contains(".lora_A.") || k.contains(".lora_B."))
                        .forEach(vlm::unfreeze);
            }
        }
    }

    /** A model folder, or a run folder's final model (else its newest checkpoint). */
    public static Path modelFolder(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            return dir;
        }
        if (Files.isRegularFile(dir.resolve(RunDirectory.RUN))) {
            Path model = dir.resolve(RunDirectory.MODEL);
            if (Files.isRegularFile(model.resolve("config.json"))) {
                return model;
            }
            Optional<Checkpoints.Found> latest = RunDirectory.open(dir).checkpoints(Integer.MAX_VALUE).latest(w -> { });
            if (latest.isPresent()) {
                return latest.get().dir();
            }
            throw new IOException(dir + ": the run has no final model and no complete checkpoint yet");
        }
        throw new IOException(dir + ": neither a model folder (config.json) nor a run folder (run.json)");
    }
}
