package org.medvlm.bloom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a small safetensors file with DJL's own decoder (whole file in memory; fine for test fixtures). */
public final class TestTensors {
    private TestTensors() {}

    public static Map<String, NDArray> read(NDManager manager, Path file) {
        try {
            NDList list = NDList.decode(manager, Files.readAllBytes(file));
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (NDArray a : list) {
                out.put(a.getName(), a);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(Map<String, NDArray> tensors, Path file) {
        NDList list = new NDList();
        tensors.forEach((k, v) -> {
            v.setName(k);
            list.add(v);
        });
        try {
            Files.write(file, list.encode(NDList.Encoding.SAFETENSORS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
