package org.medvlm.zero;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The part models the planner knows by name, so {@code zero --model bloomz-7b1} needs no config.json: the BLOOMZ
 * family (the Hugging Face configs' hidden size, layers and heads; vocabulary 250,880, tied head) and BiomedCLIP's
 * ViT-B/16. A Hugging Face id ({@code bigscience/bloomz-7b1}) and {@code biomedclip vit-b/16} are accepted too. The
 * whole-VLM names are {@code train --preset}'s ({@code biomedclip-bloomz-7b1}), sized on their module tree by
 * {@code org.medvlm.launch.ModelSizing}.
 */
public final class ModelPresets {
    private static final Map<String, Supplier<ModelSize>> PRESETS = new LinkedHashMap<>();

    static {
        // bigscience/bloomz-*: 559,214,592 / 1,065,314,304 / 1,722,408,960 / 3,002,557,440 / 7,069,016,064 parameters
        Map<String, Supplier<ModelSize>> bloom = new LinkedHashMap<>();
        bloom.put("bloomz-560m", BloomSize::bloomz560m);
        bloom.put("bloomz-1b1", () -> BloomSize.of("bloomz-1b1", 1536, 24, 16, 250_880, true));
        bloom.put("bloomz-1b7", () -> BloomSize.of("bloomz-1b7", 2048, 24, 16, 250_880, true));
        bloom.put("bloomz-3b", () -> BloomSize.of("bloomz-3b", 2560, 30, 32, 250_880, true));
        bloom.put("bloomz-7b1", BloomSize::bloomz7b1);
        PRESETS.putAll(bloom);
        PRESETS.put("biomedclip-vit-b16", VitSize::biomedClipVitB16);
    }

    private ModelPresets() {}

    /** The preset names, in the order the help lists them. */
    public static List<String> names() {
        return List.copyOf(PRESETS.keySet());
    }

    /** The model called {@code name} (case and a {@code bigscience/} prefix do not matter), if the planner knows it. */
    public static Optional<ModelSize> named(String name) {
        String key = name.strip().toLowerCase(Locale.ROOT);
        if (key.startsWith("bigscience/")) {
            key = key.substring("bigscience/".length());
        }
        if (key.equals("biomedclip") || key.equals("biomedclip vit-b/16") || key.equals("biomedclip-vit-b/16")) {
            key = "biomedclip-vit-b16";
        }
        Supplier<ModelSize> preset = PRESETS.get(key);
        return preset == null ? Optional.empty() : Optional.of(preset.get());
    }
}
