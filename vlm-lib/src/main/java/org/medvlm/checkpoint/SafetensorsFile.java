package org.medvlm.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file: an 8-byte little-endian header length, a JSON header mapping each key to
 * {@code dtype}, {@code shape} and {@code data_offsets} (relative to the end of the header), then the
 * data. Every number in the header is checked before anything is read, so a corrupt or hostile file
 * fails with a {@link SafetensorsFormatException} naming the file, never with an OutOfMemoryError or
 * a read outside the file.
 *
 * <p>Tensors are read on demand through memory maps of at most {@link #WINDOW} bytes each, so files
 * and tensors over 2 GiB work (Java's map windows are int-sized; the offsets here are long). Each
 * window is copied into the tensor and unmapped at once, so loading a whole checkpoint peaks at about
 * the size of the tensors plus one window rather than twice the file.
 */
final class SafetensorsFile implements AutoCloseable {
    /** The safetensors reference implementation's limit; real headers are a few MB at most. */
    static final long MAX_HEADER = 100_000_000L;
    /** Largest single mapping: small enough to keep the transient page-cache share of RSS low. */
    static final long WINDOW = 64L << 20;

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    record Entry(TensorSpec spec, long begin, long end) {}

    private SafetensorsFile(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries,
            Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    static SafetensorsFile open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return parse(file, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static SafetensorsFile parse(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw new SafetensorsFormatException(file, "not a safetensors file (" + size + " bytes, shorter than the 8-byte header length)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        // compare unsigned: a u64 over 2^63 reads as negative here
        if (headerLen < 0 || headerLen > MAX_HEADER) {
            throw new SafetensorsFormatException(file, "header length " + Long.toUnsignedString(headerLen)
                    + " is over the 100 MB limit (corrupt or not a safetensors file)");
        }
        if (8 + headerLen > size) {
            throw new SafetensorsFormatException(file, "header length " + headerLen + " goes beyond the end of the file ("
                    + size + " bytes)");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(channel, headerBuf, 8);
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBuf.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(file, "header is not UTF-8");
        }
        JsonObject root;
        try {
            JsonElement parsed = JsonParser.parseString(json);
            if (!parsed.isJsonObject()) {
                throw new SafetensorsFormatException(file, "bad JSON header: not an object");
            }
            root = parsed.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException | StackOverflowError e) {
            throw new SafetensorsFormatException(file, "bad JSON header: " + firstLine(e.getMessage()));
        }
        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            String key = e.getKey();
            if (key.equals("__metadata__")) {
                readMetadata(file, e.getValue(), metadata);
                continue;
            }
            entries.put(key, readEntry(file, key, e.getValue(), dataLen));
        }
        checkOverlaps(file, entries);
        return new SafetensorsFile(file, channel, dataStart, Collections.unmodifiableMap(entries),
                Collections.unmodifiableMap(metadata));
    }

    private static void readMetadata(Path file, JsonElement value, Map<String, String> out)
            throws SafetensorsFormatException {
        if (!value.isJsonObject()) {
            throw new SafetensorsFormatException(file, "bad JSON header: __metadata__ is not an object");
        }
        for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
            if (!m.getValue().isJsonPrimitive() || !m.getValue().getAsJsonPrimitive().isString()) {
                throw new SafetensorsFormatException(file, "bad JSON header: __metadata__." + m.getKey() + " is not a string");
            }
            out.put(m.getKey(), m.getValue().getAsString());
        }
    }

    private static Entry readEntry(Path file, String key, JsonElement value, long dataLen)
            throws SafetensorsFormatException {
        if (!value.isJsonObject()) {
            throw new SafetensorsFormatException(file, "bad JSON header: entry '" + key + "' is not an object");
        }
        JsonObject o = value.getAsJsonObject();
        JsonElement dtypeEl = o.get("dtype");
        if (dtypeEl == null || !dtypeEl.isJsonPrimitive() || !dtypeEl.getAsJsonPrimitive().isString()) {
            throw new SafetensorsFormatException(file, "bad JSON header: '" + key + "' has no dtype");
        }
        String dtypeName = dtypeEl.getAsString();
        DataType dtype = Dtypes.parse(dtypeName).orElseThrow(() -> new SafetensorsFormatException(file,
                "'" + key + "' has unknown dtype '" + dtypeName + "' (known: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)"));
        long[] dims = longs(file, key, o.get("shape"), "shape", -1);
        long[] offsets = longs(file, key, o.get("data_offsets"), "data_offsets", 2);
        long elements = 1;
        try {
            for (long d : dims) {
                elements = Math.multiplyExact(elements, d);
            }
            long expected = Math.multiplyExact(elements, (long) dtype.getNumOfBytes());
            long begin = offsets[0];
            long end = offsets[1];
            if (begin > end || end > dataLen) {
                throw new SafetensorsFormatException(file, "'" + key + "' data_offsets [" + begin + ", " + end
                        + "] are out of range (data section is " + dataLen + " bytes)");
            }
            if (end - begin != expected) {
                throw new SafetensorsFormatException(file, "'" + key + "' holds " + (end - begin) + " bytes but "
                        + dtypeName + Arrays.toString(dims) + " needs " + expected);
            }
            return new Entry(new TensorSpec(key, new Shape(dims), dtype, file.getFileName().toString()), begin, end);
        } catch (ArithmeticException overflow) {
            throw new SafetensorsFormatException(file, "'" + key + "' shape " + Arrays.toString(dims) + " is too large");
        }
    }

    private static long[] longs(Path file, String key, JsonElement el, String field, int count)
            throws SafetensorsFormatException {
        if (el == null || !el.isJsonArray()) {
            throw new SafetensorsFormatException(file, "bad JSON header: '" + key + "' has no " + field + " array");
        }
        JsonArray a = el.getAsJsonArray();
        if (count >= 0 && a.size() != count) {
            throw new SafetensorsFormatException(file, "bad JSON header: '" + key + "' " + field + " has " + a.size()
                    + " numbers, not " + count);
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement n = a.get(i);
            try {
                if (!n.isJsonPrimitive() || !n.getAsJsonPrimitive().isNumber()) {
                    throw new NumberFormatException();
                }
                BigDecimal d = n.getAsBigDecimal();
                out[i] = d.longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                throw new SafetensorsFormatException(file, "bad JSON header: '" + key + "' " + field + " holds " + n
                        + ", not a whole number");
            }
            if (out[i] < 0) {
                throw new SafetensorsFormatException(file, "'" + key + "' " + field + " holds a negative number " + out[i]);
            }
        }
        return out;
    }

    private static void checkOverlaps(Path file, Map<String, Entry> entries) throws SafetensorsFormatException {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() == e.end()) {
                continue; // empty tensors take no bytes and cannot overlap
            }
            if (previous != null && e.begin() < previous.end()) {
                throw new SafetensorsFormatException(file, "'" + e.spec().key() + "' and '" + previous.spec().key()
                        + "' overlap (data_offsets " + e.begin() + " < " + previous.end() + ")");
            }
            previous = e;
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    Path file() {
        return file;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The element type a stored type is loaded as. DJL 0.36's PyTorch engine aborts the whole JVM when
     * asked for a bfloat16 or int16 array, so those are widened here, exactly: bf16 is the top half of
     * a float32, and every int16 is an int32.
     */
    static DataType loadedType(DataType stored) {
        return switch (stored) {
            case BFLOAT16 -> DataType.FLOAT32;
            case INT16 -> DataType.INT32;
            default -> stored;
        };
    }

    /**
     * Reads one tensor into a new array of {@code manager} (on the manager's device), in its stored
     * element type ({@link #loadedType} for the two the engine cannot hold). The array owns its
     * memory: nothing stays mapped afterwards.
     */
    NDArray load(Entry entry, NDManager manager) {
        TensorSpec spec = entry.spec();
        DataType target = loadedType(spec.dtype());
        try {
            long elements = spec.shape().size();
            if (elements == 0) {
                return manager.create(spec.shape(), target);
            }
            int inBytes = spec.dtype().getNumOfBytes();
            long perWindow = WINDOW / inBytes;
            if (elements <= perWindow) {
                return window(entry.begin(), elements, spec.dtype(), (buf, release) -> {
                    // on the CPU the array aliases the buffer (zero copy); duplicate() gives it its own
                    // memory before the mapping goes away
                    try (NDArray view = manager.create(buf, spec.shape(), target)) {
                        NDArray owned = view.duplicate();
                        owned.setName(spec.key());
                        return owned;
                    } finally {
                        release.run();
                    }
                });
            }
            NDArray out = manager.create(spec.shape(), target);
            try (NDArray flat = out.reshape(-1)) {
                for (long first = 0; first < elements; first += perWindow) {
                    long count = Math.min(perWindow, elements - first);
                    long from = first;
                    window(entry.begin() + first * inBytes, count, spec.dtype(), (buf, release) -> {
                        try (NDArray part = manager.create(buf, new Shape(count), target)) {
                            flat.set(new NDIndex("{}:{}", from, from + count), part);
                            return null;
                        } finally {
                            release.run();
                        }
                    });
                }
            } catch (IOException | RuntimeException e) {
                out.close();
                throw e;
            }
            out.setName(spec.key());
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read '" + spec.key() + "': " + e.getMessage(), e);
        }
    }

    /** What is done with one window of a tensor's bytes; {@code release} unmaps it. */
    @FunctionalInterface
    private interface WindowUse<T> {
        T use(ByteBuffer bytes, Runnable release);
    }

    /** Maps {@code count} elements from {@code begin} (relative to the data) and hands them, widened if needed, to {@code use}. */
    private <T> T window(long begin, long count, DataType stored, WindowUse<T> use) throws IOException {
        long len = count * stored.getNumOfBytes();
        MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, len);
        map.order(ByteOrder.LITTLE_ENDIAN);
        if (loadedType(stored) == stored) {
            map.order(ByteOrder.nativeOrder());
            return use.use(map, () -> Unmapper.unmap(map));
        }
        ByteBuffer wide = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder());
        for (long i = 0; i < count; i++) {
            short v = map.getShort();
            wide.putInt(stored == DataType.BFLOAT16 ? (v & 0xffff) << 16 : v);
        }
        Unmapper.unmap(map);
        wide.flip();
        return use.use(wide, () -> { });
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * Releases a mapping now rather than at some later garbage collection, so its pages leave the
     * process's resident set. Only called once no array refers to the mapped memory any more.
     */
    static final class Unmapper {
        private static final Object UNSAFE;
        private static final Method INVOKE_CLEANER;

        static {
            Object unsafe = null;
            Method m = null;
            try {
                Class<?> c = Class.forName("sun.misc.Unsafe");
                Field f = c.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                unsafe = f.get(null);
                m = c.getMethod("invokeCleaner", ByteBuffer.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // without it, mappings are released by the garbage collector instead
                unsafe = null;
                m = null;
            }
            UNSAFE = unsafe;
            INVOKE_CLEANER = m;
        }

        private Unmapper() {}

        static void unmap(MappedByteBuffer buffer) {
            if (INVOKE_CLEANER == null) {
                return;
            }
            try {
                INVOKE_CLEANER.invoke(UNSAFE, buffer);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the garbage collector
            }
        }
    }
}
