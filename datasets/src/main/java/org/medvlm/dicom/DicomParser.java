package org.medvlm.dicom;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.medvlm.io.InputFiles;
import org.medvlm.io.Limit;

/**
 * Walks a DICOM file's elements: the optional 128-byte preamble and "DICM", the file meta group (always explicit VR
 * little endian), then the data set in its transfer syntax. Sequences are walked (not kept) through defined and
 * undefined lengths; encapsulated pixel data is split into its fragments.
 *
 * <p>Every length is checked against the bytes that remain before it is used, so a damaged file fails with a
 * message naming the element and offset, never by reading past the end or allocating what a length field claims.
 */
final class DicomParser {
    private static final int MAX_SEQUENCE_DEPTH = 32;
    private static final long UNDEFINED = 0xFFFF_FFFFL;
    // explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2)
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

    private final String name;
    private final byte[] b;
    private final long maxElements = Limit.DICOM_ELEMENTS.value();
    private long elements;

    private DicomParser(String name, byte[] bytes) {
        this.name = name;
        this.b = bytes;
    }

    /**
     * Reads a file whole, after checking that it is a regular file (a named pipe would block, {@code /dev/zero}
     * never ends) within {@link Limit#DICOM_BYTES} and half the heap.
     */
    static DicomHeader parse(Path file) throws IOException {
        long size = InputFiles.check(file, Limit.DICOM_BYTES);
        Limit.checkHeap(file.toString(), "reading the file", size);
        byte[] bytes = InputFiles.readAll(file, Limit.DICOM_BYTES);
        return parse(file.toString(), bytes);
    }

    static DicomHeader parse(String name, byte[] bytes) throws IOException {
        if (Limit.DICOM_BYTES.exceededBy(bytes.length)) {
            throw new DicomFormatException(name, bytes.length + " bytes is too large " + Limit.DICOM_BYTES.hint());
        }
        try {
            return new DicomParser(name, bytes).parse();
        } catch (StackOverflowError e) {
            throw new DicomFormatException(name, "sequences nested too deeply to read");
        }
    }

    private DicomHeader parse() throws IOException {
        int pos;
        if (b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') {
            pos = 132;
        } else if (looksLikeFirstElement()) {
            pos = 0; // no preamble: old ACR-NEMA style files and some exports (ImageJ reads these too)
        } else {
            throw fail(b.length < 132 ? "not a DICOM file (only " + b.length + " bytes, no 'DICM' marker and no DICOM element at the start)"
                    : "not a DICOM file (no 'DICM' marker at byte 128 and no DICOM element at the start)");
        }
        List<DicomElement> elements = new ArrayList<>();
        String tsUid = null;
        while (pos + 8 <= b.length && u16(pos, ByteOrder.LITTLE_ENDIAN) == 0x0002) {
            Read r = readElement(pos, true, ByteOrder.LITTLE_ENDIAN, 0);
            elements.add(r.element);
            if (r.element.tag() == Tags.TRANSFER_SYNTAX_UID) {
                // a damaged UID may hold any byte: keep messages printable
                tsUid = new String(b, r.element.offset(), Math.min(r.element.length(), 64), StandardCharsets.ISO_8859_1)
                        .replace("\0", "").strip().replaceAll("[^\\x20-\\x7E]", "?");
            }
            pos = r.end;
        }
        TransferSyntax ts;
        if (tsUid != null) {
            ts = TransferSyntax.of(tsUid);
        } else {
            // no meta group: the data set itself says whether it is explicit (VR letters after the tag)
            ts = pos + 6 <= b.length && isVrLetter(b[pos + 4]) && isVrLetter(b[pos + 5])
                    ? TransferSyntax.EXPLICIT_VR_LE : TransferSyntax.IMPLICIT_VR_LE;
        }
        if (ts.uid().equals("1.2.840.10008.1.2.1.99")) {
            throw fail("transfer syntax " + ts + " is not supported (the data set is deflated)");
        }
        List<Fragment> fragments = null;
        while (pos < b.length) {
            if (b.length - pos < 8) {
                if (allZero(pos)) {
                    break; // a few bytes of trailing padding
                }
                throw fail("truncated: " + (b.length - pos) + " stray bytes at offset " + pos + " where an element should start");
            }
            Read r = readElement(pos, ts.explicitVr(), ts.order(), 0);
            elements.add(r.element);
            if (r.fragments != null) {
                fragments = r.fragments;
            }
            pos = r.end;
        }
        return new DicomHeader(name, b, ts, elements, fragments);
    }

