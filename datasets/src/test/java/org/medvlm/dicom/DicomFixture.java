package org.medvlm.dicom;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes small DICOM files for tests, in any of the three native encodings, with native or encapsulated pixel
 * data; the values they hold are known by construction. Also an RLE Lossless encoder (PS3.5 Annex G) of its own.
 */
public final class DicomFixture {
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");

    /** The three native encodings. */
    public enum Syntax {
        EXPLICIT_LE("1.2.840.10008.1.2.1", true, false),
        IMPLICIT_LE("1.2.840.10008.1.2", false, false),
        EXPLICIT_BE("1.2.840.10008.1.2.2", true, true);

        final String uid;
        final boolean explicit;
        final boolean bigEndian;

        Syntax(String uid, boolean explicit, boolean bigEndian) {
            this.uid = uid;
            this.explicit = explicit;
            this.bigEndian = bigEndian;
        }
    }

    private final String transferSyntaxUid;
    private final boolean explicit;
    private final boolean bigEndian;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private boolean preamble = true;

    private DicomFixture(String uid, boolean explicit, boolean bigEndian) {
        this.transferSyntaxUid = uid;
        this.explicit = explicit;
        this.bigEndian = bigEndian;
    }

    public static DicomFixture of(Syntax syntax) {
        return new DicomFixture(syntax.uid, syntax.explicit, syntax.bigEndian);
    }

    /** Explicit VR little endian data set under another transfer syntax UID (the encapsulated ones). */
    public static DicomFixture encapsulated(String uid) {
        return new DicomFixture(uid, true, false);
    }

    public DicomFixture withoutPreamble() {
        preamble = false;
        return this;
    }

    public DicomFixture string(int tag, String vr, String value) {
        byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
        if (v.length % 2 == 1) {
            v = (value + (vr.equals("UI") ? "\0" : " ")).getBytes(StandardCharsets.ISO_8859_1);
        }
        return element(tag, vr, v);
    }

    public DicomFixture us(int tag, int value) {
        return element(tag, "US", new byte[] {hi(value, 0), hi(value, 1)});
    }

    private byte hi(int value, int lowByteFirstIndex) {
        int shift = bigEndian ? 8 * (1 - lowByteFirstIndex) : 8 * lowByteFirstIndex;
        return (byte) (value >> shift);
    }

    /** An element with the given value bytes (already in the data set's byte order). */
    public DicomFixture element(int tag, String vr, byte[] value) {
        header(body, tag, vr, value.length);
        body.writeBytes(value);
        return this;
    }

    /** An element whose header declares {@code declared} bytes while only {@code value} follows. */
    public DicomFixture lyingElement(int tag, String vr, long declared, byte[] value) {
        header(body, tag, vr, declared);
        body.writeBytes(value);
        return this;
    }

    /** An undefined-length sequence holding one undefined-length item with the given text attribute. */
    public DicomFixture sequence(int tag, int innerTag, String innerVr, String innerValue) {
        header(body, tag, "SQ", 0xFFFF_FFFFL);
        writeTag(body, Tags.ITEM);
        writeInt(body, 0xFFFF_FFFFL);
        byte[] v = innerValue.getBytes(StandardCharsets.ISO_8859_1);
        header(body, innerTag, innerVr, v.length);
        body.writeBytes(v);
        writeTag(body, Tags.ITEM_DELIMITER);
        writeInt(body, 0);
        writeTag(body, Tags.SEQUENCE_DELIMITER);
        writeInt(body, 0);
        return this;
    }

    /** Native pixel data: samples in order (frame, row, column, sample), each {@code bits} wide, raw bit patterns. */
    public DicomFixture nativePixels(long[] samples, int bits) {
        int n = bits / 8;
        byte[] v = new byte[samples.length * n + (samples.length * n) % 2];
        for (int i = 0; i < samples.length; i++) {
            for (int k = 0; k < n; k++) {
                int shift = bigEndian ? 8 * (n - 1 - k) : 8 * k;
                v[i * n + k] = (byte) (samples[i] >>> shift);
            }
        }
        return element(Tags.PIXEL_DATA, bits == 8 ? "OB" : "OW", v);
    }

    /** Encapsulated pixel data: an empty basic offset table, then one fragment per array. */
    public DicomFixture encapsulatedPixels(List<byte[]> fragments) {
        header(body, Tags.PIXEL_DATA, "OB", 0xFFFF_FFFFL);
        writeTag(body, Tags.ITEM);
        writeInt(body, 0);
        for (byte[] f : fragments) {
            writeTag(body, Tags.ITEM);
            byte[] even = f.length % 2 == 0 ? f : java.util.Arrays.copyOf(f, f.length + 1);
            writeInt(body, even.length);
            body.writeBytes(even);
        }
        writeTag(body, Tags.SEQUENCE_DELIMITER);
        writeInt(body, 0);
        return this;
    }

