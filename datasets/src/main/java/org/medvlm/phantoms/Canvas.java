package org.medvlm.phantoms;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.SplittableRandom;

/** A grey-level float raster (0 = black, 255 = white) with the few drawing operations phantoms need. */
final class Canvas {
    final int width;
    final int height;
    final float[] v;

    Canvas(int width, int height, float background) {
        this.width = width;
        this.height = height;
        this.v = new float[width * height];
        java.util.Arrays.fill(v, background);
    }

    /**
     * Blends {@code value} into a rotated ellipse, with an edge about {@code soft} pixels wide so that
     * shapes are anti-aliased the way a scanner's point-spread blurs them.
     */
    void ellipse(double cx, double cy, double rx, double ry, double angle, float value, double soft) {
        paint(cx, cy, rx, ry, angle, soft, (i, cov) -> v[i] += (value - v[i]) * cov);
    }

    /** Adds {@code delta} inside a rotated ellipse (X-ray attenuation adds up along the beam). */
    void addEllipse(double cx, double cy, double rx, double ry, double angle, float delta, double soft) {
        paint(cx, cy, rx, ry, angle, soft, (i, cov) -> v[i] += delta * cov);
    }

    /** An elliptic ring (an arc's outline): a rib, the skull's table, a vessel wall. */
    void ring(double cx, double cy, double rx, double ry, double angle, double thickness, float delta,
            double fromAngle, double toAngle) {
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        int x0 = clampX(cx - Math.max(rx, ry) - thickness - 2);
        int x1 = clampX(cx + Math.max(rx, ry) + thickness + 2);
        int y0 = clampY(cy - Math.max(rx, ry) - thickness - 2);
        int y1 = clampY(cy + Math.max(rx, ry) + thickness + 2);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double dx = x + 0.5 - cx;
                double dy = y + 0.5 - cy;
                double u = dx * cos + dy * sin;
                double w = -dx * sin + dy * cos;
                double d = Math.sqrt((u / rx) * (u / rx) + (w / ry) * (w / ry));
                double distPx = Math.abs(d - 1) * Math.min(rx, ry);
                double cov = clamp01((thickness / 2 - distPx) + 0.5);
                if (cov <= 0) {
                    continue;
                }
                double theta = Math.atan2(w / ry, u / rx);
                if (theta < fromAngle || theta > toAngle) {
                    continue;
                }
                v[y * width + x] += delta * (float) cov;
            }
        }
    }

    /** Smooth random variation (value noise on a coarse grid, bilinear), amplitude {@code amp}. */
    void lowFrequencyNoise(SplittableRandom rnd, int cells, float amp, float minValue) {
        int g = cells + 2;
        float[] grid = new float[g * g];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        for (int y = 0; y < height; y++) {
            double gy = (double) y / height * cells;
            int iy = (int) gy;
            double fy = smooth(gy - iy);
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                if (v[i] < minValue) {
                    continue;
                }
                double gx = (double) x / width * cells;
                int ix = (int) gx;
                double fx = smooth(gx - ix);
                double a = grid[iy * g + ix] * (1 - fx) + grid[iy * g + ix + 1] * fx;
                double b = grid[(iy + 1) * g + ix] * (1 - fx) + grid[(iy + 1) * g + ix + 1] * fx;
                v[i] += amp * (float) (a * (1 - fy) + b * fy);
            }
        }
    }

    /** Gaussian white noise of standard deviation {@code sigma}; {@code scaled} makes it grow with the signal (MR). */
    void whiteNoise(SplittableRandom rnd, float sigma, boolean scaled) {
        for (int i = 0; i < v.length; i++) {
            double g = gaussian(rnd);
            v[i] += (float) (g * sigma * (scaled ? 0.4 + v[i] / 255.0 : 1.0));
        }
    }

    /** One 3x3 binomial blur pass (the reconstruction kernel's softness). */
    void blur() {
        float[] t = new float[v.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int xl = Math.max(x - 1, 0);
                int xr = Math.min(x + 1, width - 1);
                t[y * width + x] = (v[y * width + xl] + 2 * v[y * width + x] + v[y * width + xr]) / 4;
            }
        }
        for (int y = 0; y < height; y++) {
            int yu = Math.max(y - 1, 0);
            int yd = Math.min(y + 1, height - 1);
            for (int x = 0; x < width; x++) {
                v[y * width + x] = (t[yu * width + x] + 2 * t[y * width + x] + t[yd * width + x]) / 4;
            }
        }
    }

    /** Multiplies by a smooth left-to-right and top-to-bottom gain (an MR coil's bias field). */
    void biasField(double gx, double gy) {
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double g = 1 + gx * ((double) x / width - 0.5) + gy * ((double) y / height - 0.5);
                v[y * width + x] *= (float) g;
            }
        }
    }

    /** Darkens towards the corners (an X-ray tube's heel effect and collimation). */
    void vignette(double strength) {
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double dx = (x + 0.5) / width - 0.5;
                double dy = (y + 0.5) / height - 0.5;
                v[y * width + x] *= (float) (1 - strength * (dx * dx + dy * dy) * 2);
            }
        }
    }

    BufferedImage toImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < v.length; i++) {
            px[i] = (byte) Math.round(Math.max(0, Math.min(255, v[i])));
        }
        return img;
    }

    private interface Blend {
        void apply(int index, float coverage);
    }

    private void paint(double cx, double cy, double rx, double ry, double angle, double soft, Blend blend) {
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double r = Math.max(rx, ry) + soft + 1;
        int x0 = clampX(cx - r);
        int x1 = clampX(cx + r);
        int y0 = clampY(cy - r);
        int y1 = clampY(cy + r);
        double minR = Math.min(rx, ry);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double dx = x + 0.5 - cx;
                double dy = y + 0.5 - cy;
                double u = (dx * cos + dy * sin) / rx;
                double w = (-dx * sin + dy * cos) / ry;
                double d = Math.sqrt(u * u + w * w);
                double cov = clamp01((1 - d) * minR / soft + 0.5);
                if (cov > 0) {
                    blend.apply(y * width + x, (float) cov);
                }
            }
        }
    }

    private int clampX(double x) {
        return (int) Math.max(0, Math.min(width - 1, Math.floor(x)));
    }

    private int clampY(double y) {
        return (int) Math.max(0, Math.min(height - 1, Math.floor(y)));
    }

    private static double clamp01(double x) {
        return x < 0 ? 0 : x > 1 ? 1 : x;
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }

    static double gaussian(SplittableRandom rnd) {
        // Box-Muller: java.util.Random's nextGaussian is not on SplittableRandom in Java 17
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
