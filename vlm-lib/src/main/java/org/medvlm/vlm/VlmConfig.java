package org.medvlm.vlm;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.medvlm.io.AtomicFiles;

/**
 * The composite's {@code config.json}: the fusion kind, the prompt template and its three parts' configs,
 * each either nested (as Hugging Face's {@code Blip2Config} nests {@code vision_config},
 * {@code qformer_config} and {@code text_config}) or a path, relative to the model folder, of a part folder
 * holding that part's own {@code config.json} (and, optionally, its weights in the part's own key names).
 *
 * <pre>{@code
 * {"model_type": "medvlm", "format_version": 1, "fusion": "qformer", "num_query_tokens": 16,
 *  "prompt_template": "Question: {question} Answer:", "max_new_tokens": 16,
 *  "vision_config": {...}, "qformer_config": {...}, "text_config": "bloomz-560m"}
 * }</pre>
 * With {@code "fusion": "gated"} the fusion part is {@code gated_config} (perceiver and cross-attention sizes).
 *
 * @param fusion how vision reaches the LM
 * @param numQueryTokens Q-Former queries (QFORMER) or perceiver latents (GATED)
 * @param prompt the text around the question
 * @param maxNewTokens the default answer length limit
 * @param parts each part's config object, keyed by part
 * @param partDirs the folders of parts given by path (absolute); absent for nested parts
 */
public record VlmConfig(Fusion fusion, int numQueryTokens, PromptTemplate prompt, int maxNewTokens,
        Map<Part, JsonObject> parts, Map<Part, Path> partDirs) {
    public static final String MODEL_TYPE = "medvlm";
    public static final int FORMAT_VERSION = 1;

    /** The composite's three parts, by their key in {@code config.json}. */
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
        if (numQueryTokens <= 0) {
            throw new IllegalArgumentException("num_query_tokens must be positive, got " + numQueryTokens);
        }
        if (maxNewTokens <= 0) {
            throw new IllegalArgumentException("max_new_tokens must be positive, got " + maxNewTokens);
        }
        EnumMap<Part, JsonObject> copy = new EnumMap<>(Part.class);
        parts.forEach((k, v) -> copy.put(k, v.deepCopy()));
        for (Part p : required(fusion)) {
            if (!copy.containsKey(p)) {
                throw new IllegalArgumentException("config has fusion \"" + fusion.key() + "\" but no " + p.key());
            }
        }
        parts = java.util.Collections.unmodifiableMap(copy);
        partDirs = partDirs.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new EnumMap<>(partDirs));
    }

    /** The parts a fusion kind needs: vision and text, and the Q-Former or the gated-fusion settings. */
    public static Part[] required(Fusion fusion) {
        return new Part[] {Part.VISION, fusion == Fusion.QFORMER ? Part.QFORMER : Part.GATED, Part.TEXT};
    }

    /** A part's config (a copy: callers may not change this one). */
    public JsonObject part(Part part) {
        JsonObject o = parts.get(part);
        if (o == null) {
            throw new IllegalArgumentException("config has no " + part.key());
        }
        return o.deepCopy();
    }

    /** The folder a part was given as, where it was given by path. */
    public Optional<Path> partDir(Part part) {
        return Optional.ofNullable(partDirs.get(part));
    }

    /** The same config with a different fusion part and kind. */
    public VlmConfig withFusion(Fusion kind, JsonObject fusionPart) {
        EnumMap<Part, JsonObject> p = new EnumMap<>(parts);
        p.remove(Part.QFORMER);
        p.remove(Part.GATED);
        p.put(kind == Fusion.QFORMER ? Part.QFORMER : Part.GATED, fusionPart);
        return new VlmConfig(kind, numQueryTokens, prompt, maxNewTokens, p, partDirs);
    }

    public VlmConfig withPrompt(PromptTemplate template) {
        return new VlmConfig(fusion, numQueryTokens, template, maxNewTokens, parts, partDirs);
    }

    /** Reads {@code config.json} from a model folder (or the file itself). */
    public static VlmConfig read(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no config.json (a model folder holds config.json and safetensors)");
        }
        if (Files.size(file) > 16 << 20) {
            throw new IOException(file + ": " + Files.size(file) + " bytes is too large for a config.json");
        }
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IOException(file + ": not a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IOException(file + ": malformed JSON (" + rootMessage(e) + ")", e);
        }
        try {
            return fromJson(root, file.toAbsolutePath().getParent());
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a config object; part paths are resolved against {@code dir}. */
    public static VlmConfig fromJson(JsonObject root, Path dir) throws IOException {
        String type = string(root, "model_type", null);
        if (!MODEL_TYPE.equals(type)) {
            throw new IllegalArgumentException("model_type must be \"" + MODEL_TYPE + "\", got " + (type == null ? "none" : "\"" + type + "\""));
        }
        int version = root.has("format_version") ? root.get("format_version").getAsInt() : FORMAT_VERSION;
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("unsupported format_version " + version + " (this toolkit reads " + FORMAT_VERSION + ")");
        }
        Fusion fusion = Fusion.parse(string(root, "fusion", "qformer"), "fusion");
        EnumMap<Part, JsonObject> parts = new EnumMap<>(Part.class);
        EnumMap<Part, Path> dirs = new EnumMap<>(Part.class);
        for (Part p : Part.values()) {
            JsonElement e = root.get(p.key());
            if (e == null || e.isJsonNull()) {
                continue;
            }
            if (e.isJsonObject()) {
                parts.put(p, e.getAsJsonObject());
            } else if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
                Path partDir = dir.resolve(e.getAsString()).normalize();
                Path partConfig = partDir.resolve("config.json");
                if (!Files.isRegularFile(partConfig)) {
                    throw new IllegalArgumentException(p.key() + " names " + partDir + ", which has no config.json");
                }
                try {
                    parts.put(p, JsonParser.parseString(Files.readString(partConfig)).getAsJsonObject());
                } catch (JsonParseException | IllegalStateException ex) {
                    throw new IOException(partConfig + ": malformed JSON (" + rootMessage(ex) + ")", ex);
                }
                dirs.put(p, partDir);
            } else {
                throw new IllegalArgumentException(p.key() + " must be an object or a folder path");
            }
        }
        int queries = root.has("num_query_tokens") ? root.get("num_query_tokens").getAsInt() : 32;
        PromptTemplate prompt = new PromptTemplate(string(root, "prompt_template", PromptTemplate.BLOOMZ.template()));
        int maxNew = root.has("max_new_tokens") ? root.get("max_new_tokens").getAsInt() : 16;
        return new VlmConfig(fusion, queries, prompt, maxNew, parts, dirs);
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
        for (Part p : required(fusion)) {
            Path partDir = partDirs.get(p);
            if (partDir != null && dir != null) {
                root.addProperty(p.key(), dir.toAbsolutePath().relativize(partDir).toString());
            } else {
                root.add(p.key(), parts.get(p).deepCopy());
            }
        }
        return root;
    }

    /** Writes {@code DIR/config.json} atomically. */
    public void write(Path dir) throws IOException {
        String text = new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create().toJson(toJson(dir)) + "\n";
        AtomicFiles.writeString(dir.resolve("config.json"), text);
    }

    private static String string(JsonObject o, String key, String fallback) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? fallback : e.getAsString();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return String.valueOf(t.getMessage());
    }
}
