package org.medvlm.bloom.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.bloom.BloomLm;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.generate.CausalLm;

/**
 * bloomz-560m-shaped random fp32 weights on this CPU: 128-token prefill latency, decode tokens/s at positions 16 and
 * 512 with the KV cache, and peak RSS while loading the checkpoint by mmap (a child JVM, so the measurement is not
 * polluted by the weights this process generated). With Debian's python3-torch at /usr/bin/python3, the same figures
 * for an eager transformers-style BLOOM on the same file and the Java/PyTorch ratios.
 *
 * <p>Run: {@code mvn -Pbench -pl vlm-lib -am test -Dtest=BloomBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class BloomBenchmark {
    private static final BloomConfig CONFIG = BloomConfig.bloomz560m();
    private static final int STEPS = 16;

    @Test
    void bloomz560mShape() throws Exception {
        System.setProperty("ai.djl.offline", "true");
        Path dir = Path.of("target", "bench");
        Files.createDirectories(dir);
        Path file = dir.resolve("bloomz560m-random-f32.safetensors");
        long bytes = new Bloom(CONFIG).parameterCount() * 4;
        if (!Files.exists(file) || Files.size(file) < bytes) {
            writeRandomCheckpoint(file);
        }
        long fileSize = Files.size(file);
        System.out.printf(Locale.ROOT, "checkpoint %s: %.2f GB, %d threads, load average %s%n", file, fileSize / 1e9,
                Runtime.getRuntime().availableProcessors(), loadAverage());

        long[] rss = probeLoadRss(file);
        Map<String, Double> java = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager(); StateDict weights = StateDict.open(file)) {
            BloomLm lm = BloomLm.of(Bloom.load(CONFIG, weights, m, ai.djl.ndarray.types.DataType.FLOAT32));
            prefillSeconds(lm, m, 128); // warm-up: pages in the weights, JIT, allocator
            List<Double> times = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                times.add(prefillSeconds(lm, m, 128));
            }
            Collections.sort(times);
            java.put("prefill128_s", times.get(0));
            java.put("prefill128_median_s", times.get(1));
            java.put("decode16_tps", decodeTokensPerSecond(lm, m, 16));
            java.put("decode512_tps", decodeTokensPerSecond(lm, m, 512));
        }
        java.put("load_peak_rss_over_file", (rss[1] - rss[0]) / (double) fileSize);
        System.out.printf(Locale.ROOT, "java  : prefill(128) %.3f s (median %.3f), decode@16 %.2f tok/s, decode@512 %.2f tok/s, "
                        + "load peak RSS +%.2f GB over a %.2f GB baseline = %.2f x file%n",
                java.get("prefill128_s"), java.get("prefill128_median_s"), java.get("decode16_tps"), java.get("decode512_tps"),
                (rss[1] - rss[0]) / 1e9, rss[0] / 1e9, java.get("load_peak_rss_over_file"));

        JsonObject py = runPyTorch(file);
        if (py == null) {
            return;
        }
        double pyRss = (py.get("load_peak_rss").getAsDouble() - py.get("load_baseline_rss").getAsDouble()) / fileSize;
        System.out.printf(Locale.ROOT, "torch : %s, %d threads: prefill(128) %.3f s (median %.3f), decode@16 %.2f tok/s, "
                        + "decode@512 %.2f tok/s, load peak RSS %.2f x file%n",
                py.get("torch").getAsString(), py.get("threads").getAsInt(), py.get("prefill128_s").getAsDouble(),
                py.get("prefill128_median_s").getAsDouble(), py.get("decode16_tps").getAsDouble(),
                py.get("decode512_tps").getAsDouble(), pyRss);
        System.out.println("load average at the end " + loadAverage() + " (other processes on the machine skew both sides)");
        System.out.printf(Locale.ROOT, "ratio java/torch: prefill time %.2f (goal <= 1.2), decode speed @16 %.2f, @512 %.2f (goal >= 1)%n",
                java.get("prefill128_s") / py.get("prefill128_s").getAsDouble(),
                java.get("decode16_tps") / py.get("decode16_tps").getAsDouble(),
                java.get("decode512_tps") / py.get("decode512_tps").getAsDouble());
    }

    private static void writeRandomCheckpoint(Path file) throws Exception {
        Bloom shape = new Bloom(CONFIG);
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shape.namedParameters().forEach((k, p) -> shapes.put(k, p.shape()));
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(560);
            SafetensorsWriter writer = SafetensorsWriter.create().metadata("format", "pt");
            // each tensor is drawn only when the writer reaches it, so the file streams out
            shapes.forEach((key, s) -> writer.add(key, s, DataType.FLOAT32, () -> {
                NDArray a = m.randomNormal(0f, s.dimension() >= 2 ? 0.02f : 0.1f, s, DataType.FLOAT32);
                return (key.endsWith("weight") && s.dimension() == 1 ? a.addi(1f) : a).toByteBuffer();
            }));
            writer.write(file);
        }
    }

    private static NDArray promptIds(NDManager m, int n) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 5 + i % 1000;
        }
        return m.create(new long[][] {ids});
    }

    /** Prompt processing up to the first token's logits, as the generator does it (cache filled, last position only). */
    private static double prefillSeconds(CausalLm lm, NDManager m, int n) {
        try (NDManager step = m.newSubManager(); CausalLm.State state = lm.start(step, 1, n + 1)) {
            NDArray ids = promptIds(step, n);
            long t0 = System.nanoTime();
            lm.nextLogits(state, ids, ids.onesLike()).toFloatArray();
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** Tokens/s of single-token steps after a prompt of {@code start} tokens (first step not timed). */
    private static double decodeTokensPerSecond(CausalLm lm, NDManager m, int start) {
        try (NDManager run = m.newSubManager(); CausalLm.State state = lm.start(run, 1, start + STEPS + 2)) {
            long[] mask = new long[start];
            java.util.Arrays.fill(mask, 1);
            long next;
            try (NDManager step = run.newSubManager()) {
                NDArray ids = promptIds(step, start);
                next = lm.nextLogits(state, ids, ids.onesLike()).argMax(1).getLong();
            }
            long t0 = 0;
            for (int s = 0; s <= STEPS; s++) {
                if (s == 1) {
                    t0 = System.nanoTime();
                }
                mask = java.util.Arrays.copyOf(mask, mask.length + 1);
                mask[mask.length - 1] = 1;
                try (NDManager step = run.newSubManager()) {
                    float[] logits = lm.nextLogits(state, step.create(new long[][] {{next}}), step.create(new long[][] {mask}))
                            .toFloatArray();
                    next = argmax(logits);
                }
            }
            return STEPS / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static long argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    private static String loadAverage() throws java.io.IOException {
        Path p = Path.of("/proc/loadavg");
        return Files.exists(p) ? Files.readString(p).trim() : "n/a";
    }

    private static long[] probeLoadRss(Path file) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), LoadProbe.class.getName(),
                file.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(5, TimeUnit.MINUTES);
        String[] last = out.lines().reduce((a, b) -> b).orElse("").split(" ");
        return new long[] {Long.parseLong(last[0]), Long.parseLong(last[1])};
    }

    private static JsonObject runPyTorch(Path file) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python)
                || new ProcessBuilder(python.toString(), "-c", "import torch").start().waitFor() != 0) {
            System.out.println("torch : /usr/bin/python3 has no torch (apt-get install python3-torch): PyTorch figures skipped");
            return null;
        }
        Path script = Files.createTempFile("bloom_bench", ".py");
        try (InputStream in = BloomBenchmark.class.getResourceAsStream("/bench/bloom_bench.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        ProcessBuilder pb = new ProcessBuilder(python.toString(), script.toString(), file.toString(), Integer.toString(STEPS))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        // PyTorch as a user runs it: the Java side's OpenMP and MKL settings (the test JVM's environment) slow
        // Debian's torch, whose OpenMP then sleeps between parallel regions
        pb.environment().remove("OMP_WAIT_POLICY");
        pb.environment().remove("MKL_CBWR");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(10, TimeUnit.MINUTES);
        Files.deleteIfExists(script);
        String last = out.lines().reduce((a, b) -> b).orElse("{}");
        return JsonParser.parseString(last).getAsJsonObject();
    }
}
