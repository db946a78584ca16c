package org.medvlm.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Named tensors of a checkpoint, read on demand. {@link #open} takes a {@code .safetensors} file, a
 * {@code model.safetensors.index.json}, or a folder holding either (HF layout); {@link #of} wraps
 * arrays already in memory. Keys are the checkpoint's own names; foreign layouts are converted with
 * {@link #renamed} and {@link #filtered} at the loading edge, so model classes only see their own keys.
 *
 * <pre>{@code
 * try (StateDict sd = StateDict.open(Path.of("bloomz-7b1"))) {        // two shards over 2 GiB each
 *     NDArray w = sd.load("h.0.self_attention.query_key_value.weight", manager);
 * }
 * }</pre>
 */
public interface StateDict extends AutoCloseable {

    /** The keys, in the checkpoint's order. */
    Set<String> keys();

    /** The tensor's key, shape and type, or empty when the checkpoint has no such key. */
    Optional<TensorSpec> find(String key);

    /** Where the tensors come from (a file or folder), for messages. */
    String source();

    /**
     * Reads one tensor as a new array of {@code manager}, in its stored element type, except that
     * BF16 arrives as float32 and I16 as int32 (exactly): DJL's PyTorch engine cannot hold those two.
     */
    NDArray load(String key, NDManager manager);

    /** Free-form {@code __metadata__} strings (the first file's, for a sharded checkpoint). */
    default Map<String, String> metadata() {
        return Map.of();
    }

    /** The tensor's spec; throws naming the key and the checkpoint when it is absent. */
    default TensorSpec expect(String key) {
        return find(key).orElseThrow(() -> new StateDictMismatchException(
                "'" + key + "' is not in " + source(), List.of(key), List.of()));
    }

    /** Reads one tensor and checks its shape; a mismatch names the key and both shapes. */
    default NDArray load(String key, Shape expected, NDManager manager) {
        TensorSpec spec = expect(key);
        if (!spec.shape().equals(expected)) {
            throw new StateDictMismatchException(key + ": expected " + Arrays.toString(expected.getShape()) + ", got "
                    + Arrays.toString(spec.shape().getShape()) + " in " + source(), List.of(), List.of());
        }
        return load(key, manager);
    }

    /** All tensors as arrays of {@code manager}, in key order. */
    default Map<String, NDArray> toMap(NDManager manager) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String key : keys()) {
            out.put(key, load(key, manager));
        }
        return out;
    }

    /**
     * All tensors as arrays of {@code manager}, floating-point ones converted to {@code dtype} (a float16
     * checkpoint for a float32 model); integer tensors keep their type.
     */
    default Map<String, NDArray> toMap(NDManager manager, DataType dtype) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String key : keys()) {
            NDArray a = load(key, manager);
            if (a.getDataType().isFloating() && a.getDataType() != dtype) {
                NDArray converted = a.toType(dtype, false);
                a.close();
                a = converted;
            }
            out.put(key, a);
        }
        return out;
    }

    /** A view whose keys are {@code rename(key)}; keys renamed to {@code null} are dropped. */
    default StateDict renamed(UnaryOperator<String> rename) {
        return new Views.Renamed(this, rename);
    }

    /** A view with only the keys {@code keep} accepts. */
    default StateDict filtered(Predicate<String> keep) {
        return renamed(k -> keep.test(k) ? k : null);
    }

    /** A view of the keys under {@code prefix}, with the prefix removed ({@code "qformer."}). */
    default StateDict under(String prefix) {
        return renamed(k -> k.startsWith(prefix) ? k.substring(prefix.length()) : null);
    }

    /** A view with {@code prefix} put before every key (the inverse of {@link #under}). */
    default StateDict prefixed(String prefix) {
        return renamed(k -> prefix + k);
    }

    /**
     * Several checkpoints seen as one (a composite file and part folders); a key in two of them is an error naming
     * both. Closing the union closes them all.
     */
    static StateDict union(java.util.List<StateDict> parts, String source) {
        return new Views.Union(parts, source);
    }

    /** Closes the files; arrays already loaded stay valid. */
    @Override
    void close() throws IOException;

    /**
     * Opens a checkpoint: a {@code .safetensors} file, a {@code *.index.json} of shards, or a folder with
     * {@code model.safetensors} or {@code model.safetensors.index.json}. Only headers are read here.
     */
    static StateDict open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path single = path.resolve("model.safetensors");
            Path index = path.resolve("model.safetensors.index.json");
            if (Files.isRegularFile(single)) {
                return SafetensorsStateDict.single(single);
            }
            if (Files.isRegularFile(index)) {
                return SafetensorsStateDict.sharded(index);
            }
            throw new java.nio.file.NoSuchFileException(path.toString(), null,
                    "no model.safetensors or model.safetensors.index.json in this folder");
        }
        if (!Files.exists(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString());
        }
        if (path.getFileName().toString().endsWith(".json")) {
            return SafetensorsStateDict.sharded(path);
        }
        return SafetensorsStateDict.single(path);
    }

    /** Arrays already in memory (e.g. a model's parameters) as a state dict named {@code source}. */
    static StateDict of(Map<String, NDArray> arrays, String source) {
        return new Views.InMemory(arrays, source);
    }
}