    /** The Image Pixel module's attributes. */
    public DicomFixture image(int rows, int columns, int frames, int samples, int bitsAllocated, int bitsStored,
                              boolean signed, String photometric) {
        us(Tags.SAMPLES_PER_PIXEL, samples);
        string(Tags.PHOTOMETRIC_INTERPRETATION, "CS", photometric);
        if (frames != 1) {
            string(Tags.NUMBER_OF_FRAMES, "IS", Integer.toString(frames));
        }
        us(Tags.ROWS, rows);
        us(Tags.COLUMNS, columns);
        us(Tags.BITS_ALLOCATED, bitsAllocated);
        us(Tags.BITS_STORED, bitsStored);
        us(Tags.HIGH_BIT, bitsStored - 1);
        us(Tags.PIXEL_REPRESENTATION, signed ? 1 : 0);
        return this;
    }

    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (preamble) {
            out.writeBytes(new byte[128]);
            out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        }
        // the file meta group is always explicit VR little endian
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        byte[] ts = (transferSyntaxUid + (transferSyntaxUid.length() % 2 == 1 ? "\0" : "")).getBytes(StandardCharsets.US_ASCII);
        metaElement(meta, 0x0002_0010, "UI", ts);
        metaElement(out, 0x0002_0000, "UL", new byte[] {(byte) meta.size(), (byte) (meta.size() >> 8), 0, 0});
        out.writeBytes(meta.toByteArray());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    public Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }

    private static void metaElement(ByteArrayOutputStream out, int tag, String vr, byte[] value) {
        out.write(tag >>> 16 & 0xFF);
        out.write(tag >>> 24 & 0xFF);
        out.write(tag & 0xFF);
        out.write(tag >>> 8 & 0xFF);
        out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
        out.write(value.length & 0xFF);
        out.write(value.length >> 8 & 0xFF);
        out.writeBytes(value);
    }

    private void header(ByteArrayOutputStream out, int tag, String vr, long length) {
        writeTag(out, tag);
        if (explicit) {
            out.writeBytes(vr.getBytes(StandardCharsets.US_ASCII));
            if (LONG_VRS.contains(vr)) {
                out.write(0);
                out.write(0);
                writeInt(out, length);
            } else {
                writeShort(out, (int) length);
            }
        } else {
            writeInt(out, length);
        }
    }

    private void writeTag(ByteArrayOutputStream out, int tag) {
        writeShort(out, tag >>> 16);
        writeShort(out, tag & 0xFFFF);
    }

    private void writeShort(ByteArrayOutputStream out, int v) {
        if (bigEndian) {
            out.write(v >> 8 & 0xFF);
            out.write(v & 0xFF);
        } else {
            out.write(v & 0xFF);
            out.write(v >> 8 & 0xFF);
        }
    }

    private void writeInt(ByteArrayOutputStream out, long v) {
        if (bigEndian) {
            writeShort(out, (int) (v >>> 16));
            writeShort(out, (int) v);
        } else {
            writeShort(out, (int) v);
            writeShort(out, (int) (v >>> 16));
        }
    }

    /**
     * One RLE Lossless frame (PS3.5 G.3): the 64-byte header, then per sample one segment per byte, most
     * significant first. Runs of 3 or more equal bytes become repeat runs; the rest literal runs.
     */
    public static byte[] rleFrame(long[] samples, int samplesPerPixel, int bytesPerSample) {
        int pixels = samples.length / samplesPerPixel;
        List<byte[]> segments = new ArrayList<>();
        for (int s = 0; s < samplesPerPixel; s++) {
            for (int k = bytesPerSample - 1; k >= 0; k--) {
                byte[] plane = new byte[pixels];
                for (int p = 0; p < pixels; p++) {
                    plane[p] = (byte) (samples[p * samplesPerPixel + s] >>> (8 * k));
                }
                segments.add(packBits(plane));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header = new byte[64];
        int offset = 64;
        putLe(header, 0, segments.size());
        for (int i = 0; i < segments.size(); i++) {
            putLe(header, 4 + 4 * i, offset);
            offset += segments.get(i).length;
        }
        out.writeBytes(header);
        segments.forEach(out::writeBytes);
        return out.toByteArray();
    }

    static byte[] packBits(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < in.length) {
            int run = 1;
            while (i + run < in.length && run < 128 && in[i + run] == in[i]) {
                run++;
            }
            if (run >= 3) {
                out.write(1 - run); // -(run - 1)
                out.write(in[i]);
                i += run;
                continue;
            }
            int start = i;
            int len = 0;
            while (i < in.length && len < 128) {
                if (i + 2 < in.length && in[i] == in[i + 1] && in[i] == in[i + 2]) {
                    break;
                }
                i++;
                len++;
            }
            out.write(len - 1);
            out.write(in, start, len);
        }
        // segments are padded to even length (G.3.1)
        if (out.size() % 2 == 1) {
            out.write(-128);
        }
        return out.toByteArray();
    }

    private static void putLe(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
        b[at + 2] = (byte) (v >> 16);
        b[at + 3] = (byte) (v >> 24);
    }
}
