package org.medvlm.dicom;

import java.nio.ByteOrder;

/**
 * Uncompressed pixel data decoded by this package: any byte order, 8/16/32 bits, planar or interleaved colour,
 * YBR_FULL_422 pairs. It decodes the cases ImageJ gets wrong (32-bit values, which ImageJ turns into floats and so
 * rounds above 2^24; stored bits narrower than allocated, which ImageJ neither masks nor sign-extends) and is the
 * reference ImageJ's result is checked against.
 */
final class NativeDecoder {
    private NativeDecoder() {}

    static Pixels decode(DicomHeader h, PixelLayout l, String why) throws DicomFormatException {
        DicomElement px = h.find(Tags.PIXEL_DATA).orElseThrow(() -> noPixelData(h));
        boolean ybr422 = l.photometric().equals("YBR_FULL_422");
        if (ybr422 && l.bitsAllocated() != 8) {
            throw new DicomFormatException(h.file(), "YBR_FULL_422 with " + l.bitsAllocated() + " bits is not supported");
        }
        // 4:2:2 stores two luma samples and one Cb, Cr pair for every two pixels: two thirds of the full size
        long needed = ybr422 ? l.frameBytes() * 2 / 3 * l.frames() : l.frameBytes() * l.frames();
        if (px.length() < needed) {
            throw new DicomFormatException(h.file(), "pixel data holds " + px.length() + " bytes but " + l.rows() + "x"
                    + l.columns() + "x" + l.samplesPerPixel() + " samples of " + l.bitsAllocated() + " bits in "
                    + l.frames() + " frame(s) need " + needed);
        }
        l.checkHeap(h.file());
        byte[] b = h.bytes();
        int[] out = new int[(int) l.totalSamples()];
        int bytesPerSample = l.bitsAllocated() / 8;
        boolean little = h.transferSyntax().order() == ByteOrder.LITTLE_ENDIAN;
        int pixels = l.rows() * l.columns();
        int spp = l.samplesPerPixel();
        if (ybr422) {
            decodeYbr422(b, px.offset(), l, out);
            return new Pixels(l, out, why);
        }
        if (l.planarConfiguration() == 0 && bytesPerSample == 2 && l.bitsStored() == 16) {
            // the usual CT/MR case, in one pass without per-sample masking
            int at = px.offset();
            for (int i = 0; i < out.length; i++, at += 2) {
                int v = little ? (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 : (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
                out[i] = l.signed() ? (short) v : v;
            }
            return new Pixels(l, out, why);
        }
        for (int f = 0; f < l.frames(); f++) {
            long frameStart = px.offset() + (long) f * l.frameBytes();
            int base = f * pixels * spp;
            for (int p = 0; p < pixels; p++) {
                for (int s = 0; s < spp; s++) {
                    // planar configuration 1 stores each colour plane whole, one after the other
                    long sampleIndex = l.planarConfiguration() == 1 ? (long) s * pixels + p : (long) p * spp + s;
                    int at = (int) (frameStart + sampleIndex * bytesPerSample);
                    out[base + p * spp + s] = Pixels.normalize(read(b, at, bytesPerSample, little), l);
                }
            }
        }
        return new Pixels(l, out, why);
    }

    private static void decodeYbr422(byte[] b, int offset, PixelLayout l, int[] out) {
        int pixels = l.rows() * l.columns();
        for (int f = 0; f < l.frames(); f++) {
            int in = offset + f * (pixels * 2);
            int o = f * pixels * 3;
            for (int p = 0; p < pixels; p += 2) {
                int y1 = b[in] & 0xFF, y2 = b[in + 1] & 0xFF, cb = b[in + 2] & 0xFF, cr = b[in + 3] & 0xFF;
                in += 4;
                out[o++] = y1; out[o++] = cb; out[o++] = cr;
                if (p + 1 < pixels) {
                    out[o++] = y2; out[o++] = cb; out[o++] = cr;
                }
            }
        }
    }

    static long read(byte[] b, int at, int n, boolean little) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            int k = little ? n - 1 - i : i;
            v = v << 8 | (b[at + k] & 0xFF);
        }
        return v;
    }

    static DicomFormatException noPixelData(DicomHeader h) {
        if (h.contains(Tags.FLOAT_PIXEL_DATA) || h.contains(Tags.DOUBLE_FLOAT_PIXEL_DATA)) {
            return new DicomFormatException(h.file(), "float pixel data (7FE0,0008/0009) is not supported");
        }
        return new DicomFormatException(h.file(), "no pixel data (7FE0,0010): not an image");
    }
}
