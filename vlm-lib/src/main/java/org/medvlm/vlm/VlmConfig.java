package org.medvlm.vlm;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.fusion.FlamingoFusion;
import org.medvlm.io.AtomicFiles;
import org.medvlm.layers.ConfigReader;
import org.medvlm.qformer.QFormer;
import org.medvlm.vision.VisionTransformer;

/**
 * The composite's {@code config.json}: the fusion kind, the prompt template and its parts' typed configs, each either
 * nested (as Hugging Face's {@code Blip2Config} nests {@code vision_config}, {@code qformer_config} and
 * {@code text_config}) or a path, relative to the model folder, of a part folder holding that part's own
 * {@code config.json} (and, optionally, its weights in the part's own key names).
 *
 * <pre>{@code
 * {"model_type": "medvlm", "format_version": 1, "fusion": "qformer", "num_query_tokens": 16,
 *  "prompt_template": "Question: {question} Answer:", "max_new_tokens": 16, "max_context_tokens": 2048,
 *  "vision_config": {...}, "qformer_config": {...}, "text_config": "bloomz-560m", "lora_config": {...}}
 * }</pre>
 * With {@code "fusion": "gated"} the fusion part is {@code gated_config} (perceiver and cross-attention sizes).
 *
 * @param fusion how vision reaches the LM
 * @param numQueryTokens Q-Former queries (QFORMER) or perceiver latents (GATED)
 * @param prompt the text around the question
 * @param maxNewTokens the default answer length limit
 * @param maxContextTokens the most tokens one sequence may hold (visual prefix + prompt + answer): BLOOM's training
 *     length, 2048; longer questions are refused rather than growing memory with the square of their length
 * @param vision the vision tower
 * @param qformer the Q-Former (QFORMER fusion), else null; its query count is {@code numQueryTokens}
 * @param gated the gated fusion (GATED fusion), else null
 * @param text the language model
 * @param lora LoRA adapters on the language model, or null
 * @param partDirs the folders of parts given by path (absolute); absent for nested parts
 */
