package org.medvlm.imaging;

/**
 * Pillow's {@code Image.resize(..., BICUBIC)} for 8-bit images ({@code libImaging/Resample.c}),
 * reproduced to the bit: a separable convolution with the cubic kernel of a = -0.5, widened by the
 * scale when shrinking (so it anti-aliases), coefficients rounded to 22-bit fixed point, the horizontal
 * pass first and its result rounded and clipped to 8 bits before the vertical pass. This is what
 * torchvision's {@code Resize} does to a PIL image, and so what open_clip's (BiomedCLIP's) preprocessing
 * feeds the model.
 *
 * <p>Only the output pixels inside a crop window are computed, so resize-then-centre-crop costs the
 * crop's pixels, and the horizontal pass runs only on the input rows the crop needs.
 */
final class PilBicubic {
    private PilBicubic() {}

    static final int PRECISION_BITS = 32 - 8 - 2;

    /** Coefficients of one axis: for each output index, the first input index, the tap count and the taps. */
    record Axis(int[] start, int[] count, int[] taps, int ksize) {}

    static double cubic(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /**
     * Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for resizing {@code inSize} to
     * {@code outSize}, kept only for outputs {@code from} to {@code from + n - 1}.
     */
    static Axis axis(int inSize, int outSize, int from, int n) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = 2.0 * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[n];
        int[] count = new int[n];
        int[] taps = new int[n * ksize];
        double[] k = new double[ksize];
        for (int o = 0; o < n; o++) {
            int xx = from + o;
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = cubic((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                // (int) truncates toward zero, as C's cast does
                taps[o * ksize + x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                        : (int) (0.5 + w * (1 << PRECISION_BITS));
            }
            start[o] = xmin;
            count[o] = xmax;
        }
        return new Axis(start, count, taps, ksize);
    }

    static int clip8(int in) {
        if (in >= (1 << PRECISION_BITS << 8)) {
            return 255;
        }
        if (in <= 0) {
            return 0;
        }
        return in >> PRECISION_BITS;
    }

    /**
     * Resizes an interleaved 8-bit image ({@code channels} bytes per pixel, rows of {@code stride}
     * bytes) to {@code outW x outH} and returns the window {@code [left, left + cropW) x [top, top + cropH)}
     * of the result, interleaved, one int 0..255 per sample. {@code channelOffsets} picks and orders the
     * channels to resample (for BGR data, {2, 1, 0} gives RGB).
     */
    static int[] resizeCrop(byte[] src, int width, int height, int stride, int channels, int[] channelOffsets,
            int outW, int outH, int left, int top, int cropW, int cropH) {
        int nc = channelOffsets.length;
        Axis hx = axis(width, outW, left, cropW);
        Axis vy = axis(height, outH, top, cropH);
        boolean needH = outW != width;
        boolean needV = outH != height;

        // input rows the vertical pass reads
        int rowFirst = vy.start()[0];
        int rowLast = rowFirst;
        for (int o = 0; o < cropH; o++) {
            rowLast = Math.max(rowLast, vy.start()[o] + vy.count()[o]);
        }
        if (!needV) {
            rowFirst = top;
            rowLast = top + cropH;
        }
        int rows = rowLast - rowFirst;

        // horizontal pass, rounded to 8 bits as Pillow's intermediate image is; each row's channel is
        // first unpacked to ints so that every output is a contiguous dot product the JIT vectorises
        int[] tmp = new int[rows * cropW * nc];
        int half = 1 << (PRECISION_BITS - 1);
        int[] row = new int[width];
        int[] taps = hx.taps();
        int ksize = hx.ksize();
        for (int r = 0; r < rows; r++) {
            int rowBase = (rowFirst + r) * stride;
            int outBase = r * cropW * nc;
            for (int c = 0; c < nc; c++) {
                int off = rowBase + channelOffsets[c];
                if (!needH) {
                    for (int o = 0; o < cropW; o++) {
                        tmp[outBase + o * nc + c] = src[off + (left + o) * channels] & 0xff;
                    }
                    continue;
                }
                for (int x = 0, p = off; x < width; x++, p += channels) {
                    row[x] = src[p] & 0xff;
                }
                for (int o = 0; o < cropW; o++) {
                    int xmin = hx.start()[o];
                    int n = hx.count()[o];
                    int kb = o * ksize;
                    int ss = half;
                    for (int x = 0; x < n; x++) {
                        ss += row[xmin + x] * taps[kb + x];
                    }
                    tmp[outBase + o * nc + c] = clip8(ss);
                }
            }
        }
        if (!needV) {
            return tmp;
        }
        int[] out = new int[cropH * cropW * nc];
        int line = cropW * nc;
        int[] vtaps = vy.taps();
        int[] acc = new int[line];
        for (int o = 0; o < cropH; o++) {
            int ymin = vy.start()[o] - rowFirst;
            int n = vy.count()[o];
            int kb = o * vy.ksize();
            java.util.Arrays.fill(acc, half);
            // tap by tap over whole rows: sequential memory, and a loop the JIT vectorises
            for (int y = 0; y < n; y++) {
                int k = vtaps[kb + y];
                int rowStart = (ymin + y) * line;
                for (int i = 0; i < line; i++) {
                    acc[i] += tmp[rowStart + i] * k;
                }
            }
            int ob = o * line;
            for (int i = 0; i < line; i++) {
                out[ob + i] = clip8(acc[i]);
            }
        }
        return out;
    }
}
