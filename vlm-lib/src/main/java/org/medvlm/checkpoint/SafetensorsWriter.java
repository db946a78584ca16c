package org.medvlm.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.medvlm.io.AtomicFiles;

/**
 * Writes a safetensors file atomically (through {@link AtomicFiles}): the header JSON, padded with
 * spaces so the data starts on an 8-byte boundary as the format asks, then each tensor's bytes in the
 * order added. Tensors are fetched one at a time while writing, so a large file never needs to be
 * assembled in memory.
 *
 * <pre>{@code
 * SafetensorsWriter.create().metadata("format", "pt").add("w", array).write(path);
 * }</pre>
 */
public final class SafetensorsWriter {
    private record Pending(String key, Shape shape, DataType dtype, Supplier<ByteBuffer> bytes) {}

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> keys = new LinkedHashSet<>();

    private SafetensorsWriter() {}

    public static SafetensorsWriter create() {
        return new SafetensorsWriter();
    }

    /** Writes {@code arrays} in map order with {@code format: pt} metadata. */
    public static void write(Path target, Map<String, NDArray> arrays) throws IOException {
        SafetensorsWriter w = create().metadata("format", "pt");
        arrays.forEach(w::add);
        w.write(target);
    }

    /** Adds a {@code __metadata__} string. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds an array; its bytes are read when the file is written. */
    public SafetensorsWriter add(String key, NDArray array) {
        return add(key, array.getShape(), array.getDataType(), () -> {
            NDArray cpu = array.getDevice().equals(Device.cpu()) ? array : array.toDevice(Device.cpu(), false);
            return cpu.toByteBuffer();
        });
    }

    /**
     * Adds a float32 array to be stored as {@code storeAs}: FLOAT32, FLOAT16 (converted by the engine)
     * or BFLOAT16 (rounded to nearest even here, since DJL's PyTorch engine cannot hold bfloat16).
     */
    public SafetensorsWriter add(String key, NDArray array, DataType storeAs) {
        if (storeAs == array.getDataType()) {
            return add(key, array);
        }
        if (array.getDataType() != DataType.FLOAT32 || (storeAs != DataType.FLOAT16 && storeAs != DataType.BFLOAT16)) {
            throw new IllegalArgumentException("'" + key + "': cannot store " + array.getDataType() + " as " + storeAs
                    + " (float32 as F16 or BF16 only)");
        }
        if (storeAs == DataType.FLOAT16) {
            return add(key, array.getShape(), storeAs, () -> array.toType(DataType.FLOAT16, false).toByteBuffer());
        }
        return add(key, array.getShape(), storeAs, () -> {
            float[] v = array.toFloatArray();
            ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) {
                b.putShort(toBfloat16(f));
            }
            return b.flip();
        });
    }

    /** float32 → bfloat16 bits, rounding to nearest even as torch does; NaN stays NaN. */
    static short toBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /**
     * Adds a tensor whose little-endian bytes {@code bytes} supplies when the file is written (for
     * files larger than memory).
     */
    public SafetensorsWriter add(String key, Shape shape, DataType dtype, Supplier<ByteBuffer> bytes) {
        if (key.equals("__metadata__") || !keys.add(key)) {
            throw new IllegalArgumentException("tensor key '" + key + "' is reserved or already added");
        }
        Dtypes.name(dtype);
        tensors.add(new Pending(key, shape, dtype, bytes));
        return this;
    }

    /** The header bytes, length prefix included, padded to a multiple of 8. */
    byte[] header() {
        JsonObject root = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach(m::addProperty);
            root.add("__metadata__", m);
        }
        long offset = 0;
        for (Pending t : tensors) {
            JsonObject o = new JsonObject();
            o.addProperty("dtype", Dtypes.name(t.dtype()));
            JsonArray shape = new JsonArray();
            for (long d : t.shape().getShape()) {
                shape.add(d);
            }
            o.add("shape", shape);
            long size = t.shape().size() * t.dtype().getNumOfBytes();
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + size);
            o.add("data_offsets", offsets);
            root.add(t.key(), o);
            offset += size;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        while (out.hasRemaining()) {
            out.put((byte) ' ');
        }
        return out.array();
    }

    /** Writes the file atomically: readers see the old file or the complete new one. */
    public void write(Path target) throws IOException {
        byte[] header = header();
        AtomicFiles.write(target, out -> {
            out.write(header);
            WritableByteChannel ch = Channels.newChannel(out);
            for (Pending t : tensors) {
                ByteBuffer b = t.bytes().get().duplicate();
                long expected = t.shape().size() * t.dtype().getNumOfBytes();
                if (b.remaining() != expected) {
                    throw new IOException(target + ": '" + t.key() + "' supplied " + b.remaining() + " bytes, "
                            + Dtypes.name(t.dtype()) + t.shape() + " needs " + expected);
                }
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        });
    }
}