public record VlmConfig(Fusion fusion, int numQueryTokens, PromptTemplate prompt, int maxNewTokens, int maxContextTokens,
        VisionTransformer.Config vision, QFormer.Config qformer, FlamingoFusion.Config gated, BloomConfig text,
        LoraConfig lora, Map<Part, Path> partDirs) {
    public static final String MODEL_TYPE = "medvlm";
    public static final int FORMAT_VERSION = 1;
    /** The largest {@code max_new_tokens} and {@code max_context_tokens} accepted. */
    public static final int MAX_TOKENS = 1 << 16;

    /** The composite's parts, by their key in {@code config.json}. */
    public enum Part {
        VISION("vision_config"),
        QFORMER("qformer_config"),
        GATED("gated_config"),
        TEXT("text_config");

        private final String key;

        Part(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    public VlmConfig {
        if (numQueryTokens <= 0 || numQueryTokens > MAX_TOKENS) {
            throw new IllegalArgumentException("num_query_tokens must be from 1 to " + MAX_TOKENS + ", got " + numQueryTokens);
        }
        if (maxNewTokens <= 0 || maxNewTokens > MAX_TOKENS) {
            throw new IllegalArgumentException("max_new_tokens must be from 1 to " + MAX_TOKENS + ", got " + maxNewTokens);
        }
        if (maxContextTokens <= numQueryTokens || maxContextTokens > MAX_TOKENS) {
            throw new IllegalArgumentException("max_context_tokens must exceed num_query_tokens and be at most " + MAX_TOKENS
                    + ", got " + maxContextTokens);
        }
        if ((fusion == Fusion.QFORMER) != (qformer != null) || (fusion == Fusion.GATED) != (gated != null)) {
            throw new IllegalArgumentException("config has fusion \"" + fusion.key() + "\" but no "
                    + (fusion == Fusion.QFORMER ? "qformer_config" : "gated_config"));
        }
        if (qformer != null && (qformer.encoderHiddenSize() != vision.embedDim() || qformer.numQueryTokens() != numQueryTokens)) {
            throw new IllegalArgumentException("qformer_config.encoder_hidden_size " + qformer.encoderHiddenSize()
                    + " differs from the vision width " + vision.embedDim());
        }
        if (gated != null && (gated.lmDim() != text.hiddenSize() || gated.nLayer() != text.nLayer()
                || gated.visualDim() != vision.embedDim())) {
            throw new IllegalArgumentException("gated_config does not fit the vision and text parts");
        }
        partDirs = partDirs.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new EnumMap<>(partDirs));
    }

    /** The parts a fusion kind needs: vision and text, and the Q-Former or the gated-fusion settings. */
    public static Part[] required(Fusion fusion) {
        return new Part[] {Part.VISION, fusion == Fusion.QFORMER ? Part.QFORMER : Part.GATED, Part.TEXT};
    }

    /** The folder a part was given as, where it was given by path. */
    public Optional<Path> partDir(Part part) {
        return Optional.ofNullable(partDirs.get(part));
    }

    /** The same config with LoRA adapters (or none). */
    public VlmConfig withLora(LoraConfig l) {
        return new VlmConfig(fusion, numQueryTokens, prompt, maxNewTokens, maxContextTokens, vision, qformer, gated, text, l,
                partDirs);
    }

    /** The same config with every part nested (for a model folder that holds all weights itself). */
    public VlmConfig nested() {
        return new VlmConfig(fusion, numQueryTokens, prompt, maxNewTokens, maxContextTokens, vision, qformer, gated, text,
                lora, Map.of());
    }

    /** The same config with another prompt template. */
    public VlmConfig withPrompt(PromptTemplate template) {
        return new VlmConfig(fusion, numQueryTokens, template, maxNewTokens, maxContextTokens, vision, qformer, gated, text,
                lora, partDirs);
    }

    /** Reads {@code config.json} from a model folder (or the file itself); every failure names the file. */
    public static VlmConfig read(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (!Files.exists(file)) {
            throw new IOException(file + ": no config.json (a model folder holds config.json and safetensors)");
        }
        ConfigReader c = ConfigReader.read(file);
        try {
            return fromJson(c, file.toAbsolutePath().getParent());
        } catch (IllegalArgumentException | IllegalStateException e) {
            String m = String.valueOf(e.getMessage());
            throw new IOException(m.startsWith(file.toString()) ? m : file + ": " + m, e);
        }
    }

    /** Parses a config; part paths are resolved against {@code dir}. */
    public static VlmConfig fromJson(ConfigReader root, Path dir) throws IOException {
        String type = root.string("model_type", null);
        root.require(MODEL_TYPE.equals(type), "model_type must be \"" + MODEL_TYPE + "\", got "
                + (type == null ? "none" : "\"" + type + "\""));
        int version = root.integer("format_version", FORMAT_VERSION, 0, Integer.MAX_VALUE);
        root.require(version == FORMAT_VERSION, "unsupported format_version " + version + " (this toolkit reads " + FORMAT_VERSION + ")");
        Fusion fusion = Fusion.parse(root.string("fusion", "qformer"), "fusion");
        EnumMap<Part, Path> dirs = new EnumMap<>(Part.class);
        ConfigReader visionJson = part(root, Part.VISION, dir, dirs);
        ConfigReader textJson = part(root, Part.TEXT, dir, dirs);
        root.require(visionJson != null, "no vision_config");
        root.require(textJson != null, "no text_config");
        int queries = root.integer("num_query_tokens", 32, 1, MAX_TOKENS);
        VisionTransformer.Config vision = VisionTransformer.Config.fromJson(visionJson);
        BloomConfig text = BloomConfig.fromJson(textJson);
        QFormer.Config qformer = null;
        FlamingoFusion.Config gated = null;
        if (fusion == Fusion.QFORMER) {
            ConfigReader q = part(root, Part.QFORMER, dir, dirs);
            root.require(q != null, "fusion is \"qformer\" but there is no qformer_config");
            qformer = QFormer.Config.fromJson(q, vision.embedDim()).withNumQueryTokens(queries);
            q.require(qformer.encoderHiddenSize() == vision.embedDim(), "encoder_hidden_size " + qformer.encoderHiddenSize()
                    + " differs from the vision width " + vision.embedDim());
        } else {
            ConfigReader g = part(root, Part.GATED, dir, dirs);
            root.require(g != null, "fusion is \"gated\" but there is no gated_config");
            gated = FlamingoFusion.Config.fromJson(g, text.hiddenSize(), vision.embedDim(), text.nLayer(), queries);
        }
        ConfigReader loraJson = root.object("lora_config");
        return new VlmConfig(fusion, queries, new PromptTemplate(root.string("prompt_template", PromptTemplate.BLOOMZ.template())),
                root.integer("max_new_tokens", 16, 1, MAX_TOKENS), root.integer("max_context_tokens", 2048, 2, MAX_TOKENS),
                vision, qformer, gated, text, loraJson == null ? null : LoraConfig.fromJson(loraJson), dirs);
    }

    private static ConfigReader part(ConfigReader root, Part p, Path dir, Map<Part, Path> dirs) throws IOException {
        if (!root.has(p.key())) {
            return null;
        }
        JsonElement e = root.json().get(p.key());
        if (e.isJsonObject()) {
            return root.object(p.key());
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            Path partDir = dir.resolve(e.getAsString()).normalize();
            Path partConfig = partDir.resolve("config.json");
            if (!Files.isRegularFile(partConfig)) {
                throw new IllegalArgumentException(p.key() + " names " + partDir + ", which has no config.json");
            }
            dirs.put(p, partDir);
            return ConfigReader.read(partConfig);
        }
        throw new IllegalArgumentException(root.where() + ": " + p.key() + " must be an object or a folder path");
    }

    /** The config as {@code config.json} writes it; parts given by path stay paths (relative to {@code dir}). */
    public JsonObject toJson(Path dir) {
        JsonObject root = new JsonObject();
        root.addProperty("model_type", MODEL_TYPE);
        root.addProperty("format_version", FORMAT_VERSION);
        root.addProperty("fusion", fusion.key());
        root.addProperty("num_query_tokens", numQueryTokens);
        root.addProperty("prompt_template", prompt.template());
        root.addProperty("max_new_tokens", maxNewTokens);
        root.addProperty("max_context_tokens", maxContextTokens);
        for (Part p : required(fusion)) {
            Path partDir = partDirs.get(p);
            if (partDir != null && dir != null) {
                root.addProperty(p.key(), dir.toAbsolutePath().relativize(partDir).toString());
            } else {
                root.add(p.key(), switch (p) {
                    case VISION -> vision.toJson();
                    case QFORMER -> qformer.toJson();
                    case GATED -> gated.toJson();
                    case TEXT -> text.toJson();
                });
            }
        }
        if (lora != null) {
            root.add("lora_config", lora.toJson());
        }
        return root;
    }

    /** Writes {@code DIR/config.json} atomically. */
    public void write(Path dir) throws IOException {
        String text = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create().toJson(toJson(dir)) + "\n";
        AtomicFiles.writeString(dir.resolve("config.json"), text);
    }
}
