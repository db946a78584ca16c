package org.medvlm.dicom;

/**
 * A VOI window: modality values from {@code center - width/2} to {@code center + width/2} spread over 0..255, with
 * the exact linear function of PS3.3 C.11.2.1.2.1 (the one pydicom's {@code apply_voi_lut} uses).
 */
public record Window(double center, double width) {

    public Window {
        if (!(width >= 1) || !Double.isFinite(center) || !Double.isFinite(width)) {
            throw new IllegalArgumentException("window width must be at least 1 and center finite, got center "
                    + center + ", width " + width);
        }
    }

    /** The grey level (0..255) of one modality value. */
    public int apply(double x) {
        double low = center - 0.5 - (width - 1) / 2;
        double high = center - 0.5 + (width - 1) / 2;
        if (x <= low) {
            return 0;
        }
        if (x > high) {
            return 255;
        }
        // width 1 makes low == high, so only the two branches above are reachable
        double y = ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
        return (int) Math.round(Math.min(255, Math.max(0, y)));
    }

    /** The window that maps {@code min} to 0 and {@code max} to 255 (the whole range, when a file names none). */
    public static Window spanning(double min, double max) {
        double width = Math.max(1, max - min) + 1;
        return new Window(min + width / 2, width);
    }

    @Override
    public String toString() {
        return "center " + fmt(center) + ", width " + fmt(width);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
