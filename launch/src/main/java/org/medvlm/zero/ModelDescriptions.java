package org.medvlm.zero;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a model description and counts its parameters; a part the planner knows by name ({@link ModelPresets}:
 * bloomz-7b1, biomedclip-vit-b16, ...) needs no file. Understood forms, told apart by
 * {@code model_type}:
 * <ul>
 *   <li>{@code bloom}: a Hugging Face BLOOM {@code config.json};</li>
 *   <li>{@code timm_vit}: a timm ViT description ({@code img_size}, {@code patch_size}, {@code embed_dim},
 *       {@code depth}, {@code num_heads}, {@code mlp_ratio}, {@code qkv_bias});</li>
 *   <li>{@code blip_2_qformer}: a Hugging Face {@code Blip2QFormerConfig};</li>
 *   <li>{@code blip-2}: the whole VLM, with {@code vision_config}, {@code qformer_config},
 *       {@code text_config} (each one of the above) and {@code num_query_tokens}.</li>
 * </ul>
 * Without {@code model_type}: timm's Hub {@code config.json} ({@code architecture}, {@code num_classes})
 * and open_clip's {@code open_clip_config.json} ({@code model_cfg.vision_cfg.timm_model_name}, as
 * BiomedCLIP ships), for the ViT names {@link VitSize#named} knows.
 * Every problem is reported as an {@link IllegalArgumentException} whose message names the file and
 * the field.
 */
public final class ModelDescriptions {
    /** A config.json is a few kB; anything this large is not one, and is refused before it is read. */
    static final long MAX_BYTES = 4L << 20;

    /**
     * The largest value each size field may have. The largest published models stay far inside them
     * (BLOOM-176B: 70 layers, hidden 14,336, 112 heads, vocabulary 250,880); they keep every count below
     * the planner's 10^15 parameters and refuse a typo such as a million layers before anything is counted.
     */
    static final Map<String, Integer> LIMITS = Map.ofEntries(
            Map.entry("n_layer", 10_000), Map.entry("num_hidden_layers", 10_000), Map.entry("depth", 10_000),
            Map.entry("hidden_size", 1_000_000), Map.entry("n_embed", 1_000_000), Map.entry("embed_dim", 1_000_000),
            Map.entry("encoder_hidden_size", 1_000_000), Map.entry("intermediate_size", 4_000_000),
            Map.entry("n_head", 100_000), Map.entry("num_attention_heads", 100_000), Map.entry("num_heads", 100_000),
            Map.entry("img_size", 100_000), Map.entry("patch_size", 100_000), Map.entry("in_chans", 1_000),
            Map.entry("num_query_tokens", 100_000), Map.entry("cross_attention_frequency", 10_000),
            Map.entry("head_projection", 1_000_000), Map.entry("vocab_size", 100_000_000), Map.entry("num_classes", 100_000_000));
    static final int DEFAULT_LIMIT = 100_000_000;

    private ModelDescriptions() {}

    /**
     * Reads a description from {@code file}, or from the {@code config.json} in it when it is a folder.
     * Only a regular file is opened (a device such as {@code /dev/zero} never ends, a named pipe blocks),
     * and at most {@link #MAX_BYTES} of it is read.
     */
    public static ModelSize read(Path file) {
        if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // a file of that name wins (a downloaded bloomz-7b1 folder has the real config); else a name the planner knows
            Optional<ModelSize> preset = ModelPresets.named(file.toString());
            if (preset.isPresent()) {
                return preset.get();
            }
        }
        if (Files.isDirectory(file) && Files.exists(file.resolve("config.json"))) {
            file = file.resolve("config.json");
        }
        String text = readText(file);
        JsonObject json;
        try {
            JsonElement root = JsonParser.parseString(text);
            if (!root.isJsonObject()) {
                throw new IllegalArgumentException(file + ": not a JSON object");
            }
            json = root.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(file + ": malformed JSON (" + firstLine(e.getMessage()) + ")");
        } catch (StackOverflowError e) {
            throw new IllegalArgumentException(file + ": malformed JSON (nested too deeply)");
        }
        String name = file.getParent() != null && file.getFileName().toString().equals("config.json")
                ? file.getParent().getFileName().toString() : file.getFileName().toString();
        return describe(json, name, file.toString());
    }

    private static String readText(Path file) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            String name = file.toString();
            boolean looksLikeAName = !name.contains("/") && !name.endsWith(".json");
            throw new IllegalArgumentException(file + ": no such file" + (looksLikeAName
                    ? ", and not a model the planner knows by name (" + String.join(", ", ModelPresets.names()) + ")" : ""));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + reason(e));
        }
        if (attrs.isDirectory()) {
            throw new IllegalArgumentException(file + ": is a folder without a config.json");
        }
        if (!attrs.isRegularFile()) {
            throw new IllegalArgumentException(file + ": not a regular file (a device or a pipe); give a config.json");
        }
        if (attrs.size() > MAX_BYTES) {
            throw new IllegalArgumentException(file + ": " + attrs.size() + " bytes is too large for a model config.json (limit " + MAX_BYTES + ")");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_BYTES + 1);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + reason(e));
        }
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException(file + ": grew past " + MAX_BYTES + " bytes while being read; not a model config.json");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text, so not a config.json");
        }
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Counts the parameters of one parsed description; {@code where} names it in errors. */
    public static ModelSize describe(JsonObject json, String name, String where) {
        try {
            return count(json, name, where);
        } catch (IllegalArgumentException e) {
            // the size classes do not know the file: say which one
            if (e.getMessage() != null && e.getMessage().startsWith(where)) {
                throw e;
            }
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static ModelSize count(JsonObject json, String name, String where) {
        Fields f = new Fields(json, where);
        if (!json.has("model_type")) {
            if (json.has("architecture")) {
                // timm's Hub config.json: {"architecture": "vit_base_patch16_224", "num_classes": 1000, ...}
                ModelSize trunk = VitSize.named(name, f.string("architecture"), 0);
                int classes = f.optInt("num_classes", 0);
                long dim = trunk.params() > 0 ? VitSize.width(f.string("architecture")) : 0;
                return new ModelSize(name, trunk.params() + (classes > 0 ? dim * classes + classes : 0),
                        Math.max(trunk.largestLayerParams(), classes > 0 ? dim * classes + classes : 0), trunk.shape());
            }
            if (json.has("model_cfg")) {
                // open_clip's open_clip_config.json (BiomedCLIP): the vision tower is a timm trunk plus a
                // bias-free linear projection to embed_dim when timm_proj is "linear"
                Fields model = new Fields(f.object("model_cfg"), where + " model_cfg");
                Fields vision = new Fields(model.object("vision_cfg"), where + " model_cfg.vision_cfg");
                boolean linear = vision.json().has("timm_proj") && "linear".equals(vision.string("timm_proj"));
                return VitSize.named(name, vision.string("timm_model_name"), linear ? model.integer("embed_dim") : 0);
            }
        }
        String type = f.string("model_type");
        return switch (type) {
            case "bloom" -> BloomSize.of(name, f.integer("hidden_size", "n_embed"), f.integer("n_layer", "num_hidden_layers"),
                    f.integer("n_head", "num_attention_heads"), f.integer("vocab_size"), f.bool("tie_word_embeddings", true),
                    f.number("attention_dropout", 0.0) > 0);
            case "timm_vit" -> VitSize.of(name, f.integer("img_size"), f.integer("patch_size"), f.optInt("in_chans", 3),
                    f.integer("embed_dim"), f.integer("depth"), f.integer("num_heads"), f.number("mlp_ratio", 4.0),
                    f.bool("qkv_bias", true), f.optInt("head_projection", 0));
            case "blip_2_qformer" -> {
                int hidden = f.integer("hidden_size");
                // Hugging Face's Blip2QFormerConfig default
                int heads = f.optInt("num_attention_heads", 12);
                if (hidden % heads != 0) {
                    throw new IllegalArgumentException(where + ": hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
                }
                yield QFormerSize.of(name, hidden, f.integer("num_hidden_layers"), f.integer("intermediate_size"),
                        f.optInt("encoder_hidden_size", 1408), f.optInt("cross_attention_frequency", 2),
                        f.bool("use_qformer_text_input", false));
            }
            case "blip-2", "medvlm" -> {
                ModelSize vision = describe(f.object("vision_config"), name + ".vision", where + " vision_config");
                JsonObject q = f.object("qformer_config");
                ModelSize qformer = describe(q, name + ".qformer", where + " qformer_config");
                ModelSize lm = describe(f.object("text_config"), name + ".lm", where + " text_config");
                int width = new Fields(q, where + " qformer_config").integer("hidden_size");
                yield VlmSize.of(name, vision, qformer, f.optInt("num_query_tokens", 32), width, lm);
            }
            default -> throw new IllegalArgumentException(where + ": model_type '" + type
                    + "' is not understood (bloom, timm_vit, blip_2_qformer, blip-2)");
        };
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        // gson wraps the reader's exception; its class name tells a user nothing
        return line.replaceFirst("^([a-zA-Z_$][\\w$]*\\.)+[\\w$]*(Exception|Error): ", "");
    }

    /** Typed access to the fields of one JSON object, with errors that name the field. */
    private record Fields(JsonObject json, String where) {
        JsonElement get(String... names) {
            for (String n : names) {
                JsonElement e = json.get(n);
                if (e != null && !e.isJsonNull()) {
                    return e;
                }
            }
            return null;
        }

        String string(String name) {
            JsonElement e = get(name);
            if (e == null || !e.isJsonPrimitive()) {
                throw new IllegalArgumentException(where + ": missing \"" + name + "\"");
            }
            return e.getAsString();
        }

        int integer(String... names) {
            JsonElement e = get(names);
            if (e == null) {
                throw new IllegalArgumentException(where + ": missing \"" + names[0] + "\"");
            }
            return toInt(e, names[0]);
        }

        int optInt(String name, int fallback) {
            JsonElement e = get(name);
            return e == null ? fallback : toInt(e, name);
        }

        private int toInt(JsonElement e, String name) {
            int v;
            try {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                    throw new NumberFormatException();
                }
                v = e.getAsBigDecimal().intValueExact();
            } catch (NumberFormatException | ArithmeticException ex) {
                throw new IllegalArgumentException(where + ": \"" + name + "\" must be a whole number, not " + Units.quote(e.toString()));
            }
            if (v <= 0 && !name.equals("head_projection")) {
                throw new IllegalArgumentException(where + ": \"" + name + "\" must be positive, not " + v);
            }
            if (v < 0) {
                throw new IllegalArgumentException(where + ": \"" + name + "\" must not be negative, not " + v);
            }
            int limit = LIMITS.getOrDefault(name, DEFAULT_LIMIT);
            if (v > limit) {
                // refused before anything is counted or built: a million layers is a typo, not a model
                throw new IllegalArgumentException(where + ": \"" + name + "\" " + v + " is beyond what is planned here (at most "
                        + limit + ")");
            }
            return v;
        }

        double number(String name, double fallback) {
            JsonElement e = get(name);
            if (e == null) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new IllegalArgumentException(where + ": \"" + name + "\" must be a number, not " + Units.quote(e.toString()));
            }
            double v = e.getAsDouble();
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(where + ": \"" + name + "\" must be a finite number, not " + Units.quote(e.toString()));
            }
            return v;
        }

        boolean bool(String name, boolean fallback) {
            JsonElement e = get(name);
            if (e == null) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw new IllegalArgumentException(where + ": \"" + name + "\" must be true or false, not " + Units.quote(e.toString()));
            }
            return e.getAsBoolean();
        }

        JsonObject object(String name) {
            JsonElement e = get(name);
            if (e == null || !e.isJsonObject()) {
                throw new IllegalArgumentException(where + ": missing object \"" + name + "\"");
            }
            return e.getAsJsonObject();
        }
    }
}
