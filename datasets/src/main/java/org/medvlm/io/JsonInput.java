package org.medvlm.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.internal.LazilyParsedNumber;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * JSON values read without recursion and no deeper than {@link Limit#JSON_DEPTH}: gson's tree parser and its
 * {@code toString} recurse once per level, so an array nested 100,000 deep ends in a {@link StackOverflowError};
 * here it is refused at the limit with the file, line and column. The readers stream a file's top-level array
 * through {@link #element} one entry at a time, so a file is never held as one tree.
 */
public final class JsonInput {
    private JsonInput() {}

    /** A lenient reader (as gson's {@code JsonParser} reads: the published files are plain JSON, a few hand edits are not). */
    public static JsonReader reader(Reader in) {
        JsonReader r = new JsonReader(in);
        r.setStrictness(Strictness.LENIENT);
        // element() builds trees without recursion and enforces Limit.JSON_DEPTH itself, with the file named (and a
        // user may lift it past gson's own default of 255)
        r.setNestingLimit(Integer.MAX_VALUE);
        return r;
    }

    /**
     * The next value of {@code r}, built iteratively; nesting deeper than the limit fails. Malformed JSON throws
     * gson's {@link com.google.gson.stream.MalformedJsonException} or {@link IllegalStateException}, or an
     * {@link java.io.EOFException} at a premature end: callers turn those into one line naming the file.
     */
    public static JsonElement element(JsonReader r) throws IOException {
        int maxDepth = Limit.JSON_DEPTH.intValue();
        Deque<JsonElement> open = new ArrayDeque<>(); // the arrays and objects being filled, innermost first
        while (true) {
            JsonElement top = open.peek();
            JsonToken t = r.peek();
            String name = null;
            if (top != null) {
                if (t == JsonToken.END_ARRAY || t == JsonToken.END_OBJECT) {
                    if (t == JsonToken.END_ARRAY) {
                        r.endArray();
                    } else {
                        r.endObject();
                    }
                    JsonElement finished = open.pop();
                    if (open.isEmpty()) {
                        return finished;
                    }
                    continue;
                }
                if (top.isJsonObject()) {
                    name = r.nextName();
                    t = r.peek();
                }
            }
            JsonElement value;
            switch (t) {
                case BEGIN_ARRAY, BEGIN_OBJECT -> {
                    if (open.size() >= maxDepth) {
                        throw new com.google.gson.stream.MalformedJsonException("nested deeper than " + maxDepth
                                + " levels at " + shortPath(r.getPath()) + " " + Limit.JSON_DEPTH.hint());
                    }
                    if (t == JsonToken.BEGIN_ARRAY) {
                        r.beginArray();
                        value = new JsonArray();
                    } else {
                        r.beginObject();
                        value = new JsonObject();
                    }
                }
                case STRING -> value = new JsonPrimitive(r.nextString());
                case NUMBER -> value = new JsonPrimitive(new LazilyParsedNumber(r.nextString()));
                case BOOLEAN -> value = new JsonPrimitive(r.nextBoolean());
                case NULL -> {
                    r.nextNull();
                    value = JsonNull.INSTANCE;
                }
                default -> throw new java.io.EOFException("End of input at " + r.getPath());
            }
            if (top != null) {
                if (top.isJsonArray()) {
                    top.getAsJsonArray().add(value);
                } else {
                    top.getAsJsonObject().add(name, value);
                }
            }
            if (value.isJsonArray() || value.isJsonObject()) {
                open.push(value);
            } else if (top == null) {
                return value;
            }
        }
    }

    /** A JSON path for a message: {@code $[0][0]...[0][3]} rather than 64 levels of it. */
    static String shortPath(String path) {
        return path.length() <= 48 ? path : path.substring(0, 20) + "..." + path.substring(path.length() - 24);
    }

    /** One line of JSON Lines. */
    public static JsonElement parse(String text) throws IOException {
        JsonReader r = reader(new StringReader(text));
        JsonElement e = element(r);
        if (r.peek() != JsonToken.END_DOCUMENT) {
            throw new com.google.gson.stream.MalformedJsonException("text after the end of the JSON value");
        }
        return e;
    }

    /**
     * The first {@code max} characters of a value as JSON, for a report: gson's {@code toString} recurses, and a
     * skipped entry's whole text could be megabytes.
     */
    public static String preview(JsonElement e, int max) {
        StringBuilder sb = new StringBuilder();
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(e);
        while (!todo.isEmpty() && sb.length() <= max) {
            Object o = todo.pop();
            if (o instanceof String s) {
                sb.append(s);
            } else if (o instanceof JsonArray a) {
                sb.append('[');
                todo.push("]");
                for (int i = a.size() - 1; i >= 0; i--) {
                    todo.push(a.get(i));
                    if (i > 0) {
                        todo.push(",");
                    }
                }
            } else if (o instanceof JsonObject obj) {
                sb.append('{');
                todo.push("}");
                var entries = new java.util.ArrayList<>(obj.entrySet());
                for (int i = entries.size() - 1; i >= 0; i--) {
                    todo.push(entries.get(i).getValue());
                    todo.push(new JsonPrimitive(entries.get(i).getKey()).toString() + ":");
                    if (i > 0) {
                        todo.push(",");
                    }
                }
            } else {
                sb.append(o.toString()); // a primitive or null: no recursion
            }
        }
        return sb.length() > max ? sb.substring(0, max) + "..." : sb.toString();
    }
}
