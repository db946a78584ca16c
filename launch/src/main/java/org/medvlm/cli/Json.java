package org.medvlm.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** JSON for {@code --json}: one object, keys in the order the command put them, integers kept integral. */
public final class Json {
    private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();
    private static final Gson PRETTY = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().setPrettyPrinting().create();

    private Json() {}

    public static String compact(Object value) {
        return COMPACT.toJson(value);
    }

    public static String pretty(Object value) {
        return PRETTY.toJson(value);
    }
}
