package org.medvlm.dicom;

import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import tech.tablesaw.api.Table;

/**
 * The attributes of one DICOM file (top level; sequences are counted, not expanded) and typed access to the ones
 * this package uses. Values are read from the file's bytes on demand in the file's byte order and character set.
 */
public final class DicomHeader {
    private static final Set<String> TEXT_VRS =
            Set.of("AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT");
    /** Text values are decoded up to this many bytes: a hostile 500 MB UT would otherwise become a 500 MB string. */
    private static final int MAX_TEXT_BYTES = 1 << 16;
    /** A DS or IS value as PS3.5 6.2 writes it; Java would also parse "NaN", "Infinity", "0x1p3" and "1d". */
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private final String file;
    private final byte[] bytes;
    private final TransferSyntax transferSyntax;
    private final List<DicomElement> elements;
    private final Map<Integer, DicomElement> byTag = new LinkedHashMap<>();
    private final List<Fragment> items; // encapsulated pixel data: basic offset table, then fragments; null if native
    private final Charset charset;

    DicomHeader(String file, byte[] bytes, TransferSyntax transferSyntax, List<DicomElement> elements, List<Fragment> items) {
        this.file = file;
        this.bytes = bytes;
        this.transferSyntax = transferSyntax;
        this.elements = List.copyOf(elements);
        for (DicomElement e : elements) {
            byTag.putIfAbsent(e.tag(), e);
        }
        this.items = items == null ? null : List.copyOf(items);
        String cs = stringAt(byTag.get(Tags.SPECIFIC_CHARACTER_SET), StandardCharsets.US_ASCII);
        this.charset = cs != null && cs.contains("ISO_IR 192") ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
    }

    /** The last part of {@link #file()}: what tables and summaries show. */
    public String fileName() {
        int slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
        return file.substring(slash + 1);
    }

    /** The file this header was read from, as named in messages. */
    public String file() {
        return file;
    }

    public TransferSyntax transferSyntax() {
        return transferSyntax;
    }

    /** All top-level attributes in file order, the file meta group first. */
    public List<DicomElement> elements() {
        return elements;
    }

    public Optional<DicomElement> find(int tag) {
        return Optional.ofNullable(byTag.get(tag));
    }

    public boolean contains(int tag) {
        return byTag.containsKey(tag);
    }

    /**
     * A text attribute's value with DICOM's padding (trailing spaces, NULs) removed; multiple values keep their '\'.
     * Only the first 64 KiB are decoded.
     */
    public Optional<String> string(int tag) {
        return Optional.ofNullable(stringAt(byTag.get(tag), charset));
    }

    /** The first of a (possibly multi-valued) integer attribute: binary US/SS/UL/SL or text IS/DS. */
    public OptionalInt integer(int tag) {
        OptionalDouble d = number(tag, 0);
        if (d.isEmpty()) {
            return OptionalInt.empty();
        }
        double v = d.getAsDouble();
        return v == Math.rint(v) && Math.abs(v) <= Integer.MAX_VALUE ? OptionalInt.of((int) v) : OptionalInt.empty();
    }

    /** The first value of a numeric attribute (binary or decimal/integer string), empty when absent or malformed. */
    public OptionalDouble decimal(int tag) {
        return number(tag, 0);
    }