    private record Read(DicomElement element, int end, List<Fragment> fragments) {}

    private Read readElement(int pos, boolean explicit, ByteOrder order, int depth) throws IOException {
        need(pos, 8, "an element header");
        count(pos);
        int tag = u16(pos, order) << 16 | u16(pos + 2, order);
        String vr;
        int valuePos;
        long length;
        if (tag >>> 16 == 0xFFFE) {
            throw fail("unexpected item tag " + Tags.format(tag) + " at offset " + pos + " outside a sequence");
        }
        if (explicit) {
            if (!isVrLetter(b[pos + 4]) || !isVrLetter(b[pos + 5])) {
                throw fail("invalid VR bytes at offset " + (pos + 4) + " for element " + Tags.format(tag)
                        + " (file damaged, or not the explicit VR its transfer syntax says)");
            }
            vr = new String(b, pos + 4, 2, StandardCharsets.US_ASCII);
            if (LONG_VRS.contains(vr)) {
                need(pos, 12, "the header of element " + Tags.format(tag));
                length = u32(pos + 8, order);
                valuePos = pos + 12;
            } else {
                length = u16(pos + 6, order);
                valuePos = pos + 8;
            }
        } else {
            vr = DicomDictionary.vr(tag);
            length = u32(pos + 4, order);
            valuePos = pos + 8;
        }
        if (length == UNDEFINED) {
            if (tag == Tags.PIXEL_DATA) {
                List<Fragment> items = new ArrayList<>();
                int end = readItems(valuePos, order, items);
                if (items.isEmpty()) {
                    throw fail("encapsulated pixel data has no basic offset table item");
                }
                return new Read(new DicomElement(tag, vr, valuePos, end - valuePos, items.size() - 1), end, items);
            }
            if (vr.equals("SQ") || vr.equals("UN") || !explicit) {
                // an undefined-length UN is a sequence encoded implicit VR little endian (PS3.5 6.2.2)
                boolean itemsExplicit = explicit && !vr.equals("UN");
                ByteOrder itemsOrder = vr.equals("UN") ? ByteOrder.LITTLE_ENDIAN : order;
                int[] count = new int[1];
                int end = walkSequence(valuePos, -1, itemsExplicit, itemsOrder, depth + 1, tag, count);
                return new Read(new DicomElement(tag, "SQ", valuePos, end - valuePos, count[0]), end, null);
            }
            throw fail("element " + Tags.format(tag) + " (" + vr + ") at offset " + pos + " has an undefined length");
        }
        if (length > b.length - valuePos) {
            throw fail("truncated: element " + Tags.format(tag) + " at offset " + pos + " declares " + length
                    + " bytes but only " + (b.length - valuePos) + " remain");
        }
        int len = (int) length;
        int items = 0;
        if (vr.equals("SQ")) {
            int[] count = new int[1];
            walkSequence(valuePos, len, explicit, order, depth + 1, tag, count);
            items = count[0];
        }
        return new Read(new DicomElement(tag, vr, valuePos, len, items), valuePos + len, null);
    }

