package org.medvlm.dicom;

import java.util.List;

/**
 * RLE Lossless (PS3.5 Annex G). Each frame is one fragment: a 64-byte header (segment count, then up to 15 segment
 * offsets, little endian) and the segments. A segment is one byte plane, run-length coded like PackBits: a control
 * byte n in 0..127 copies the next n+1 bytes, n in -127..-1 repeats the next byte 1-n times, -128 does nothing.
 * Segments go sample by sample, and within a sample from the most significant byte to the least (G.2).
 */
final class RleDecoder {
    private RleDecoder() {}

    static Pixels decode(DicomHeader h, PixelLayout l) throws DicomFormatException {
        List<byte[]> frames = EncapsulatedFrames.split(h, l);
        int bytesPerSample = l.bitsAllocated() / 8;
        int spp = l.samplesPerPixel();
        int pixels = l.rows() * l.columns();
        int segments = spp * bytesPerSample;
        for (int f = 0; f < frames.size(); f++) {
            // a repeat run turns 2 bytes into at most 128: a frame claiming more is damaged, and is refused before
            // anything of its claimed size is allocated
            if ((long) pixels > 64L * frames.get(f).length) {
                throw new DicomFormatException(h.file(), "RLE frame " + f + " holds " + frames.get(f).length
                        + " bytes, too few for " + l.rows() + "x" + l.columns() + " pixels");
            }
        }
        l.checkHeap(h.file());
        int[] out = new int[(int) l.totalSamples()];
        int[] raw = new int[pixels]; // at most 4 bytes a sample: the bits as an int, read back unsigned
        byte[] plane = new byte[pixels];
        for (int f = 0; f < frames.size(); f++) {
            byte[] data = frames.get(f);
            String where = "RLE frame " + f;
            if (data.length < 64) {
                throw new DicomFormatException(h.file(), where + " is " + data.length + " bytes, shorter than the 64-byte RLE header");
            }
            long count = NativeDecoder.read(data, 0, 4, true);
            if (count != segments) {
                throw new DicomFormatException(h.file(), where + " has " + count + " segments, expected " + segments
                        + " (" + spp + " sample(s) of " + bytesPerSample + " byte(s))");
            }
            for (int s = 0; s < spp; s++) {
                java.util.Arrays.fill(raw, 0);
                for (int k = 0; k < bytesPerSample; k++) {
                    int seg = s * bytesPerSample + k; // k = 0 is the most significant byte
                    long start = NativeDecoder.read(data, 4 + 4 * seg, 4, true);
                    long end = seg + 1 < segments ? NativeDecoder.read(data, 8 + 4 * seg, 4, true) : data.length;
                    if (start < 64 || end > data.length || start > end) {
                        throw new DicomFormatException(h.file(), where + " segment " + seg + " has offsets " + start + ".." + end
                                + " outside its " + data.length + " bytes");
                    }
                    unpackBits(data, (int) start, (int) end, plane, h.file(), where + " segment " + seg);
                    for (int p = 0; p < pixels; p++) {
                        raw[p] = raw[p] << 8 | (plane[p] & 0xFF);
                    }
                }
                int base = f * pixels * spp;
                for (int p = 0; p < pixels; p++) {
                    out[base + p * spp + s] = Pixels.normalize(Integer.toUnsignedLong(raw[p]), l);
                }
            }
        }
        return new Pixels(l, out, "medvlm RLE Lossless decoder");
    }

    /** Fills {@code out} exactly from the segment; bytes left over once it is full are padding and ignored. */
    static void unpackBits(byte[] in, int pos, int end, byte[] out, String file, String where) throws DicomFormatException {
        int o = 0;
        while (o < out.length && pos < end) {
            int n = in[pos++];
            if (n >= 0) {
                int len = n + 1;
                if (pos + len > end || o + len > out.length) {
                    throw new DicomFormatException(file, where + ": a literal run of " + len + " bytes overruns the "
                            + (pos + len > end ? "segment" : "frame"));
                }
                System.arraycopy(in, pos, out, o, len);
                pos += len;
                o += len;
            } else if (n != -128) {
                int len = 1 - n;
                if (pos >= end || o + len > out.length) {
                    throw new DicomFormatException(file, where + ": a repeat run of " + len + " bytes overruns the "
                            + (pos >= end ? "segment" : "frame"));
                }
                java.util.Arrays.fill(out, o, o + len, in[pos++]);
                o += len;
            }
        }
        if (o < out.length) {
            throw new DicomFormatException(file, where + " decodes to " + o + " bytes, expected " + out.length);
        }
    }
}
