package org.medvlm.layers;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a model part's {@code config.json}, so every loader reports a broken one the same way. */
public final class ConfigFiles {
    private ConfigFiles() {}

    /**
     * The JSON object in {@code file}; anything else (malformed text, an array) fails with
     * {@code "<file>: bad JSON: <why>"}. I/O errors (a missing file) pass through.
     */
    public static JsonObject readObject(Path file) throws IOException {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(file + ": bad JSON: " + e.getMessage(), e);
        }
    }
}
