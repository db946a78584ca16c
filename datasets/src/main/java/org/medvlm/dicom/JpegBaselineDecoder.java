package org.medvlm.dicom;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.Raster;

/**
 * JPEG baseline (process 1, 8-bit) frames through Java's ImageIO. The raster is read without colour conversion, so
 * the stored values are the file's components (YCbCr for YBR_FULL / YBR_FULL_422, as pydicom's pixel_array keeps
 * them); conversion to RGB happens when rendering. Lossy: another decoder's IDCT may differ by a level or two.
 */
final class JpegBaselineDecoder {
    private JpegBaselineDecoder() {}

    static Pixels decode(DicomHeader h, PixelLayout l) throws DicomFormatException {
        if (l.bitsAllocated() != 8) {
            throw new DicomFormatException(h.file(), "JPEG baseline with BitsAllocated " + l.bitsAllocated() + " (expected 8)");
        }
        List<byte[]> frames = EncapsulatedFrames.split(h, l);
        int spp = l.samplesPerPixel();
        int pixels = l.rows() * l.columns();
        for (int f = 0; f < frames.size(); f++) {
            // even a flat image costs a few bits per 8x8 block: a frame far smaller than that is damaged, and is
            // refused before its claimed size is allocated
            if ((long) pixels * spp > 1024L * frames.get(f).length + (1 << 20)) {
                throw new DicomFormatException(h.file(), "JPEG frame " + f + " holds " + frames.get(f).length
                        + " bytes, too few for " + l.rows() + "x" + l.columns() + " pixels");
            }
        }
        l.checkHeap(h.file());
        int[] out = new int[(int) l.totalSamples()];
        for (int f = 0; f < frames.size(); f++) {
            Raster raster = readRaster(h, l, frames.get(f), f);
            int[] row = new int[l.columns() * spp];
            for (int y = 0; y < l.rows(); y++) {
                raster.getPixels(raster.getMinX(), raster.getMinY() + y, l.columns(), 1, row);
                System.arraycopy(row, 0, out, (f * l.rows() + y) * l.columns() * spp, row.length);
            }
        }
        return new Pixels(l, out, "Java ImageIO JPEG baseline decoder");
    }

    private static Raster readRaster(DicomHeader h, PixelLayout l, byte[] data, int frame) throws DicomFormatException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
        if (!readers.hasNext()) {
            throw new DicomFormatException(h.file(), "this Java runtime has no JPEG decoder");
        }
        ImageReader reader = readers.next();
        // a memory stream: ImageIO's default for streams caches them in a temporary file
        try (ImageInputStream in = new javax.imageio.stream.MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            int w = reader.getWidth(0);
            int hgt = reader.getHeight(0);
            if (w != l.columns() || hgt != l.rows()) {
                throw new DicomFormatException(h.file(), "JPEG frame " + frame + " is " + w + "x" + hgt
                        + " but the header says " + l.columns() + "x" + l.rows());
            }
            java.util.List<String> warnings = new java.util.ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            Raster raster = reader.readRaster(0, null);
            if (!warnings.isEmpty()) {
                // ImageIO fills what is missing with grey and only warns: a cut frame is refused, not shown
                throw new DicomFormatException(h.file(), "JPEG frame " + frame + " is truncated or corrupt ("
                        + warnings.get(0).replaceAll("\\s+", " ").strip() + ")");
            }
            if (raster.getNumBands() != l.samplesPerPixel()) {
                throw new DicomFormatException(h.file(), "JPEG frame " + frame + " has " + raster.getNumBands()
                        + " components but SamplesPerPixel is " + l.samplesPerPixel());
            }
            return raster;
        } catch (DicomFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new DicomFormatException(h.file(), "JPEG frame " + frame + " cannot be decoded: "
                    + String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip(), e);
        } finally {
            reader.dispose();
        }
    }
}
