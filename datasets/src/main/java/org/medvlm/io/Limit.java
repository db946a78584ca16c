package org.medvlm.io;

import java.util.Locale;

/**
 * The budgets every reader checks before it allocates or loops, so that a small hostile file (a DICOM header that
 * claims 600 million frames, a JSON array nested 100,000 deep, a PNG that declares 28,000 x 28,000 pixels) is
 * refused in one line instead of exhausting the heap or the clock.
 *
 * <p>Each budget has a default, sized well above the published datasets, and a system property that changes it on
 * purpose, e.g. {@code MEDVLM_JAVA_OPTS=-Dmedvlm.limit.image-pixels=400000000 launch/medvlm ...} (in a notebook, the
 * same option in the kernel's JVM options). A memory budget is also held against the heap: a decode that needs more
 * than half of {@code -Xmx} is refused whatever the budget says, since it would end in {@link OutOfMemoryError}.
 */
public enum Limit {
    /** Decoded pixels (width x height) of one image or one DICOM frame: 8192 x 8192. */
    IMAGE_PIXELS("image-pixels", 64L << 20, "decoded pixels per image or DICOM frame (width x height)"),
    /** Decoded samples of one DICOM file (frames x rows x columns x samples per pixel), 4 bytes each in memory. */
    DICOM_SAMPLES("dicom-samples", 256L << 20, "decoded samples per DICOM file (frames x rows x columns x samples per pixel)"),
    /** Bytes of one DICOM file (it is read into memory whole). */
    DICOM_BYTES("dicom-bytes", 1L << 30, "bytes per DICOM file"),
    /** Top-level attributes, sequence items and pixel data fragments of one DICOM file. */
    DICOM_ELEMENTS("dicom-elements", 1_000_000, "attributes, sequence items and pixel data fragments per DICOM file"),
    /** Bytes of one image file (PNG, JPEG, ...) or embedded image. */
    IMAGE_BYTES("image-bytes", 256L << 20, "bytes per image file"),
    /** Bytes of one annotation file (JSON, JSON Lines, CSV, text, parquet); PMC-OA's 1.6M pairs are under 1 GiB. */
    ANNOTATION_BYTES("annotation-bytes", 2L << 30, "bytes per annotation file (JSON, JSON Lines, CSV, text, parquet)"),
    /** Characters of one line of a text or JSON Lines file, of one entry of a JSON array, and of one CSV cell. */
    LINE_CHARS("line-chars", 1L << 20, "characters per line of a text or JSON Lines file, per JSON array entry and per CSV cell"),
    /** Nesting depth of JSON arrays and objects (the datasets nest 3 deep). */
    JSON_DEPTH("json-depth", 64, "nesting depth of JSON arrays and objects"),
    /** Records read in one load, kept or skipped: questions, caption pairs, rows, predictions, reference answers. */
    RECORDS("records", 4_000_000, "records per load, kept or skipped (questions, caption pairs, rows, predictions)"),
    /** Examples of the synthetic phantom dataset. */
    PHANTOMS("phantoms", 200_000, "examples per synthetic phantom dataset");

    /** The prefix of every limit's system property: {@code medvlm.limit.image-pixels}. */
    public static final String PREFIX = "medvlm.limit.";

    private final String key;
    private final long defaultValue;
    private final String description;

    Limit(String key, long defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The system property that changes it: {@code medvlm.limit.image-pixels}. */
    public String property() {
        return PREFIX + key;
    }

    public long defaultValue() {
        return defaultValue;
    }

    /** What is counted, in words. */
    public String description() {
        return description;
    }

    /** The budget in force: the property's value when set, else the default. A malformed property is refused by name. */
    public long value() {
        String set = System.getProperty(property());
        if (set == null || set.isBlank()) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(set.strip().replace("_", ""));
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + property() + "=" + set + ": expected a positive whole number");
        }
    }

    /** {@link #value()} as an int (the count-like limits), capped at {@code Integer.MAX_VALUE}. */
    public int intValue() {
        return (int) Math.min(Integer.MAX_VALUE, value());
    }

    /** True when {@code amount} exceeds the budget. */
    public boolean exceededBy(long amount) {
        return amount > value();
    }

    /** The end of a refusal: {@code "(limit 67108864 decoded pixels per image ...; lift it with -Dmedvlm.limit.image-pixels=N)"}. */
    public String hint() {
        return "(limit " + value() + " " + description + "; change it with -D" + property() + "=N)";
    }

    /**
     * Refuses a decode of {@code bytes} that would take more than half of the heap, whatever the budgets allow: it
     * would fail later with an {@link OutOfMemoryError}. The message starts with {@code file}.
     */
    public static void checkHeap(String file, String what, long bytes) throws InputFileException {
        String problem = heapProblem(what, bytes);
        if (problem != null) {
            throw new InputFileException(file, problem);
        }
    }

    /** What {@link #checkHeap} would say, or null when {@code bytes} fit in half the heap. */
    public static String heapProblem(String what, long bytes) {
        long max = Runtime.getRuntime().maxMemory();
        if (bytes <= max / 2) {
            return null;
        }
        return what + " needs " + mib(bytes) + ", more than half of this JVM's " + mib(max)
                + " heap (raise it with -Xmx, e.g. MEDVLM_JAVA_OPTS=-Xmx8g)";
    }

    static String mib(long bytes) {
        return bytes >= 10L << 30 ? (bytes >> 30) + " GiB" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    @Override
    public String toString() {
        return property() + "=" + value() + " (" + description + ")";
    }
}
