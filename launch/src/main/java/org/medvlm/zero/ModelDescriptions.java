package org.medvlm.zero;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a model description and counts its parameters. Understood forms, told apart by
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

    private ModelDescriptions() {}

    public static ModelSize read(Path file) {
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new IllegalArgumentException(file + ": " + size + " bytes is too large for a model config.json (limit " + MAX_BYTES + ")");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
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
            case "blip_2_qformer" -> QFormerSize.of(name, f.integer("hidden_size"), f.integer("num_hidden_layers"),
                    f.integer("intermediate_size"), f.optInt("encoder_hidden_size", 1408), f.optInt("cross_attention_frequency", 2),
                    f.bool("use_qformer_text_input", false));
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
            try {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                    throw new NumberFormatException();
                }
                int v = e.getAsBigDecimal().intValueExact();
                if (v <= 0 && !name.equals("head_projection")) {
                    throw new IllegalArgumentException(where + ": \"" + name + "\" must be positive, not " + v);
                }
                return v;
            } catch (NumberFormatException | ArithmeticException ex) {
                throw new IllegalArgumentException(where + ": \"" + name + "\" must be a whole number, not " + e);
            }
        }

        double number(String name, double fallback) {
            JsonElement e = get(name);
            if (e == null) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new IllegalArgumentException(where + ": \"" + name + "\" must be a number, not " + e);
            }
            return e.getAsDouble();
        }

        boolean bool(String name, boolean fallback) {
            JsonElement e = get(name);
            if (e == null) {
                return fallback;
            }
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw new IllegalArgumentException(where + ": \"" + name + "\" must be true or false, not " + e);
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
