package org.medvlm.dicom;

/** Minimum, maximum and mean of a set of pixel values. */
public record PixelStats(double min, double max, double mean) {

    /** The statistics of {@code slope * v + intercept}: a linear map, so they need no second pass. */
    public PixelStats rescaled(double slope, double intercept) {
        double a = min * slope + intercept;
        double b = max * slope + intercept;
        return new PixelStats(Math.min(a, b), Math.max(a, b), mean * slope + intercept);
    }
}
