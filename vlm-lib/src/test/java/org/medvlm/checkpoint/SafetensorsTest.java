package org.medvlm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.medvlm.layers.LayerNorm;
import org.medvlm.layers.Linear;
import org.medvlm.layers.Module;
import org.medvlm.checkpoint.StateDictMismatchException;
import org.medvlm.testing.ManagerFixture;

/** The safetensors reader and writer on files the tests make: values, dtypes, shards, size, corruption. */
class SafetensorsTest extends ManagerFixture {
    /** A file from a header JSON and raw data bytes, exactly as given (for corrupt cases). */
    static Path raw(Path file, long headerLength, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(h).put(data);
        Files.write(file, b.array());
        return file;
    }

    static Path raw(Path file, String header, byte[] data) throws IOException {
        return raw(file, header.getBytes(StandardCharsets.UTF_8).length, header, data);
    }

    @Test
    void roundTripKeepsValuesShapesAndTypes() throws IOException {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        arrays.put("f32", manager.create(new float[] {1.5f, -2.25f, 3e-8f, 7f, 0f, -0f}, new Shape(2, 3)));
        arrays.put("i64", manager.create(new long[] {Long.MAX_VALUE, -1, 42}, new Shape(3)));
        arrays.put("i32", manager.create(new int[] {-7, 8}, new Shape(1, 2)));
        arrays.put("u8", manager.create(new byte[] {0, (byte) 255, 7}, new Shape(3)).toType(DataType.UINT8, false));
        arrays.put("bool", manager.create(new boolean[] {true, false, true}));
        arrays.put("scalar", manager.create(3.25f));
        arrays.put("f16", manager.create(new float[] {1f, -2f, 65504f, 0.5f}).toType(DataType.FLOAT16, false));
        arrays.put("f64", manager.create(new double[] {Math.PI, -1e300}));
        arrays.put("i8", manager.create(new byte[] {-128, 127}));
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, arrays);
        try (StateDict sd = StateDict.open(file)) {
            assertEquals(List.copyOf(arrays.keySet()), List.copyOf(sd.keys()));
            assertEquals("pt", sd.metadata().get("format"));
            for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                NDArray back = sd.load(e.getKey(), manager);
                assertEquals(e.getValue().getShape(), back.getShape(), e.getKey());
                assertEquals(e.getValue().getDataType(), back.getDataType(), e.getKey());
                // compared as bytes: NDArray.equals is not used on purpose (engine-specific for some types)
                assertEquals(e.getValue().toByteBuffer(), back.toByteBuffer(), e.getKey());
            }
        }
    }

    @Test
    void bfloat16IsWrittenRoundedToNearestEvenAndReadBackAsFloat32() throws IOException {
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1); 1 + 3*2^-8 goes up
        float[] values = {1f, 1.00390625f, 1.01171875f, -3f, 3.140625f, 65536f, Float.NEGATIVE_INFINITY};
        float[] rounded = {1f, 1f, 1.015625f, -3f, 3.140625f, 65536f, Float.NEGATIVE_INFINITY};
        Path file = dir.resolve("bf16.safetensors");
        NDArray x = manager.create(values);
        SafetensorsWriter.create().add("x", x, DataType.BFLOAT16).add("h", x, DataType.FLOAT16).write(file);
        try (StateDict sd = StateDict.open(file)) {
            assertEquals(DataType.BFLOAT16, sd.expect("x").dtype());
            assertEquals(14, sd.expect("x").byteSize());
            NDArray back = sd.load("x", manager);
            assertEquals(DataType.FLOAT32, back.getDataType());
            assertArrayEquals(rounded, back.toFloatArray());
            assertEquals(DataType.FLOAT16, sd.load("h", manager).getDataType());
            assertArrayEquals(new float[] {1f, 1.00390625f, 1.01171875f, -3f, 3.140625f, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY}, sd.load("h", manager).toType(DataType.FLOAT32, false).toFloatArray());
        }
    }

    @Test
    void headerIsPaddedSoDataStartsOnEightBytes() throws IOException {
        Path file = dir.resolve("pad.safetensors");
        SafetensorsWriter.create().metadata("note", "x").add("a", manager.create(new float[] {1f})).write(file);
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8);
        assertEquals(8 + n + 4, bytes.length);
        JsonObject header = JsonParser.parseString(new String(bytes, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals("x", header.getAsJsonObject("__metadata__").get("note").getAsString());
        assertEquals("[0,4]", header.getAsJsonObject("a").get("data_offsets").toString());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "the atomic write leaves no temporary file");
        }
    }

    @Test
    void halfPrecisionBytesDecodeToTheRightFloats() throws IOException {
        // IEEE half: 0x3C00 = 1, 0xC000 = -2, 0x7BFF = 65504, 0x3555 = 0.333251953125;
        // bfloat16 is the top half of a float32: 0x3F80 = 1, 0xC040 = -3, 0x4049 = 3.140625, 0x4380 = 256
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : new int[] {0x3C00, 0xC000, 0x7BFF, 0x3555, 0x3F80, 0xC040, 0x4049, 0x4380}) {
            data.putShort((short) v);
        }
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[8,16]}}";
        Path file = raw(dir.resolve("half.safetensors"), header, data.array());
        try (StateDict sd = StateDict.open(file)) {
            assertEquals(DataType.FLOAT16, sd.expect("h").dtype());
            assertArrayEquals(new float[] {1f, -2f, 65504f, 0.333251953125f},
                    sd.load("h", manager).toType(DataType.FLOAT32, false).toFloatArray());
            assertArrayEquals(new float[] {1f, -3f, 3.140625f, 256f}, sd.load("b", manager).toFloatArray());
            assertEquals(new Shape(2, 2), sd.load("b", manager).getShape());
        }
    }

    @Test
    void shardedCheckpointThroughIndex() throws IOException {
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"),
                Map.of("a.weight", manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2))));
        Map<String, NDArray> second = new LinkedHashMap<>();
        second.put("b.weight", manager.create(new float[] {5, 6}));
        second.put("b.bias", manager.create(new long[] {9}));
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), second);
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\":{\"total_size\":36},\"weight_map\":{"
                + "\"a.weight\":\"model-00001-of-00002.safetensors\",\"b.weight\":\"model-00002-of-00002.safetensors\","
                + "\"b.bias\":\"model-00002-of-00002.safetensors\"}}");
        try (StateDict sd = StateDict.open(dir)) {
            assertEquals(3, sd.keys().size());
            assertArrayEquals(new float[] {1, 2, 3, 4}, sd.load("a.weight", manager).toFloatArray());
            assertArrayEquals(new float[] {5, 6}, sd.load("b.weight", manager).toFloatArray());
            assertArrayEquals(new long[] {9}, sd.load("b.bias", manager).toLongArray());
            assertEquals("model-00002-of-00002.safetensors", sd.expect("b.bias").source());
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"a.weight\":\"model-00003-of-00003.safetensors\"}}");
        IOException missing = assertThrows(IOException.class, () -> StateDict.open(dir));
        assertTrue(missing.getMessage().contains("model-00003-of-00003.safetensors") || missing.toString().contains("00003"),
                missing.toString());
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"b.weight\":\"model-00001-of-00002.safetensors\"}}");
        IOException wrong = assertThrows(SafetensorsFormatException.class, () -> StateDict.open(dir));
        assertTrue(wrong.getMessage().contains("'b.weight'"), wrong.getMessage());
    }

    @Test
    void fileOverTwoGibibytesWithATensorAcrossTheBoundary() throws IOException {
        // a sparse file: 2 GiB - 40 MB of holes, then an 80 MB tensor that straddles offset 2^31
        // (so it also spans two map windows), then a small tensor past it
        long twoGiB = 1L << 31;
        int n = 20 << 20; // floats, 80 MB
        long strBegin = twoGiB - (n / 2) * 4L;
        long strEnd = strBegin + n * 4L;
        String header = "{\"holes\":{\"dtype\":\"U8\",\"shape\":[" + strBegin + "],\"data_offsets\":[0," + strBegin + "]},"
                + "\"straddle\":{\"dtype\":\"F32\",\"shape\":[" + n + "],\"data_offsets\":[" + strBegin + "," + strEnd + "]},"
                + "\"tail\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[" + strEnd + "," + (strEnd + 16) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("big.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
            f.write(len.array());
            f.write(h);
            long dataStart = 8 + h.length;
            f.setLength(dataStart + strEnd + 16);
            f.seek(dataStart + strBegin);
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                chunk.putFloat(i);
                if (!chunk.hasRemaining()) {
                    f.write(chunk.array());
                    chunk.clear();
                }
            }
            ByteBuffer tail = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).putLong(Long.MIN_VALUE);
            f.write(tail.array());
        }
        assertTrue(Files.size(file) > twoGiB);
        try (StateDict sd = StateDict.open(file); NDManager m = manager.newSubManager()) {
            assertArrayEquals(new long[] {-5, Long.MIN_VALUE}, sd.load("tail", m).toLongArray());
            NDArray s = sd.load("straddle", m);
            assertEquals(new Shape(n), s.getShape());
            float[] v = s.toFloatArray();
            // every element is its own index: catches a window copied to the wrong place
            for (int i = 0; i < n; i += 4099) {
                assertEquals(i, v[i], 0f, "element " + i);
            }
            assertEquals(n - 1, v[n - 1], 0f);
            assertEquals(n / 2, v[n / 2], 0f);
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void corruptHeadersFailWithTheFileAndTheProblem() throws IOException {
        byte[] four = new byte[4];
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Map<String, Path> cases = new LinkedHashMap<>();
        cases.put("beyond the end", raw(dir.resolve("len.safetensors"), 10_000, ok, four));
        cases.put("100 MB", raw(dir.resolve("huge.safetensors"), 200_000_000L, ok, four));
        cases.put("100 MB", raw(dir.resolve("neg.safetensors"), -8L, ok, four));
        cases.put("bad JSON", raw(dir.resolve("json.safetensors"), "{\"a\":{\"dtype\":\"F32\",", four));
        cases.put("not an object", raw(dir.resolve("array.safetensors"), "[1,2,3]", four));
        cases.put("out of range", raw(dir.resolve("range.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", four));
        cases.put("out of range", raw(dir.resolve("reversed.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", four));
        cases.put("overlap", raw(dir.resolve("overlap.safetensors"), "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]));
        cases.put("needs 8", raw(dir.resolve("size.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", four));
        cases.put("unknown dtype 'F8_E4M3'", raw(dir.resolve("dtype.safetensors"),
                "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", four));
        cases.put("too large", raw(dir.resolve("overflow.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", four));
        cases.put("whole number", raw(dir.resolve("frac.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", four));
        cases.put("no dtype", raw(dir.resolve("nodtype.safetensors"), "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", four));
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        cases.put("shorter than", tiny);
        for (Map.Entry<String, Path> c : cases.entrySet()) {
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> StateDict.open(c.getValue()).close(),
                    c.getKey());
            assertTrue(e.getMessage().startsWith(c.getValue().toString()), e.getMessage());
            assertTrue(e.getMessage().contains(c.getKey()), "'" + c.getKey() + "' not in: " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void missingKeyAndShapeMismatchNameKeyFileAndShapes() throws IOException {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, Map.of("h.3.self_attention.query_key_value.weight", manager.zeros(new Shape(6, 2))));
        try (StateDict sd = StateDict.open(file)) {
            assertTrue(sd.find("nope").isEmpty());
            StateDictMismatchException missing = assertThrows(StateDictMismatchException.class, () -> sd.expect("ln_f.weight"));
            assertTrue(missing.getMessage().contains("'ln_f.weight'") && missing.getMessage().contains(file.toString()),
                    missing.getMessage());
            StateDictMismatchException shape = assertThrows(StateDictMismatchException.class,
                    () -> sd.load("h.3.self_attention.query_key_value.weight", new Shape(2, 6), manager));
            assertEquals("h.3.self_attention.query_key_value.weight: expected [2, 6], got [6, 2] in " + file, shape.getMessage());
        }
    }

    @Test
    void strictLoadingListsMissingAndUnexpectedKeysAndLoadsNothing() {
        Map<String, NDArray> stored = new LinkedHashMap<>();
        stored.put("a.weight", manager.ones(new Shape(2, 2)).toType(DataType.FLOAT16, false));
        stored.put("extra.bias", manager.ones(new Shape(2)));
        Linear a = new Linear(2, 2, false);
        Module model = new Module() {
            {
                addChild("a", a);
                addChild("b", new LayerNorm(3, 1e-5));
            }
        };
        try (StateDict sd = StateDict.of(stored, "fixture")) {
            Map<String, NDArray> arrays = sd.toMap(manager, DataType.FLOAT32);
            assertEquals(DataType.FLOAT32, arrays.get("a.weight").getDataType());
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> model.loadStateDict(arrays));
            assertEquals(List.of("b.weight", "b.bias"), e.missing());
            assertEquals(List.of("extra.bias"), e.unexpected());
            assertTrue(e.getMessage().contains("missing keys [b.weight, b.bias]") && e.getMessage().contains("unexpected keys [extra.bias]"),
                    e.getMessage());
            assertFalse(model.namedParameters().get("a.weight").isLoaded(), "a key that fitted was loaded anyway");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void viewsRenameFilterAndStripPrefixes() throws IOException {
        Map<String, NDArray> stored = new LinkedHashMap<>();
        stored.put("visual.trunk.norm.weight", manager.create(new float[] {1, 2}));
        stored.put("text.proj", manager.create(new float[] {3}));
        try (StateDict sd = StateDict.of(stored, "clip")) {
            StateDict trunk = sd.under("visual.trunk.");
            assertEquals(List.of("norm.weight"), List.copyOf(trunk.keys()));
            assertArrayEquals(new float[] {1, 2}, trunk.load("norm.weight", manager).toFloatArray());
            assertEquals(List.of("text.proj"), List.copyOf(sd.filtered(k -> k.startsWith("text.")).keys()));
            assertThrows(IllegalArgumentException.class, () -> sd.renamed(k -> "same"));
        }
    }
}
