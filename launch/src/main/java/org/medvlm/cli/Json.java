package org.medvlm.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.util.Map;

/**
 * JSON for {@code --json}, the one place every command's JSON goes through: one object, keys in the
 * order the command put them, integers kept integral, and always valid JSON. A number that JSON cannot
 * hold (NaN, ±Infinity: a diverged check, an accuracy of nothing) is written as {@code null}, never as
 * Gson's bare {@code NaN}, which no strict parser accepts.
 */
public final class Json {
    private static final TypeAdapter<Double> DOUBLES = new FiniteOrNull<>();
    private static final TypeAdapter<Float> FLOATS = new FiniteOrNull<>();
    private static final Gson COMPACT = builder().create();
    private static final Gson PRETTY = builder().setPrettyPrinting().create();

    private Json() {}

    private static GsonBuilder builder() {
        return new GsonBuilder().disableHtmlEscaping().serializeNulls()
                .registerTypeAdapter(Double.class, DOUBLES).registerTypeAdapter(double.class, DOUBLES)
                .registerTypeAdapter(Float.class, FLOATS).registerTypeAdapter(float.class, FLOATS);
    }

    public static String compact(Object value) {
        return COMPACT.toJson(finite(value));
    }

    public static String pretty(Object value) {
        return PRETTY.toJson(finite(value));
    }

    /** Gson trees bypass the type adapters; their non-finite numbers are replaced here. */
    private static Object finite(Object value) {
        return value instanceof JsonElement e ? finiteTree(e) : value;
    }

    private static JsonElement finiteTree(JsonElement e) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            double d = e.getAsDouble();
            return Double.isFinite(d) ? e : JsonNull.INSTANCE;
        }
        if (e.isJsonArray()) {
            JsonArray copy = new JsonArray();
            e.getAsJsonArray().forEach(x -> copy.add(finiteTree(x)));
            return copy;
        }
        if (e.isJsonObject()) {
            JsonObject copy = new JsonObject();
            for (Map.Entry<String, JsonElement> entry : e.getAsJsonObject().entrySet()) {
                copy.add(entry.getKey(), finiteTree(entry.getValue()));
            }
            return copy;
        }
        return e;
    }

    /** Writes a finite number as itself and NaN or an infinity as null. */
    private static final class FiniteOrNull<N extends Number> extends TypeAdapter<N> {
        @Override
        public void write(JsonWriter out, N value) throws IOException {
            if (value == null || !Double.isFinite(value.doubleValue())) {
                out.nullValue();
            } else {
                out.value(value);
            }
        }

        @Override
        public N read(JsonReader in) {
            throw new UnsupportedOperationException("Json only writes");
        }
    }

    /** A JSON primitive for {@code value}, null when it is not finite (for hand-built trees). */
    static JsonElement number(double value) {
        return Double.isFinite(value) ? new JsonPrimitive(value) : JsonNull.INSTANCE;
    }
}
