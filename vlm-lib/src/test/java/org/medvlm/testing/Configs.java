package org.medvlm.testing;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.medvlm.layers.ConfigReader;

/** Config readers for tests: from JSON text, or a file. */
public final class Configs {
    private Configs() {}

    /** A reader over {@code json} (one object), named "test config" in messages. */
    public static ConfigReader reader(String json) {
        return ConfigReader.of(JsonParser.parseString(json).getAsJsonObject(), "test config");
    }

    /** A reader over a config file. */
    public static ConfigReader file(Path file) {
        try {
            return ConfigReader.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
