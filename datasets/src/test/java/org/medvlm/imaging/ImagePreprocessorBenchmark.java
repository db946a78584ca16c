package org.medvlm.imaging;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.data.VqaExample;
import org.medvlm.phantoms.Phantoms;

/**
 * Decode + resize + normalise throughput, against what a user would write with plain Java2D
 * ({@code ImageIO.read}, {@code drawImage} with bicubic interpolation, {@code getRGB}). Run with
 * {@code mvn -Pbench -pl datasets -am test -Dtest=ImagePreprocessorBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class ImagePreprocessorBenchmark {
    @TempDir Path dir;

    private static final double SECONDS = 4;

    @Test
    void imagesPerSecond() throws Exception {
        List<Path> files = new ArrayList<>();
        Path shared = Path.of("..", "..", "shared", "external", "medvqa");
        if (Files.isDirectory(shared)) {
            try (Stream<Path> s = Files.walk(shared)) {
                s.filter(p -> p.toString().endsWith(".jpg")).sorted().forEach(files::add);
            }
        }
        String source = files.size() + " MedVQA sample JPEGs from ../shared/external/medvqa";
        if (files.isEmpty()) {
            // typical MedVQA sizes, drawn from phantoms and saved as RGB JPEG like the published images
            int[] sizes = {512, 640, 768, 900, 1024};
            List<VqaExample> ph = Phantoms.generate(10, 1, 512);
            for (int i = 0; i < ph.size(); i++) {
                int s = sizes[i % sizes.length];
                BufferedImage img = new BufferedImage(s, s * 9 / 10, BufferedImage.TYPE_3BYTE_BGR);
                Graphics2D g = img.createGraphics();
                g.drawImage(ph.get(i).image().load(), 0, 0, img.getWidth(), img.getHeight(), null);
                g.dispose();
                Path f = dir.resolve("phantom" + i + ".jpg");
                ImageIO.write(img, "jpg", f.toFile());
                files.add(f);
            }
            source = files.size() + " phantom JPEGs of 512 to 1024 pixels (no ../shared)";
        }
        long pixels = 0;
        for (Path f : files) {
            BufferedImage img = ImageIO.read(f.toFile());
            pixels += (long) img.getWidth() * img.getHeight();
        }
        System.out.printf(Locale.ROOT, "%nimage preprocessing benchmark: %s, mean %.0f kpixels, %d cores%n",
                source, pixels / 1000.0 / files.size(), Runtime.getRuntime().availableProcessors());

        ImagePreprocessor pre = ImagePreprocessor.clip(224);
        List<BufferedImage> decoded = new ArrayList<>();
        for (Path f : files) {
            decoded.add(ImageIO.read(f.toFile()));
        }
        double[] decodeOnly = rate(files, f -> ImageIO.read(f.toFile()));
        double[] resizeOnly = rate(files, f -> pre.apply(decoded.get(files.indexOf(f))));
        double[] ours = rate(files, pre::apply);
        double[] java2d = rate(files, ImagePreprocessorBenchmark::java2d);
        double ours2 = batchRate(pre, files, 2);
        double java2d2 = parallelRate(files, ImagePreprocessorBenchmark::java2d);

        double diffJava2d = 0;
        for (Path f : files) {
            diffJava2d += meanAbs(pre.apply(f), java2d(f));
        }
        diffJava2d /= files.size();

        // The machine these run on may be shared, so besides wall-clock rates the single-thread runs
        // report images per CPU-second of their own thread: what one idle core would do.
        String row = "  %-56s %8.1f images/s wall, %8.1f per CPU-second%n";
        System.out.printf(Locale.ROOT, row, "ImageIO JPEG decode only, 1 thread", decodeOnly[0], decodeOnly[1]);
        System.out.printf(Locale.ROOT, row, "resize + crop + normalise only (Pillow-exact), 1 thread", resizeOnly[0], resizeOnly[1]);
        System.out.printf(Locale.ROOT, row, "ImagePreprocessor.apply(file), 1 thread", ours[0], ours[1]);
        System.out.printf(Locale.ROOT, row, "plain Java2D (ImageIO, drawImage bicubic, getRGB), 1 thread", java2d[0], java2d[1]);
        System.out.printf(Locale.ROOT, "  %-56s %8.1f images/s wall%n", "ImagePreprocessor.applyAll, 2 threads", ours2);
        System.out.printf(Locale.ROOT, "  %-56s %8.1f images/s wall%n", "plain Java2D, 2 threads (parallel stream)", java2d2);
        System.out.printf(Locale.ROOT, "  ratio ImagePreprocessor / Java2D per CPU-second: %.2fx; wall on 2 threads: %.2fx%n",
                ours[1] / java2d[1], ours2 / java2d2);
        System.out.printf(Locale.ROOT, "  Java2D's result differs from Pillow's by %.4f on average (normalised units; ours: 0)%n", diffJava2d);
        System.out.printf(Locale.ROOT, "  2 idle cores (2 x per-CPU-second rate): %.1f images/s, target 150: %s; measured wall on 2 threads %.1f, load average %.1f%n",
                2 * ours[1], 2 * ours[1] >= 150 ? "met" : "NOT met", ours2,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private interface Job {
        Object run(Path f) throws IOException;
    }

    /** {wall images/s, images per CPU-second of this thread}. */
    private static double[] rate(List<Path> files, Job job) throws Exception {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 3; i++) {
            for (Path f : files) {
                job.run(f); // warm-up
            }
        }
        long t0 = System.nanoTime();
        long c0 = mx.getCurrentThreadCpuTime();
        long done = 0;
        while (System.nanoTime() - t0 < SECONDS * 1e9) {
            for (Path f : files) {
                job.run(f);
            }
            done += files.size();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
        return new double[] {done / wall, done / cpu};
    }

    private static double parallelRate(List<Path> files, Job job) {
        long t0 = System.nanoTime();
        long done = 0;
        while (System.nanoTime() - t0 < SECONDS * 1e9) {
            files.parallelStream().forEach(f -> {
                try {
                    job.run(f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            done += files.size();
        }
        return done / ((System.nanoTime() - t0) / 1e9);
    }

    private static double batchRate(ImagePreprocessor pre, List<Path> files, int threads) throws Exception {
        List<Path> many = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            many.addAll(files);
        }
        pre.applyAll(many, threads); // warm-up
        long t0 = System.nanoTime();
        long done = 0;
        while (System.nanoTime() - t0 < SECONDS * 1e9) {
            pre.applyAll(many, threads);
            done += many.size();
        }
        return done / ((System.nanoTime() - t0) / 1e9);
    }

    /** What a user would write: Java2D's bicubic (no anti-aliasing when shrinking), crop, getRGB, normalise. */
    static float[] java2d(Path f) throws IOException {
        BufferedImage src = ImageIO.read(f.toFile());
        int w = src.getWidth();
        int h = src.getHeight();
        int ow = w <= h ? 224 : (int) (224.0 * w / h);
        int oh = w <= h ? (int) (224.0 * h / w) : 224;
        BufferedImage dst = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(src, 0, 0, ow, oh, null);
        g.dispose();
        int left = (ow - 224) / 2;
        int top = (oh - 224) / 2;
        float[] out = new float[3 * 224 * 224];
        float[] mean = ImagePreprocessor.CLIP_MEAN;
        float[] std = ImagePreprocessor.CLIP_STD;
        for (int y = 0; y < 224; y++) {
            for (int x = 0; x < 224; x++) {
                int rgb = dst.getRGB(left + x, top + y);
                int i = y * 224 + x;
                out[i] = (((rgb >> 16) & 0xff) / 255f - mean[0]) / std[0];
                out[224 * 224 + i] = (((rgb >> 8) & 0xff) / 255f - mean[1]) / std[1];
                out[2 * 224 * 224 + i] = ((rgb & 0xff) / 255f - mean[2]) / std[2];
            }
        }
        return out;
    }

    private static double meanAbs(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s / a.length;
    }
}
