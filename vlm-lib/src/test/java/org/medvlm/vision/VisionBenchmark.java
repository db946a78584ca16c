package org.medvlm.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.testing.RandomWeights;

/**
 * Figures for the vision side on this machine (run with {@code mvn -Pbench -pl vlm-lib -am test
 * -Dtest=VisionBenchmark -Dsurefire.failIfNoSpecifiedTests=false}): ViT-B/16 forward latency for one
 * image and a batch of 8 (random weights), preprocessing against Java2D's bicubic, and safetensors
 * load time and peak RSS against DJL's own {@code NDList.decode}.
 */
@Tag("benchmark")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VisionBenchmark {

    @TempDir
    Path dir;

    static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    static void print(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }

    @Test
    @Order(2)
    void vitB16Forward() {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = RandomWeights.load(new VisionTransformer(VisionTransformer.Config.vitBasePatch16_224()), m, 1);
            long params = vit.parameterCount();
            print("ViT-B/16 (BiomedCLIP trunk), %.1fM parameters, fp32, device %s, %d intra-op threads",
                    params / 1e6, m.getDevice(), Runtime.getRuntime().availableProcessors());
            print("  machine load average %.1f over the last minute on %d cores (other processes slow the wall time)",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), Runtime.getRuntime().availableProcessors());
            double gflop = 2 * macs(vit.config()) / 1e9;
            double[] one = time(vit, m, 1, 5);
            double[] eight = time(vit, m, 8, 2);
            print("  batch 1: %.0f ms/forward wall, %.0f ms CPU (%.2f images/s; %.1f GFLOP/forward = %.0f GFLOP per CPU-second)",
                    one[0], one[1], 1000 / one[0], gflop, gflop / (one[1] / 1000));
            print("  batch 8: %.0f ms/forward wall, %.0f ms CPU (%.2f images/s, %.2fx the throughput of 8 single forwards)",
                    eight[0], eight[1], 8000 / eight[0], 8 * one[0] / eight[0]);
        }
    }

    /** Multiply-adds of one image's forward: the Linear layers, attention's two matmuls and the patch convolution. */
    static double macs(VisionTransformer.Config c) {
        double d = c.embedDim();
        double n = c.numTokens();
        double perBlock = n * (4 * d * d + 2 * d * c.mlpHidden()) + 2 * n * n * d;
        double patches = (double) c.gridSize() * c.gridSize() * d * c.inChans() * c.patchSize() * c.patchSize();
        return c.depth() * perBlock + patches;
    }

    /** Median wall and process CPU milliseconds per forward. */
    static double[] time(VisionTransformer vit, NDManager m, int batch, int reps) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        NDArray x = m.randomNormal(new Shape(batch, 3, 224, 224));
        long[] t = new long[reps];
        long[] cpu = new long[reps];
        for (int i = -1; i < reps; i++) {
            try (NDManager step = m.newSubManager()) {
                NDArray in = x.duplicate();
                in.attach(step);
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                NDArray out = vit.forwardFeatures(in);
                out.attach(step);
                out.get(0).toFloatArray(); // forces the computation
                if (i >= 0) {
                    t[i] = System.nanoTime() - t0;
                    cpu[i] = os.getProcessCpuTime() - c0;
                }
            }
        }
        return new double[] {median(t), median(cpu)};
    }

    @Test
    @Order(3)
    void preprocessing() {
        BufferedImage img = new BufferedImage(2048, 2048, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(1);
        int[] px = new int[2048 * 2048];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(1 << 24);
        }
        img.setRGB(0, 0, 2048, 2048, px, 0, 2048);
        Preprocess p = Preprocess.biomedClip();
        long[] ours = new long[7];
        long[] java2d = new long[7];
        for (int i = -1; i < ours.length; i++) {
            long t0 = System.nanoTime();
            p.pixels(img);
            long t1 = System.nanoTime();
            BufferedImage small = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = small.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.drawImage(img, 0, 0, 224, 224, null);
            g.dispose();
            small.getRGB(0, 0, 224, 224, null, 0, 224);
            long t2 = System.nanoTime();
            if (i >= 0) {
                ours[i] = t1 - t0;
                java2d[i] = t2 - t1;
            }
        }
        print("Preprocess 2048x2048 RGB -> [3,224,224]: %.1f ms (Pillow-style antialiased bicubic + normalise);"
                + " Java2D bicubic drawImage alone %.1f ms (no antialiasing), ratio %.2f",
                median(ours), median(java2d), median(ours) / median(java2d));
    }

    /** First, so that the baseline RSS is the JVM and the engine only. */
    @Test
    @Order(1)
    void safetensorsLoadTimeAndPeakRss() throws IOException {
        // 20 float32 tensors of 64 MiB: 1.25 GiB, under DJL's 2 GiB limit so both loaders can run
        int tensors = 20;
        int floats = 16 << 20;
        Path file = dir.resolve("big.safetensors");
        ByteBuffer chunk = ByteBuffer.allocateDirect(floats * 4).order(ByteOrder.LITTLE_ENDIAN);
        Random r = new Random(3);
        while (chunk.hasRemaining()) {
            chunk.putFloat(r.nextFloat());
        }
        SafetensorsWriter w = SafetensorsWriter.create();
        for (int i = 0; i < tensors; i++) {
            w.add("layer." + i + ".weight", new Shape(4096, floats / 4096), DataType.FLOAT32, () -> chunk.duplicate().clear());
        }
        w.write(file);
        long size = Files.size(file);
        print("safetensors file: %.2f GiB fp32 (%d tensors)", size / (double) (1L << 30), tensors);

        try (NDManager m = NDManager.newBaseManager()) {
            m.zeros(new Shape(1)).close(); // engine loaded before the baseline
            System.gc();
            resetPeak();
            long base = rss("VmRSS");
            long t0 = System.nanoTime();
            long loaded = 0;
            try (StateDict sd = StateDict.open(file); NDManager sub = m.newSubManager()) {
                Map<String, NDArray> all = sd.toMap(sub);
                loaded = all.values().stream().mapToLong(a -> a.getShape().size() * 4).sum();
                double secs = (System.nanoTime() - t0) / 1e9;
                long peak = rss("VmHWM");
                print("  StateDict (mmap windows): %.2f s, %.2f GB/s; peak RSS %.2f GiB = %.2fx file (%.2fx counting only"
                        + " the growth over the %.2f GiB before loading)", secs, loaded / secs / 1e9, gib(peak), peak / (double) size,
                        (peak - base) / (double) size, gib(base));
            }
            System.gc();
            resetPeak();
            long base2 = rss("VmRSS");
            long t1 = System.nanoTime();
            try (NDManager sub = m.newSubManager(); InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
                NDList list = NDList.decode(sub, in);
                double secs = (System.nanoTime() - t1) / 1e9;
                long peak = rss("VmHWM");
                print("  DJL NDList.decode (alternative): %.2f s for %d arrays; peak RSS %.2f GiB = %.2fx file (%.2fx growth);"
                        + " cannot read files over 2 GiB", secs, list.size(), gib(peak), peak / (double) size,
                        (peak - base2) / (double) size);
            } catch (RuntimeException | IOException | OutOfMemoryError e) {
                print("  DJL NDList.decode (alternative) failed: %s", e);
            }
        }
    }

    static double gib(long bytes) {
        return bytes / (double) (1L << 30);
    }

    /** Resets VmHWM to the current RSS (Linux: writing 5 to clear_refs), so each loader gets its own peak. */
    static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException e) {
            print("  (cannot reset the peak RSS: %s; peaks are since JVM start)", e.getMessage());
        }
    }

    /** A /proc/self/status figure in bytes (VmRSS now, VmHWM the peak). */
    static long rss(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return -1;
    }
}
