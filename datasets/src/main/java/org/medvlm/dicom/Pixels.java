package org.medvlm.dicom;

/**
 * The stored pixel values of every frame (what pydicom's {@code ds.pixel_array} holds): integers after masking to
 * BitsStored and sign extension, before any rescale. Samples are interleaved per pixel whatever the file's planar
 * configuration; colour values are the file's own (RGB, or YCbCr for YBR photometrics).
 */
public final class Pixels {
    private final PixelLayout layout;
    private final int[] values;
    private final boolean unsigned32;
    private final String decoder;

    Pixels(PixelLayout layout, int[] values, String decoder) {
        if (values.length != layout.totalSamples()) {
            throw new IllegalArgumentException("expected " + layout.totalSamples() + " samples, got " + values.length);
        }
        this.layout = layout;
        this.values = values;
        this.unsigned32 = !layout.signed() && layout.bitsStored() == 32;
        this.decoder = decoder;
    }

    public PixelLayout layout() {
        return layout;
    }

    /** Which decoder produced these values (ImageJ, or this package's own, and why). */
    public String decoder() {
        return decoder;
    }

    /** The stored value of one sample; {@code long} because 32-bit unsigned values exceed an int. */
    public long stored(int frame, int row, int column, int sample) {
        return value(index(frame, row, column, sample));
    }

    /** Min, max and mean of the stored values over all frames and samples. */
    public PixelStats storedStats() {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        double sum = 0;
        int frameSamples = (int) layout.frameSamples();
        for (int f = 0; f < layout.frames(); f++) {
            long frameSum = 0; // exact per frame: at most 2^31 samples of 32 bits
            for (int i = f * frameSamples, end = i + frameSamples; i < end; i++) {
                long v = value(i);
                min = Math.min(min, v);
                max = Math.max(max, v);
                frameSum += v;
            }
            sum += frameSum;
        }
        return new PixelStats(min, max, sum / values.length);
    }

    long value(int index) {
        int v = values[index];
        return unsigned32 ? Integer.toUnsignedLong(v) : v;
    }

    int index(int frame, int row, int column, int sample) {
        if (frame < 0 || frame >= layout.frames() || row < 0 || row >= layout.rows() || column < 0
                || column >= layout.columns() || sample < 0 || sample >= layout.samplesPerPixel()) {
            throw new IndexOutOfBoundsException("frame " + frame + ", row " + row + ", column " + column + ", sample " + sample
                    + " is outside " + layout.frames() + "x" + layout.rows() + "x" + layout.columns() + "x" + layout.samplesPerPixel());
        }
        return ((frame * layout.rows() + row) * layout.columns() + column) * layout.samplesPerPixel() + sample;
    }

    int[] raw() {
        return values;
    }

    /** Masks a raw sample to BitsStored (below HighBit) and sign-extends it when the representation is signed. */
    static int normalize(long raw, PixelLayout l) {
        int shift = l.highBit() + 1 - l.bitsStored();
        long v = raw >>> shift;
        if (l.bitsStored() < 64) {
            v &= (1L << l.bitsStored()) - 1;
        }
        if (l.signed() && (v & (1L << (l.bitsStored() - 1))) != 0) {
            v -= 1L << l.bitsStored();
        }
        return (int) v;
    }
}