    /** The {@code index}-th value of a numeric attribute; empty when absent, malformed or not finite (NaN, infinity). */
    public OptionalDouble number(int tag, int index) {
        DicomElement e = byTag.get(tag);
        if (e == null || e.length() == 0) {
            return OptionalDouble.empty();
        }
        String vr = effectiveVr(e);
        int size = switch (vr) {
            case "US", "SS" -> 2;
            case "UL", "SL", "FL" -> 4;
            case "FD" -> 8;
            default -> 0;
        };
        if (size > 0) {
            int at = e.offset() + index * size;
            if (at + size > e.offset() + e.length()) {
                return OptionalDouble.empty();
            }
            long raw = 0;
            for (int i = 0; i < size; i++) {
                int k = transferSyntaxOrder(e) == ByteOrder.LITTLE_ENDIAN ? size - 1 - i : i;
                raw = raw << 8 | (bytes[at + k] & 0xFF);
            }
            double v = switch (vr) {
                case "SS" -> (short) raw;
                case "SL" -> (int) raw;
                case "FL" -> Float.intBitsToFloat((int) raw);
                case "FD" -> Double.longBitsToDouble(raw);
                default -> raw;
            };
            return Double.isFinite(v) ? OptionalDouble.of(v) : OptionalDouble.empty();
        }
        String text = stringAt(e, StandardCharsets.US_ASCII);
        if (text == null) {
            return OptionalDouble.empty();
        }
        String[] values = text.split("\\\\");
        if (index >= values.length) {
            return OptionalDouble.empty();
        }
        String value = values[index].strip();
        if (!DECIMAL.matcher(value).matches()) {
            return OptionalDouble.empty();
        }
        double v = Double.parseDouble(value);
        return Double.isFinite(v) ? OptionalDouble.of(v) : OptionalDouble.empty();
    }

    /** The modality (CT, MR, ...) or an empty string. */
    public String modality() {
        return string(Tags.MODALITY).orElse("");
    }

    /**
     * The header as a table (tag, keyword, VR, value), with the attributes of PS3.15's basic de-identification
     * profile masked unless {@code showPhi}: notebooks get shared, so identifying values stay out by default.
     */
    public Table table(boolean showPhi) {
        return HeaderTable.of(this, showPhi);
    }

    /** The same rows as {@link #table}, as records. */
    public List<HeaderTable.Row> rows(boolean showPhi) {
        return HeaderTable.rows(this, showPhi);
    }

    /** A short text of an element's value for display: text as text, numbers listed, bytes as a count. */
    String display(DicomElement e) {
        if (e.isSequence()) {
            return "<sequence of " + e.items() + " item" + (e.items() == 1 ? "" : "s") + ">";
        }
        if (e.tag() == Tags.PIXEL_DATA) {
            return items != null ? "<encapsulated: " + (items.size() - 1) + " fragment(s)>" : "<" + e.length() + " bytes>";
        }
        String vr = effectiveVr(e);
        if (TEXT_VRS.contains(vr)) {
            String s = stringAt(e, charset);
            return s == null ? "" : abbreviate(s);
        }
        int size = switch (vr) {
            case "US", "SS" -> 2;
            case "UL", "SL", "FL" -> 4;
            case "FD" -> 8;
            default -> 0;
        };
        if (size == 0) {
            return "<" + e.length() + " bytes>";
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < e.length() / size && i < 16; i++) {
            OptionalDouble n = number(e.tag(), i);
            double v = n.orElse(Double.NaN);
            values.add(n.isEmpty() ? "NaN" : v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v));
        }
        return String.join("\\", values) + (e.length() / size > 16 ? "\\..." : "");
    }

    private static String abbreviate(String s) {
        String oneLine = s.replaceAll("[\\r\\n\\t]+", " ");
        return oneLine.length() > 80 ? oneLine.substring(0, 77) + "..." : oneLine;
    }

    /** Explicit UN for a known tag (some converters write that) is read with the dictionary's VR. */
    private static String effectiveVr(DicomElement e) {
        return e.vr().equals("UN") ? DicomDictionary.vr(e.tag()) : e.vr();
    }

    private ByteOrder transferSyntaxOrder(DicomElement e) {
        return e.group() == 0x0002 ? ByteOrder.LITTLE_ENDIAN : transferSyntax.order();
    }

    private String stringAt(DicomElement e, Charset cs) {
        if (e == null) {
            return null;
        }
        String s = new String(bytes, e.offset(), Math.min(e.length(), MAX_TEXT_BYTES), cs);
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
            end--;
        }
        return s.substring(0, end).stripLeading();
    }

    byte[] bytes() {
        return bytes;
    }

    /** Encapsulated pixel data items (basic offset table first); empty for native pixel data. */
    List<Fragment> encapsulatedItems() {
        return items == null ? Collections.emptyList() : items;
    }

    @Override
    public String toString() {
        return "DicomHeader[" + file + ", " + elements.size() + " attributes, " + transferSyntax + "]";
    }
}
