package org.medvlm.dicom;

import ij.ImageStack;
import ij.plugin.DICOM;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Uncompressed pixel data read through ImageJ's {@code ij.plugin.DICOM}, for the cases it reads exactly: 8-bit
 * unsigned grey, 16-bit grey whose stored bits fill the 16 allocated, 8-bit RGB (interleaved or planar), in either
 * byte order, one frame or many.
 *
 * <p>ImageJ keeps signed 16-bit data as unsigned by adding 32768 (and moves that into its calibration), so the offset
 * is taken back out here. Anything ImageJ does not open, or opens with a shape other than the header's (for example
 * when ImageJ's "open as 32-bit float" preference is on), comes back empty and the caller decodes the file itself.
 */
final class ImageJDecoder {
    private ImageJDecoder() {}

    static boolean handles(PixelLayout l, TransferSyntax ts) {
        if (ts.encoding() != TransferSyntax.Encoding.NATIVE || l.bitsStored() != l.bitsAllocated()) {
            return false;
        }
        if (l.samplesPerPixel() == 1) {
            return l.bitsAllocated() == 16 || (l.bitsAllocated() == 8 && !l.signed());
        }
        return l.bitsAllocated() == 8 && l.photometric().equals("RGB");
    }

    static Optional<int[]> decode(Path file, PixelLayout l) {
        DICOM dicom = new DICOM();
        dicom.open(file.toString());
        if (dicom.getWidth() != l.columns() || dicom.getHeight() != l.rows() || dicom.getStackSize() != l.frames()) {
            return Optional.empty();
        }
        ImageStack stack = dicom.getStack();
        int pixels = l.rows() * l.columns();
        int spp = l.samplesPerPixel();
        int[] out = new int[(int) l.totalSamples()];
        for (int f = 0; f < l.frames(); f++) {
            ImageProcessor ip = stack.getProcessor(f + 1);
            int base = f * pixels * spp;
            if (spp == 3 && ip instanceof ColorProcessor cp) {
                int[] rgb = (int[]) cp.getPixels();
                for (int p = 0; p < pixels; p++) {
                    out[base + 3 * p] = rgb[p] >> 16 & 0xFF;
                    out[base + 3 * p + 1] = rgb[p] >> 8 & 0xFF;
                    out[base + 3 * p + 2] = rgb[p] & 0xFF;
                }
            } else if (spp == 1 && l.bitsAllocated() == 16 && ip instanceof ShortProcessor sp) {
                short[] v = (short[]) sp.getPixels();
                int offset = l.signed() ? 32768 : 0;
                for (int p = 0; p < pixels; p++) {
                    out[base + p] = (v[p] & 0xFFFF) - offset;
                }
            } else if (spp == 1 && l.bitsAllocated() == 8 && ip instanceof ByteProcessor bp) {
                byte[] v = (byte[]) bp.getPixels();
                for (int p = 0; p < pixels; p++) {
                    out[base + p] = v[p] & 0xFF;
                }
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(out);
    }

    static String version() {
        return "ImageJ " + ij.IJ.getVersion();
    }
}
