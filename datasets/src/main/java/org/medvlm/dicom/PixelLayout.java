package org.medvlm.dicom;

import java.util.OptionalInt;
import org.medvlm.io.Limit;

/**
 * How a file's pixels are laid out (Image Pixel module, PS3.3 C.7.6.3), checked for consistency before anything is
 * decoded: sizes in range, bits that add up, and sizes within the budgets: {@link Limit#IMAGE_PIXELS} per frame,
 * {@link Limit#DICOM_SAMPLES} per file; the decoders add half the heap for the decoded values ({@link #checkHeap}).
 *
 * @param signed PixelRepresentation 1: two's complement in {@code bitsStored} bits
 * @param planarConfiguration 0: RGBRGB..., 1: RR..GG..BB.. (native colour data only)
 */
public record PixelLayout(int rows, int columns, int frames, int samplesPerPixel, int bitsAllocated, int bitsStored,
                          int highBit, boolean signed, String photometric, int planarConfiguration) {

    /** Samples in one frame (rows x columns x samples per pixel). */
    public long frameSamples() {
        return (long) rows * columns * samplesPerPixel;
    }

    /** Samples in the whole image. */
    public long totalSamples() {
        return frameSamples() * frames;
    }

    /** Bytes of one uncompressed frame. */
    public long frameBytes() {
        return frameSamples() * (bitsAllocated / 8);
    }

    public boolean monochrome() {
        return photometric.startsWith("MONOCHROME");
    }

    static PixelLayout of(DicomHeader h) throws DicomFormatException {
        String file = h.file();
        int rows = required(h, Tags.ROWS, "Rows", 1, 65535);
        int columns = required(h, Tags.COLUMNS, "Columns", 1, 65535);
        int bitsAllocated = required(h, Tags.BITS_ALLOCATED, "BitsAllocated", 1, 64);
        if (bitsAllocated != 8 && bitsAllocated != 16 && bitsAllocated != 32) {
            throw new DicomFormatException(file, "BitsAllocated " + bitsAllocated + " is not supported (8, 16 or 32)");
        }
        int bitsStored = optional(h, Tags.BITS_STORED, "BitsStored", bitsAllocated, 1, bitsAllocated);
        int highBit = optional(h, Tags.HIGH_BIT, "HighBit", bitsStored - 1, bitsStored - 1, bitsAllocated - 1);
        int samples = optional(h, Tags.SAMPLES_PER_PIXEL, "SamplesPerPixel", 1, 1, 4);
        if (samples != 1 && samples != 3) {
            throw new DicomFormatException(file, "SamplesPerPixel " + samples + " is not supported (1 or 3)");
        }
        int frames = optional(h, Tags.NUMBER_OF_FRAMES, "NumberOfFrames", 1, 1, Integer.MAX_VALUE);
        int pixelRepresentation = optional(h, Tags.PIXEL_REPRESENTATION, "PixelRepresentation", 0, 0, 1);
        int planar = samples > 1 ? optional(h, Tags.PLANAR_CONFIGURATION, "PlanarConfiguration", 0, 0, 1) : 0;
        String photometric = h.string(Tags.PHOTOMETRIC_INTERPRETATION).orElse(samples == 1 ? "MONOCHROME2" : "RGB").strip();
        if (samples == 1 && !photometric.startsWith("MONOCHROME") && !photometric.equals("PALETTE COLOR")) {
            throw new DicomFormatException(file, "PhotometricInterpretation " + photometric + " with 1 sample per pixel");
        }
        if (photometric.equals("PALETTE COLOR")) {
            throw new DicomFormatException(file, "PhotometricInterpretation PALETTE COLOR is not supported");
        }
        if (samples == 3 && !(photometric.equals("RGB") || photometric.startsWith("YBR"))) {
            throw new DicomFormatException(file, "PhotometricInterpretation " + photometric + " with 3 samples per pixel is not supported");
        }
        PixelLayout layout = new PixelLayout(rows, columns, frames, samples, bitsAllocated, bitsStored, highBit,
                pixelRepresentation == 1, photometric, planar);
        // refused before anything is allocated: a 542-byte file may claim 600,000,000 frames of 28,000 x 28,000
        if (Limit.IMAGE_PIXELS.exceededBy((long) rows * columns)) {
            throw new DicomFormatException(file, rows + "x" + columns + " pixels per frame is too large to decode "
                    + Limit.IMAGE_PIXELS.hint());
        }
        if (Limit.DICOM_SAMPLES.exceededBy(layout.totalSamples())) {
            throw new DicomFormatException(file, rows + "x" + columns + "x" + samples + " samples in " + frames
                    + " frames is too many to decode " + Limit.DICOM_SAMPLES.hint());
        }
        if (layout.totalSamples() > Integer.MAX_VALUE - 16L) {
            throw new DicomFormatException(file, rows + "x" + columns + "x" + samples + " samples in " + frames
                    + " frames is more than one Java array holds (2^31)");
        }
        return layout;
    }

    /**
     * Refuses a decode whose values (an int per sample) and one rendered frame (an int per pixel) would take more
     * than half the heap; the decoders call it after the pixel data is known to hold what the header claims.
     */
    void checkHeap(String file) throws DicomFormatException {
        String heap = Limit.heapProblem("decoding " + frames + " frame(s) of " + rows + "x" + columns + "x" + samplesPerPixel,
                4 * totalSamples() + 4L * rows * columns);
        if (heap != null) {
            throw new DicomFormatException(file, heap);
        }
    }

    private static int required(DicomHeader h, int tag, String keyword, int min, int max) throws DicomFormatException {
        if (!h.contains(tag) || h.find(tag).get().length() == 0) {
            throw new DicomFormatException(h.file(), "no " + keyword + " " + Tags.format(tag) + ": not an image, or a damaged header");
        }
        return optional(h, tag, keyword, min, min, max);
    }

    private static int optional(DicomHeader h, int tag, String keyword, int fallback, int min, int max) throws DicomFormatException {
        if (!h.contains(tag) || h.find(tag).get().length() == 0) {
            return fallback;
        }
        OptionalInt v = h.integer(tag);
        if (v.isEmpty() || v.getAsInt() < min || v.getAsInt() > max) {
            throw new DicomFormatException(h.file(), keyword + " " + Tags.format(tag) + " is "
                    + h.find(tag).map(h::display).orElse("?") + ", expected " + min + ".." + max);
        }
        return v.getAsInt();
    }
}
