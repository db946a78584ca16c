package org.medvlm.bloom.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * BENCHMARK-ONLY float32 safetensors writer and memory-mapped reader, so the benchmark can build and load a 2.2 GB
 * checkpoint before the project's real reader ({@code org.medvlm.checkpoint}) is wired in. It has none of the real
 * reader's validation; do not use it elsewhere.
 */
final class BenchSafetensors {
    private BenchSafetensors() {}

    /** Streams tensors to disk one by one: {@code make} creates each (in a sub-manager), it is written, then freed. */
    static void write(Path file, Map<String, Shape> shapes, NDManager manager, Function<String, NDArray> make) throws IOException {
        JsonObject header = new JsonObject();
        long offset = 0;
        for (Map.Entry<String, Shape> e : shapes.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray dims = new JsonArray();
            for (long d : e.getValue().getShape()) {
                dims.add(d);
            }
            t.add("shape", dims);
            JsonArray off = new JsonArray();
            off.add(offset);
            offset += e.getValue().size() * 4;
            off.add(offset);
            t.add("data_offsets", off);
            header.add(e.getKey(), t);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(head);
            for (String key : shapes.keySet()) {
                try (NDManager m = manager.newSubManager()) {
                    NDArray a = make.apply(key);
                    a.attach(m);
                    ByteBuffer b = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
            }
        }
    }

    /** Maps every tensor of the file; the arrays share the mapped pages (DJL's PyTorch engine wraps direct buffers). */
    static Map<String, NDArray> mmap(Path file, NDManager manager) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            long n = len.flip().getLong();
            ByteBuffer json = ByteBuffer.allocate((int) n);
            ch.read(json, 8);
            JsonObject header = JsonParser.parseString(new String(json.array(), StandardCharsets.UTF_8)).getAsJsonObject();
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonObject t = e.getValue().getAsJsonObject();
                JsonArray dims = t.getAsJsonArray("shape");
                long[] shape = new long[dims.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = dims.get(i).getAsLong();
                }
                long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong();
                long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
                ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 8 + n + begin, end - begin).order(ByteOrder.LITTLE_ENDIAN);
                NDArray a = manager.create(b, new Shape(shape), DataType.FLOAT32);
                a.setName(e.getKey());
                out.put(e.getKey(), a);
            }
            return out;
        }
    }
}
