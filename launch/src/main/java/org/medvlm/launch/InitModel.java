package org.medvlm.launch;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.io.AtomicFiles;
import org.medvlm.layers.ConfigReader;
import org.medvlm.vlm.Fusion;
import org.medvlm.vlm.PromptTemplate;
import org.medvlm.vlm.Tokenizer;
import org.medvlm.vlm.VlmLoader;
import org.medvlm.vlm.VlmConfig;

/**
 * The model folder a launched run starts from. The Python trainer loads the parts that have weights (in the
 * composite file or in part folders that config.json names) and initialises the rest with the run's seed: a preset's
 * folder is a config.json, the tokenizer where the preset has one, and the part folders that hold weights (the user's,
 * or for the tiny presets the shipped pre-trained tower and language model).
 */
public final class InitModel {

    /** Architectures by the name a user types. */
    public enum Preset {
        /** The built-in small model (its shipped pre-trained ViT and BLOOM, a fresh Q-Former, the built-in tokenizer). */
        TINY("tiny", 0, 0, 0),
        /** The built-in small model with the gated (Flamingo) fusion. */
        TINY_GATED("tiny-gated", 0, 0, 0),
        /** BiomedCLIP ViT-B/16 + BLIP-2 Q-Former (32 queries) + bloomz-560m. */
        BIOMEDCLIP_BLOOMZ_560M("biomedclip-bloomz-560m", 1024, 24, 16),
        /** ... + bloomz-1b7. */
        BIOMEDCLIP_BLOOMZ_1B7("biomedclip-bloomz-1b7", 2048, 24, 16),
        /** ... + bloomz-7b1, RadBloomZ-7B's shape. */
        BIOMEDCLIP_BLOOMZ_7B1("biomedclip-bloomz-7b1", 4096, 30, 32);

        private final String cliName;
        private final int hidden;
        private final int layers;
        private final int heads;

        Preset(String cliName, int hidden, int layers, int heads) {
            this.cliName = cliName;
            this.hidden = hidden;
            this.layers = layers;
            this.heads = heads;
        }

        public String cliName() {
            return cliName;
        }

        public static Preset of(String name) {
            for (Preset p : values()) {
                if (p.cliName.equalsIgnoreCase(name.strip())) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown preset '" + name + "'; known: " + names());
        }

        public static String names() {
            return Arrays.stream(values()).map(Preset::cliName).collect(Collectors.joining(", "));
        }

        @Override
        public String toString() {
            return cliName;
        }
    }

    /**
     * A model folder and what preparing data for it needs.
     *
     * @param dir the folder (config.json, optionally weights and tokenizer.json)
     * @param config its config
     * @param tokenizerFile its tokenizer.json (or the text part folder's); empty for the built-in tokenizer
     */
    public record ModelFolder(Path dir, VlmConfig config, Optional<Path> tokenizerFile, long eos, long pad) {
        /** The tokenizer (the caller closes it). */
        public Tokenizer tokenizer() throws IOException {
            if (tokenizerFile.isEmpty()) {
                throw new IOException(dir + ": no tokenizer.json (in the folder or in the text part's folder;"
                        + " a bloomz preset takes it from the bloomz folder given as its text part)");
            }
            return Tokenizer.read(tokenizerFile.get(), new Tokenizer.SpecialIds(eos, pad));
        }

        public PromptTemplate prompt() {
            return config.prompt();
        }
    }

    private InitModel() {}

