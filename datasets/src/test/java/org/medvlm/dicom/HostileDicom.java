package org.medvlm.dicom;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** DICOM files an outside probe would try, for the tests of every module (the test-jar carries them). */
public final class HostileDicom {
    private HostileDicom() {}

    /** What every identifying value of {@link #everyProfileAttribute} starts with. */
    public static final String SECRET = "SECRET";

    /** The exact tags of PS3.15 Table E.1-1, with the dictionary's VR (UN where it has none). */
    public static Map<Integer, String> profileTags() {
        Map<Integer, String> tags = new TreeMap<>(Integer::compareUnsigned);
        for (Deidentification.ProfileRow row : Deidentification.profile()) {
            String t = row.tag();
            if (t.contains("x") || t.startsWith("(g")) {
                continue;
            }
            int tag = Integer.parseUnsignedInt(t.substring(1, 5) + t.substring(6, 10), 16);
            tags.put(tag, DicomDictionary.vr(tag));
        }
        return tags;
    }

    /**
     * One small image holding every attribute of Table E.1-1 (and instances of its curve, overlay and private rows),
     * each with the value {@code SECRET<tag>} (sequences: an item with it as a person name); {@code everyVrAsLo}
     * writes all of them as LO, as a careless converter might.
     */
    public static byte[] everyProfileAttribute(DicomFixture.Syntax syntax, boolean everyVrAsLo) {
        DicomFixture f = DicomFixture.of(syntax);
        Map<Integer, String> tags = new TreeMap<>(Integer::compareUnsigned);
        tags.putAll(profileTags());
        tags.put(0x5000_3000, "OB");
        tags.put(0x5002_0010, "US");
        tags.put(0x6000_3000, "OB");
        tags.put(0x6002_4000, "LT");
        tags.put(0x0009_0010, "LO");
        tags.put(0x0009_1001, "LO");
        tags.put(0x0029_10FF, "UN");
        for (Map.Entry<Integer, String> e : tags.entrySet()) {
            int tag = e.getKey();
            if (tag >>> 16 == 0x0002) {
                continue; // the file meta group: the fixture writes it, always explicit
            }
            String secret = SECRET + String.format("%08X", tag);
            String vr = everyVrAsLo ? "LO" : e.getValue();
            switch (vr) {
                case "SQ" -> f.sequence(tag, 0x0010_0010, "PN", secret);
                case "US", "SS" -> f.us(tag, 4242);
                case "OB", "OW", "UN" -> f.element(tag, syntax.explicit ? vr : "UN", (secret + "!").getBytes(StandardCharsets.US_ASCII));
                default -> f.string(tag, vr, secret);
            }
        }
        return f.image(1, 1, 1, 1, 8, 8, false, "MONOCHROME2").nativePixels(new long[] {7}, 8).bytes();
    }

    /** RLE Lossless with a 1x1 frame of 8 bits, declaring {@code frames} frames: a few hundred bytes. */
    public static byte[] rleClaimingFrames(int frames) {
        return DicomFixture.encapsulated("1.2.840.10008.1.2.5").string(Tags.MODALITY, "CS", "MR")
                .image(1, 1, frames, 1, 8, 8, false, "MONOCHROME2")
                .encapsulatedPixels(List.of(DicomFixture.rleFrame(new long[] {7}, 1, 1))).bytes();
    }

    /**
     * RLE Lossless of {@code rows x columns} 8-bit pixels that decodes for real (repeat runs of 128 bytes: 64 times
     * smaller than the image, 12 MB for 28,000 x 28,000).
     */
    public static byte[] rleOfSize(int rows, int columns) {
        long pixels = (long) rows * columns;
        java.io.ByteArrayOutputStream seg = new java.io.ByteArrayOutputStream();
        for (long left = pixels; left > 0; left -= 128) {
            int k = (int) Math.min(128, left);
            seg.write(k == 1 ? 0 : 1 - k);
            seg.write(9);
        }
        if (seg.size() % 2 == 1) {
            seg.write(-128);
        }
        byte[] frame = new byte[64 + seg.size()];
        frame[0] = 1;
        frame[4] = 64;
        System.arraycopy(seg.toByteArray(), 0, frame, 64, seg.size());
        return DicomFixture.encapsulated("1.2.840.10008.1.2.5").image(rows, columns, 1, 1, 8, 8, false, "MONOCHROME2")
                .encapsulatedPixels(List.of(frame)).bytes();
    }
}