    /** Walks a sequence's items; returns the offset after it. {@code length < 0}: undefined, ends at its delimiter. */
    private int walkSequence(int pos, int length, boolean explicit, ByteOrder order, int depth, int seqTag, int[] count)
            throws IOException {
        if (depth > MAX_SEQUENCE_DEPTH) {
            throw fail("sequences nested deeper than " + MAX_SEQUENCE_DEPTH + " at offset " + pos);
        }
        int end = length < 0 ? b.length : pos + length;
        while (pos < end) {
            need(pos, 8, "an item of sequence " + Tags.format(seqTag));
            int tag = u16(pos, order) << 16 | u16(pos + 2, order);
            long itemLength = u32(pos + 4, order);
            if (tag == Tags.SEQUENCE_DELIMITER) {
                if (length >= 0) {
                    throw fail("sequence delimiter inside defined-length sequence " + Tags.format(seqTag) + " at offset " + pos);
                }
                return pos + 8;
            }
            if (tag != Tags.ITEM) {
                throw fail("expected an item in sequence " + Tags.format(seqTag) + " at offset " + pos + ", found " + Tags.format(tag));
            }
            count[0]++;
            count(pos);
            if (itemLength == UNDEFINED) {
                pos = walkItem(pos + 8, explicit, order, depth, seqTag);
            } else {
                if (itemLength > end - (pos + 8L)) {
                    throw fail("truncated: an item of sequence " + Tags.format(seqTag) + " at offset " + pos
                            + " declares " + itemLength + " bytes but only " + (end - pos - 8) + " remain");
                }
                pos += 8 + (int) itemLength;
            }
        }
        if (length < 0) {
            throw fail("truncated: sequence " + Tags.format(seqTag) + " has no end delimiter");
        }
        if (pos != end) {
            throw fail("sequence " + Tags.format(seqTag) + " overruns its declared length");
        }
        return end;
    }

    private int walkItem(int pos, boolean explicit, ByteOrder order, int depth, int seqTag) throws IOException {
        while (true) {
            need(pos, 8, "an element inside sequence " + Tags.format(seqTag));
            int tag = u16(pos, order) << 16 | u16(pos + 2, order);
            if (tag == Tags.ITEM_DELIMITER) {
                return pos + 8;
            }
            pos = readElement(pos, explicit, order, depth).end;
        }
    }

    /** Encapsulated pixel data: items (the first is the basic offset table) up to the sequence delimiter. */
    private int readItems(int pos, ByteOrder order, List<Fragment> items) throws IOException {
        while (true) {
            need(pos, 8, "an item of the encapsulated pixel data");
            int tag = u16(pos, order) << 16 | u16(pos + 2, order);
            long length = u32(pos + 4, order);
            if (tag == Tags.SEQUENCE_DELIMITER) {
                return pos + 8;
            }
            if (tag != Tags.ITEM) {
                throw fail("expected a pixel data item at offset " + pos + ", found " + Tags.format(tag));
            }
            if (length > b.length - (pos + 8L)) {
                throw fail("truncated: pixel data fragment at offset " + pos + " declares " + length
                        + " bytes but only " + (b.length - pos - 8) + " remain");
            }
            count(pos);
            items.add(new Fragment(pos + 8, (int) length));
            pos += 8 + (int) length;
        }
    }

    /** A file without preamble starts with a group 0002 or 0008 element (what ImageJ also accepts). */
    private boolean looksLikeFirstElement() {
        if (b.length < 8) {
            return false;
        }
        int group = u16(0, ByteOrder.LITTLE_ENDIAN);
        return (group == 0x0002 || group == 0x0008) && u16(2, ByteOrder.LITTLE_ENDIAN) < 0x0100;
    }

    /** Counts one element, item or fragment against {@link Limit#DICOM_ELEMENTS}: each may cost memory or time. */
    private void count(int pos) throws DicomFormatException {
        if (++elements > maxElements) {
            throw fail("more than " + maxElements + " attributes, items and fragments at offset " + pos + " "
                    + Limit.DICOM_ELEMENTS.hint());
        }
    }

    private void need(int pos, int n, String what) throws IOException {
        if (pos < 0 || b.length - pos < n) {
            throw fail("truncated: the file ends at byte " + b.length + " inside " + what + " at offset " + pos);
        }
    }

    private boolean allZero(int pos) {
        for (int i = pos; i < b.length; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isVrLetter(byte c) {
        return c >= 'A' && c <= 'Z';
    }

    private int u16(int pos, ByteOrder order) {
        return order == ByteOrder.LITTLE_ENDIAN ? (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8
                : (b[pos] & 0xFF) << 8 | (b[pos + 1] & 0xFF);
    }

    private long u32(int pos, ByteOrder order) {
        long lo = u16(pos, order);
        long hi = u16(pos + 2, order);
        return order == ByteOrder.LITTLE_ENDIAN ? lo | hi << 16 : lo << 16 | hi;
    }

    private DicomFormatException fail(String problem) {
        return new DicomFormatException(name, problem);
    }
}
