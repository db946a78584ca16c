package org.medvlm.dicom;

import java.nio.ByteOrder;
import java.util.Map;

/**
 * A transfer syntax: how the data set after the file meta group is encoded, and how its pixel data is compressed.
 * Every syntax this package does not decode still has its name, so a refusal says what the file is.
 */
public record TransferSyntax(String uid, String name, boolean explicitVr, ByteOrder order, Encoding encoding) {

    /** How the pixel data is stored. */
    public enum Encoding {
        /** Uncompressed ("native") pixel data. */
        NATIVE,
        /** Encapsulated RLE Lossless (PS3.5 Annex G). */
        RLE,
        /** Encapsulated JPEG baseline, process 1 (8-bit, lossy). */
        JPEG_BASELINE,
        /** A syntax this package names but does not decode. */
        UNSUPPORTED
    }

    public static final TransferSyntax IMPLICIT_VR_LE =
            new TransferSyntax("1.2.840.10008.1.2", "Implicit VR Little Endian", false, ByteOrder.LITTLE_ENDIAN, Encoding.NATIVE);
    public static final TransferSyntax EXPLICIT_VR_LE =
            new TransferSyntax("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, ByteOrder.LITTLE_ENDIAN, Encoding.NATIVE);
    public static final TransferSyntax EXPLICIT_VR_BE =
            new TransferSyntax("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, ByteOrder.BIG_ENDIAN, Encoding.NATIVE);
    public static final TransferSyntax RLE_LOSSLESS =
            new TransferSyntax("1.2.840.10008.1.2.5", "RLE Lossless", true, ByteOrder.LITTLE_ENDIAN, Encoding.RLE);
    public static final TransferSyntax JPEG_BASELINE =
            new TransferSyntax("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true, ByteOrder.LITTLE_ENDIAN, Encoding.JPEG_BASELINE);

    // names from PS3.6 Table A-1; all of these encode the data set as explicit VR little endian
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian"),
            Map.entry("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"),
            Map.entry("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)"),
            Map.entry("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])"),
            Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression"),
            Map.entry("1.2.840.10008.1.2.4.94", "JPIP Referenced"),
            Map.entry("1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate"),
            Map.entry("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level"),
            Map.entry("1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level"),
            Map.entry("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1"),
            Map.entry("1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1"),
            Map.entry("1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video"),
            Map.entry("1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video"),
            Map.entry("1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2"),
            Map.entry("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1"),
            Map.entry("1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1"),
            Map.entry("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)"),
            Map.entry("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression"));

    /** The syntax a UID names; an unknown UID is kept, named "unknown transfer syntax" and not decoded. */
    public static TransferSyntax of(String uid) {
        for (TransferSyntax ts : new TransferSyntax[] {IMPLICIT_VR_LE, EXPLICIT_VR_LE, EXPLICIT_VR_BE, RLE_LOSSLESS, JPEG_BASELINE}) {
            if (ts.uid.equals(uid)) {
                return ts;
            }
        }
        String name = NAMED.getOrDefault(uid, "unknown transfer syntax");
        return new TransferSyntax(uid, name, true, ByteOrder.LITTLE_ENDIAN, Encoding.UNSUPPORTED);
    }

    /** True where the pixel data is a sequence of fragments rather than one value. */
    public boolean encapsulated() {
        return encoding != Encoding.NATIVE;
    }

    @Override
    public String toString() {
        return uid + " (" + name + ")";
    }
}
