package org.medvlm.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One safetensors file, or the shards named by a {@code model.safetensors.index.json}
 * ({@code {"metadata": {...}, "weight_map": {key: "model-00001-of-00002.safetensors", ...}}}).
 * Headers are read and checked at open; tensor data is read per key.
 */
final class SafetensorsStateDict implements StateDict {
    private final String source;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> owner;

    private SafetensorsStateDict(String source, List<SafetensorsFile> files, Map<String, SafetensorsFile> owner) {
        this.source = source;
        this.files = files;
        this.owner = owner;
    }

    static SafetensorsStateDict single(Path file) throws IOException {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        for (String k : f.entries().keySet()) {
            owner.put(k, f);
        }
        return new SafetensorsStateDict(file.toString(), List.of(f), owner);
    }

    static SafetensorsStateDict sharded(Path index) throws IOException {
        JsonObject weightMap;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(index));
            JsonElement wm = root.isJsonObject() ? root.getAsJsonObject().get("weight_map") : null;
            if (wm == null || !wm.isJsonObject()) {
                throw new SafetensorsFormatException(index, "no \"weight_map\" object in the index");
            }
            weightMap = wm.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new SafetensorsFormatException(index, "bad JSON in the index: " + e.getMessage());
        }
        Path dir = index.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonElement> e : weightMap.entrySet()) {
                if (!e.getValue().isJsonPrimitive()) {
                    throw new SafetensorsFormatException(index, "weight_map['" + e.getKey() + "'] is not a file name");
                }
                String name = e.getValue().getAsString();
                Path shard = dir.resolve(name).normalize();
                if (!shard.startsWith(dir)) {
                    throw new SafetensorsFormatException(index, "shard '" + name + "' lies outside " + dir);
                }
                SafetensorsFile f = byName.get(name);
                if (f == null) {
                    if (!Files.isRegularFile(shard)) {
                        throw new NoSuchFileException(shard.toString(), null, "shard named in " + index + " is missing");
                    }
                    f = SafetensorsFile.open(shard);
                    byName.put(name, f);
                    files.add(f);
                }
                if (!f.entries().containsKey(e.getKey())) {
                    throw new SafetensorsFormatException(index, "'" + e.getKey() + "' is mapped to " + name
                            + ", which does not hold it");
                }
                owner.put(e.getKey(), f);
            }
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile f : files) {
                f.close();
            }
            throw e;
        }
        return new SafetensorsStateDict(index.toString(), files, owner);
    }

    @Override
    public Set<String> keys() {
        return Collections.unmodifiableSet(owner.keySet());
    }

    @Override
    public Optional<TensorSpec> find(String key) {
        SafetensorsFile f = owner.get(key);
        return f == null ? Optional.empty() : Optional.of(f.entries().get(key).spec());
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public Map<String, String> metadata() {
        return files.isEmpty() ? Map.of() : files.get(0).metadata();
    }

    @Override
    public NDArray load(String key, NDManager manager) {
        SafetensorsFile f = owner.get(key);
        if (f == null) {
            expect(key);
        }
        return f.load(f.entries().get(key), manager);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafetensorsFile f : files) {
            try {
                f.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
