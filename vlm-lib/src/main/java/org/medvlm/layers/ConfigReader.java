package org.medvlm.layers;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Typed reading of a model part's config, the one reader every part uses: each getter names the field and the config
 * it comes from when a value is missing, of the wrong type or out of range ({@code "text_config: n_layer must be an
 * integer from 1 to 1024, got 1000000"}), so an absurd config is refused before anything is built.
 *
 * <pre>{@code
 * ConfigReader c = ConfigReader.read(dir.resolve("config.json"));
 * int layers = c.integer("n_layer", 2, 1, ConfigReader.MAX_LAYERS, "num_hidden_layers");
 * }</pre>
 */
public final class ConfigReader {
    /** Largest config.json read (real ones are a few kB). */
    public static final long MAX_FILE_BYTES = 16L << 20;
    /** Most layers any part may declare (bloomz-176b has 70). */
    public static final int MAX_LAYERS = 1024;
    /** Widest hidden size accepted (bloom-176b is 14,336). */
    public static final int MAX_WIDTH = 1 << 17;
    /** Largest vocabulary accepted (BLOOM's is 250,880). */
    public static final int MAX_VOCAB = 1 << 22;

    private final JsonObject json;
    private final String where;

    private ConfigReader(JsonObject json, String where) {
        this.json = json;
        this.where = where;
    }

    /** A reader over an object already parsed; {@code where} names it in messages ("vision_config", a path). */
    public static ConfigReader of(JsonObject json, String where) {
        return new ConfigReader(json, where);
    }

    /**
     * Reads a config file: a regular file of at most {@link #MAX_FILE_BYTES}, UTF-8, holding one JSON object. Every
     * failure is an IOException whose message starts with the file.
     */
    public static ConfigReader read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (!Files.isRegularFile(file)) { // a FIFO or device would block or never end
            throw new IOException(file + ": not a regular file");
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new IOException(file + ": " + size + " bytes is too large for a config file (limit " + MAX_FILE_BYTES + ")");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not UTF-8 text", e);
        }
        return new ConfigReader(parseObject(text, file.toString()), file.toString());
    }

    /** Parses one JSON object from {@code text}; failures name {@code where}. */
    public static JsonObject parseObject(String text, String where) throws IOException {
        if (text.isBlank()) {
            throw new IOException(where + ": empty file, expected a JSON object");
        }
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.LEGACY_STRICT);
            reader.setNestingLimit(64); // configs are shallow; deep nesting is an attack on the stack
            JsonElement e = com.google.gson.JsonParser.parseReader(reader);
            if (!e.isJsonObject()) {
                throw new IOException(where + ": expected a JSON object, got " + kind(e));
            }
            return e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException | StackOverflowError e) {
            throw new IOException(where + ": malformed JSON (" + rootMessage(e) + ")", e);
        }
    }

    /** Where this config came from. */
    public String where() {
        return where;
    }

    /** The underlying object (a copy). */
    public JsonObject json() {
        return json.deepCopy();
    }

    /** Whether the field is present and not null. */
    public boolean has(String name) {
        return json.has(name) && !json.get(name).isJsonNull();
    }

    /** The first present name of {@code names}, or null. */
    private String present(String... names) {
        for (String n : names) {
            if (has(n)) {
                return n;
            }
        }
        return null;
    }

    /** An integer in [min, max]; {@code aliases} are older names of the same field (HF configs have several). */
    public int integer(String name, int fallback, int min, int max, String... aliases) {
        String[] names = concat(name, aliases);
        String found = present(names);
        if (found == null) {
            return fallback;
        }
        JsonElement e = json.get(found);
        if (e.isJsonArray() && e.getAsJsonArray().size() > 0) { // e.g. img_size [224, 224]
            e = e.getAsJsonArray().get(0);
        }
        long v = integral(found, e);
        if (v < min || v > max) {
            throw error(found, "an integer from " + min + " to " + max, e);
        }
        return (int) v;
    }

    /** A required integer in [min, max]. */
    public int requiredInteger(String name, int min, int max) {
        if (!has(name)) {
            throw new IllegalArgumentException(where + ": " + name + " is required");
        }
        return integer(name, 0, min, max);
    }

    /** A finite number in [min, max]. */
    public double number(String name, double fallback, double min, double max) {
        if (!has(name)) {
            return fallback;
        }
        JsonElement e = json.get(name);
        double v;
        try {
            v = e.getAsJsonPrimitive().getAsDouble();
        } catch (RuntimeException ex) {
            throw error(name, "a number", e);
        }
        if (!(v >= min && v <= max)) {
            throw error(name, "a number from " + min + " to " + max, e);
        }
        return v;
    }

    /** A boolean. */
    public boolean bool(String name, boolean fallback) {
        if (!has(name)) {
            return fallback;
        }
        JsonElement e = json.get(name);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
            return e.getAsBoolean();
        }
        throw error(name, "true or false", e);
    }

    /** A string. */
    public String string(String name, String fallback) {
        if (!has(name)) {
            return fallback;
        }
        JsonElement e = json.get(name);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return e.getAsString();
        }
        throw error(name, "a string", e);
    }

    /** Whether the field is a JSON array. */
    public boolean isList(String name) {
        return has(name) && json.get(name).isJsonArray();
    }

    /** A list of integers in [min, max] (empty when absent). */
    public int[] integers(String name, int min, int max, int maxCount) {
        if (!has(name)) {
            return new int[0];
        }
        JsonElement e = json.get(name);
        if (!e.isJsonArray()) {
            throw error(name, "a list of integers", e);
        }
        JsonArray a = e.getAsJsonArray();
        if (a.size() > maxCount) {
            throw error(name, "a list of at most " + maxCount + " integers", e);
        }
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            long v = integral(name, a.get(i));
            if (v < min || v > max) {
                throw error(name, "a list of integers from " + min + " to " + max, e);
            }
            out[i] = (int) v;
        }
        return out;
    }

    /** A nested object as a reader named {@code where.name}, or null when absent. */
    public ConfigReader object(String name) {
        if (!has(name)) {
            return null;
        }
        JsonElement e = json.get(name);
        if (!e.isJsonObject()) {
            throw error(name, "an object", e);
        }
        return new ConfigReader(e.getAsJsonObject(), where + "." + name);
    }

    /** Builds a typed config, naming this config in a failure of the record's own checks. */
    public <T> T build(java.util.function.Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            throw m.startsWith(where) ? e : new IllegalArgumentException(where + ": " + m, e);
        }
    }

    /** Fails naming this config unless {@code ok}. */
    public void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(where + ": " + message);
        }
    }

    private long integral(String name, JsonElement e) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            double d = e.getAsDouble();
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return (long) d;
            }
        }
        throw error(name, "an integer", e);
    }

    private IllegalArgumentException error(String name, String expected, JsonElement got) {
        String shown = got.toString();
        if (shown.length() > 40) {
            shown = shown.substring(0, 40) + "...";
        }
        return new IllegalArgumentException(where + ": " + name + " must be " + expected + ", got " + shown);
    }

    private static String[] concat(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static String kind(JsonElement e) {
        if (e.isJsonArray()) {
            return "an array";
        }
        if (e.isJsonPrimitive()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            return p.isString() ? "a string" : p.isNumber() ? "a number" : "a boolean";
        }
        return "null";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t instanceof StackOverflowError ? "nested too deeply" : String.valueOf(t.getMessage());
        return m.length() > 120 ? m.substring(0, 120) + "..." : m;
    }
}