    /** Reads a model folder; its tokenizer is DIR/tokenizer.json or the text part folder's. */
    public static ModelFolder open(Path dir) throws IOException {
        VlmConfig config = VlmConfig.read(dir);
        BloomConfig text = config.text();
        Path tok = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tok)) {
            tok = config.partDir(VlmConfig.Part.TEXT).map(p -> p.resolve("tokenizer.json")).filter(Files::isRegularFile).orElse(null);
        }
        return new ModelFolder(dir, config, Optional.ofNullable(tok), text.eosTokenId(), text.paddingId());
    }

    /**
     * Writes the folder of a preset to {@code out}: config.json, and for {@code tiny} the built-in tokenizer and the
     * shipped pre-trained vision and text part folders (where no folder is given for them). Parts
     * with weights on disk are named by folder ({@code vision}, {@code qformer}, {@code text} keys of
     * {@code partFolders}: a converted BiomedCLIP, a BLIP-2 Q-Former, a bloomz download); the others start from the
     * run's seed. A bloomz preset needs the text folder for its tokenizer unless {@code allowNoTokenizer}.
     */
    public static ModelFolder write(Preset preset, Map<String, Path> partFolders, Path out) throws IOException {
        for (String k : partFolders.keySet()) {
            if (!k.equals("vision") && !k.equals("qformer") && !k.equals("text")) {
                throw new IllegalArgumentException("unknown part '" + k + "' (vision, qformer, text)");
            }
        }
        Files.createDirectories(out);
        JsonObject root = configJson(preset, out);
        for (Map.Entry<String, Path> e : partFolders.entrySet()) {
            Path folder = e.getValue().toAbsolutePath().normalize();
            if (!Files.isRegularFile(folder.resolve("config.json"))) {
                throw new IllegalArgumentException(folder + ": no config.json (a part folder holds its config and weights)");
            }
            // absolute, so the folder can be written elsewhere first and moved into the run directory
            root.addProperty(e.getKey() + "_config", folder.toString());
        }
        if (preset == Preset.TINY || preset == Preset.TINY_GATED) {
            // the shipped pre-trained tower and language model, as the local trainer's tiny presets start from them
            for (VlmConfig.Part part : List.of(VlmConfig.Part.VISION, VlmConfig.Part.TEXT)) {
                String name = part == VlmConfig.Part.VISION ? "vision" : "text";
                if (!partFolders.containsKey(name) && VlmLoader.writeBuiltinPart(part, out.resolve(name))) {
                    root.addProperty(part.key(), name); // relative: the folder moves into the run directory whole
                }
            }
        }
        AtomicFiles.writeString(out.resolve("config.json"),
                new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n");
        if (preset == Preset.TINY || preset == Preset.TINY_GATED) {
            try (Tokenizer t = Tokenizer.builtin()) {
                t.writeTo(out.resolve("tokenizer.json"));
            }
        }
        return open(out);
    }

    /** The config.json of a preset (parts without weights: every part nested); {@code dir} is where it will live. */
    static JsonObject configJson(Preset preset, Path dir) {
        if (preset == Preset.TINY || preset == Preset.TINY_GATED) {
            return VlmLoader.builtinConfig(preset == Preset.TINY ? Fusion.QFORMER : Fusion.GATED).toJson(dir);
        }
        JsonObject root = new JsonObject();
        root.addProperty("model_type", VlmConfig.MODEL_TYPE);
        root.addProperty("format_version", VlmConfig.FORMAT_VERSION);
        root.addProperty("fusion", "qformer");
        root.addProperty("num_query_tokens", 32);
        root.addProperty("prompt_template", PromptTemplate.BLOOMZ.template());
        root.addProperty("max_new_tokens", 16);
        root.add("vision_config", biomedClipVision());
        root.add("qformer_config", blip2QFormer());
        root.add("text_config", bloomz(preset));
        return root;
    }

    /** A preset's architecture as a config, without a folder (what {@code zero --model biomedclip-bloomz-7b1} sizes). */
    public static VlmConfig config(Preset preset) {
        if (preset == Preset.TINY || preset == Preset.TINY_GATED) {
            return VlmLoader.builtinConfig(preset == Preset.TINY ? Fusion.QFORMER : Fusion.GATED);
        }
        try {
            return VlmConfig.fromJson(ConfigReader.of(configJson(preset, Path.of(".")), preset.cliName()), Path.of("."));
        } catch (IOException e) {
            throw new IllegalStateException(preset + ": the preset's config does not parse: " + e.getMessage(), e);
        }
    }

    /** timm vit_base_patch16_224 as BiomedCLIP's trunk (no classifier). */
    static JsonObject biomedClipVision() {
        JsonObject v = new JsonObject();
        v.addProperty("model_type", "timm_vit");
        v.addProperty("img_size", 224);
        v.addProperty("patch_size", 16);
        v.addProperty("embed_dim", 768);
        v.addProperty("depth", 12);
        v.addProperty("num_heads", 12);
        v.addProperty("mlp_ratio", 4.0);
        v.addProperty("qkv_bias", true);
        v.addProperty("layer_norm_eps", 1e-6);
        v.addProperty("class_token", true);
        v.addProperty("global_pool", "token");
        return v;
    }

    /** BLIP-2's Q-Former defaults with BiomedCLIP's width as encoder_hidden_size (768, not EVA's 1408). */
    static JsonObject blip2QFormer() {
        JsonObject q = new JsonObject();
        q.addProperty("model_type", "blip_2_qformer");
        q.addProperty("hidden_size", 768);
        q.addProperty("num_hidden_layers", 12);
        q.addProperty("num_attention_heads", 12);
        q.addProperty("intermediate_size", 3072);
        q.addProperty("encoder_hidden_size", 768);
        q.addProperty("cross_attention_frequency", 2);
        q.addProperty("layer_norm_eps", 1e-12);
        q.addProperty("hidden_act", "gelu");
        q.addProperty("hidden_dropout_prob", 0.1);
        q.addProperty("attention_probs_dropout_prob", 0.1);
        return q;
    }

    static JsonObject bloomz(Preset p) {
        JsonObject t = new JsonObject();
        t.addProperty("model_type", "bloom");
        t.addProperty("vocab_size", 250880);
        t.addProperty("hidden_size", p.hidden);
        t.addProperty("n_layer", p.layers);
        t.addProperty("n_head", p.heads);
        t.addProperty("layer_norm_epsilon", 1e-5);
        t.addProperty("bos_token_id", 1);
        t.addProperty("eos_token_id", 2);
        t.addProperty("pad_token_id", 3);
        t.addProperty("tie_word_embeddings", true);
        t.addProperty("hidden_dropout", 0.0);
        t.addProperty("attention_dropout", 0.0);
        return t;
    }
}
