package org.medvlm.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.List;

/**
 * Image preprocessing that travels with a vision tower's weights, as open_clip's transform for
 * BiomedCLIP: convert to RGB, resize the short side to {@code size} with bicubic interpolation (the long
 * side to {@code int(size * long / short)}, as torchvision), centre-crop {@code size}×{@code size}, scale
 * to [0, 1] and normalise with the OpenAI CLIP mean/std.
 *
 * <p>The resize is Pillow's separable bicubic ({@code a = -0.5}, the kernel widened by the scale
 * when shrinking, so it antialiases), horizontal pass then vertical, in Pillow's 22-bit fixed point with
 * 8-bit rounding between the passes, so results match Pillow's rather than Java2D's bicubic (which does
 * not antialias and would alias on a 2000-pixel radiograph).
 *
 * @param size output height and width (224)
 * @param mean per-channel mean on the [0, 1] scale
 * @param std per-channel standard deviation on the [0, 1] scale
 */
public record Preprocess(int size, float[] mean, float[] std) {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    public Preprocess {
        if (size <= 0 || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("size must be positive and mean/std have 3 channels");
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** BiomedCLIP's: 224, bicubic, OpenAI CLIP mean (0.48145466, 0.4578275, 0.40821073) and std. */
    public static Preprocess biomedClip() {
        return new Preprocess(224, new float[] {0.48145466f, 0.4578275f, 0.40821073f},
                new float[] {0.26862954f, 0.26130258f, 0.27577711f});
    }

    /** One image as a [1, 3, size, size] float32 tensor on {@code manager}'s device. */
    public NDArray apply(BufferedImage image, NDManager manager) {
        return manager.create(pixels(image), new Shape(1, 3, size, size));
    }

    /** Several images as one [B, 3, size, size] batch. */
    public NDArray apply(List<BufferedImage> images, NDManager manager) {
        int plane = 3 * size * size;
        float[] all = new float[images.size() * plane];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(pixels(images.get(i)), 0, all, i * plane, plane);
        }
        return manager.create(all, new Shape(images.size(), 3, size, size));
    }

    /** The normalised pixels in CHW order, 3 × size × size. */
    public float[] pixels(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int shortSide = Math.min(w, h);
        int longSide = (int) ((long) size * Math.max(w, h) / shortSide);
        int outW = w <= h ? size : longSide;
        int outH = w <= h ? longSide : size;
        int[] resized = resize(rgb(image), w, h, outW, outH);
        float[] out = new float[3 * size * size];
        // torchvision's CenterCrop rounds half to even, like Python's round()
        int top = (int) Math.rint((outH - size) / 2.0);
        int left = (int) Math.rint((outW - size) / 2.0);
        int plane = size * size;
        float[] scale = new float[3];
        float[] shift = new float[3];
        for (int c = 0; c < 3; c++) {
            scale[c] = 1f / (255f * std[c]);
            shift[c] = mean[c] / std[c];
        }
        for (int y = 0; y < size; y++) {
            int row = (y + top) * outW + left;
            for (int x = 0; x < size; x++) {
                int p = resized[row + x];
                int i = y * size + x;
                out[i] = ((p >> 16) & 0xff) * scale[0] - shift[0];
                out[plane + i] = ((p >> 8) & 0xff) * scale[1] - shift[1];
                out[2 * plane + i] = (p & 0xff) * scale[2] - shift[2];
            }
        }
        return out;
    }

    /** Packed 0xRRGGBB pixels; grey images are read from the raster, not through a colour space. */
    static int[] rgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        if (raster.getNumBands() == 1) {
            int bits = image.getColorModel().getComponentSize(0);
            int[] grey = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            int shift = Math.max(0, bits - 8);
            for (int i = 0; i < grey.length; i++) {
                int v = (grey[i] >>> shift) & 0xff;
                grey[i] = v << 16 | v << 8 | v;
            }
            return grey;
        }
        // alpha is dropped, as Pillow's convert("RGB") does
        return image.getRGB(0, 0, w, h, null, 0, w);
    }

    /**
     * Pillow's bicubic resize of packed RGB: horizontal pass, then vertical, each channel rounded to 8
     * bits in between. Pillow sums in 32-bit ints; the bicubic weights' absolute sum stays under 2, so
     * 255 × 2^22 × 2 fits.
     */
    static int[] resize(int[] src, int w, int h, int outW, int outH) {
        int[] horizontal = src;
        if (outW != w) {
            horizontal = new int[outW * h];
            Taps t = taps(w, outW);
            for (int y = 0; y < h; y++) {
                int row = y * w;
                for (int x = 0; x < outW; x++) {
                    int r = HALF;
                    int g = HALF;
                    int b = HALF;
                    int at = row + t.start[x];
                    int off = x * t.width;
                    for (int k = 0, n = t.count[x]; k < n; k++) {
                        int p = src[at + k];
                        int c = t.coef[off + k];
                        r += ((p >> 16) & 0xff) * c;
                        g += ((p >> 8) & 0xff) * c;
                        b += (p & 0xff) * c;
                    }
                    horizontal[y * outW + x] = clip8(r) << 16 | clip8(g) << 8 | clip8(b);
                }
            }
        }
        if (outH == h) {
            return horizontal;
        }
        int[] out = new int[outW * outH];
        Taps t = taps(h, outH);
        int[] r = new int[outW];
        int[] g = new int[outW];
        int[] b = new int[outW];
        for (int y = 0; y < outH; y++) {
            java.util.Arrays.fill(r, HALF);
            java.util.Arrays.fill(g, HALF);
            java.util.Arrays.fill(b, HALF);
            int off = y * t.width;
            // row by row, so the inner loop walks memory in order
            for (int k = 0, n = t.count[y]; k < n; k++) {
                int c = t.coef[off + k];
                int row = (t.start[y] + k) * outW;
                for (int x = 0; x < outW; x++) {
                    int p = horizontal[row + x];
                    r[x] += ((p >> 16) & 0xff) * c;
                    g[x] += ((p >> 8) & 0xff) * c;
                    b[x] += (p & 0xff) * c;
                }
            }
            for (int x = 0; x < outW; x++) {
                out[y * outW + x] = clip8(r[x]) << 16 | clip8(g[x]) << 8 | clip8(b[x]);
            }
        }
        return out;
    }

    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private static int clip8(int ss) {
        int v = ss >> PRECISION_BITS;
        return v < 0 ? 0 : v > 255 ? 255 : v;
    }

    private record Taps(int[] start, int[] count, int[] coef, int width) {}

    private static double bicubic(double x) {
        double a = -0.5;
        x = Math.abs(x);
        if (x < 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0;
    }

    /** Per output pixel: first input pixel, tap count and fixed-point weights (Pillow's precompute_coeffs). */
    private static Taps taps(int in, int out) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = 2.0 * filterScale;
        int width = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[out];
        int[] count = new int[out];
        int[] coef = new int[out * width];
        double[] k = new double[width];
        for (int xx = 0; xx < out; xx++) {
            double center = (xx + 0.5) * scale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), in) - xmin;
            double total = 0;
            for (int x = 0; x < xmax; x++) {
                double w = bicubic((x + xmin - center + 0.5) / filterScale);
                k[x] = w;
                total += w;
            }
            for (int x = 0; x < xmax; x++) {
                double v = total == 0 ? 0 : k[x] / total;
                double scaled = v * (1 << PRECISION_BITS);
                coef[xx * width + x] = (int) (v < 0 ? scaled - 0.5 : scaled + 0.5);
            }
            start[xx] = xmin;
            count[xx] = xmax;
        }
        return new Taps(start, count, coef, width);
    }
}
