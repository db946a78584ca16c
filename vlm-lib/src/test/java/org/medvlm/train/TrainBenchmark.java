package org.medvlm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medvlm.data.VqaExample;
import org.medvlm.layers.Parameter;
import org.medvlm.phantoms.Phantoms;
import org.medvlm.testing.Shared;
import org.medvlm.vlm.Fusion;
import org.medvlm.vlm.Tokenizer;
import org.medvlm.vlm.VisionLanguageModel;
import org.medvlm.vlm.VlmLoader;

/**
 * Training throughput of the tiny preset's model on this CPU, against the alternative a user would pick: the same model,
 * loss and AdamW in PyTorch (the project's Python trainer, {@code python3 -m medvlm.bench}, Debian's torch), with the
 * same batch size and thread count. Prints the median step and its forward / backward / optimizer shares, the data
 * preparation a loader thread hides, and the ratio. Run with
 * {@code mvn -B -Pbench test -pl vlm-lib -am -Dtest=TrainBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class TrainBenchmark {
    private static final int WARMUP = 5;
    private static final int STEPS = 30;

    @Test
    void tinyPresetStepAgainstPyTorch() throws IOException, InterruptedException {
        int threads = Runtime.getRuntime().availableProcessors();
        for (TrainSettings.Freeze freeze : new TrainSettings.Freeze[] {TrainSettings.Freeze.NONE, TrainSettings.Freeze.BLIP2}) {
            for (int batch : new int[] {8, 32}) {
                double[] java = javaSteps(freeze, batch);
                double python = pythonStepMs(freeze, batch, threads);
                System.out.printf(Locale.ROOT, "train step, tiny model, --freeze %s, batch %d, fp32 AdamW, %d threads, load %.1f:%n"
                        + "  Java (DJL)  median %.1f ms (forward %.1f, backward %.1f, optimizer %.1f), %.1f samples/s;"
                        + " data preparation %.1f ms per batch (%.0f%% of a step) on the loader thread%n"
                        + "  PyTorch     median %s ms, %s samples/s; Java/PyTorch step time %s%n",
                        freeze.key(), batch, threads, loadAverage(), java[0], java[1], java[2], java[3], batch * 1000 / java[0],
                        java[4], 100 * java[4] / java[0], fmt(python), fmt(batch * 1000 / python), fmt(java[0] / python));
                if (freeze != TrainSettings.Freeze.NONE) {
                    System.out.println("  (the Java trainer computes a frozen vision tower's features once per image;"
                            + " the PyTorch step recomputes them, as the distributed trainer does)");
                }
            }
        }
    }

    /**
     * The tiny preset as {@code medvlm train --preset tiny --data phantoms:2000:7} runs it (shipped pre-trained parts,
     * 600 updates of batch 32, an evaluation every 100): steps/s, samples/s, and the seconds until the held-out closed
     * accuracy first reaches 95% (the run's own clock, which starts after the model is built).
     */
    @Test
    void tinyPresetSecondsToNinetyFivePercent() throws IOException {
        TrainSettings settings = TrainPresets.defaults("tiny", "phantoms:2000:7", 7);
        List<RunEvents.Step> steps = new ArrayList<>();
        List<RunEvents.Eval> evals = new ArrayList<>();
        RunEvents.Listener listener = new RunEvents.Listener() {
            @Override
            public void onStep(RunEvents.Step e) {
                steps.add(e);
            }

            @Override
            public void onEval(RunEvents.Eval e) {
                evals.add(e);
            }
        };
        Path dir = Files.createTempDirectory("medvlm-train-bench-");
        long t0 = System.nanoTime();
        LocalTraining.Outcome outcome = LocalTraining.run(settings, () -> Phantoms.generate(2000, 7), dir.resolve("run"),
                List.of(listener), w -> {}, t -> {});
        double wall = (System.nanoTime() - t0) / 1e9;
        outcome.model().close();
        deleteTree(dir);
        RunEvents.Step last = steps.get(steps.size() - 1);
        double[] rates = steps.stream().skip(steps.size() / 2).mapToDouble(RunEvents.Step::samplesPerS).toArray();
        System.out.printf(Locale.ROOT, "tiny preset, phantoms:2000:7, %d updates of batch %d, %d threads, load %.1f: %.1f s in"
                + " the trainer (%.1f s with model building and data), %.2f steps/s, median %.0f samples/s%n", last.step(),
                settings.batchSize(), Runtime.getRuntime().availableProcessors(), loadAverage(), last.elapsedS(), wall,
                last.step() / last.elapsedS(), median(rates));
        for (RunEvents.Eval e : evals) {
            System.out.printf(Locale.ROOT, "  step %4d at %5.1f s: held-out closed %.3f, open %.3f%n", e.step(), e.elapsedS(),
                    e.metrics().closedAccuracy(), e.metrics().openRecall());
        }
        evals.stream().filter(e -> e.metrics().closedAccuracy() >= 0.95).findFirst().ifPresentOrElse(
                e -> System.out.printf(Locale.ROOT, "  seconds to 95%% closed: %.1f (step %d)%n", e.elapsedS(), e.step()),
                () -> System.out.println("  95% closed not reached"));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** Median {step, forward, backward, optimizer, prepare} milliseconds of the Java trainer's own step. */
    private static double[] javaSteps(TrainSettings.Freeze freeze, int batch) {
        List<VqaExample> all = Phantoms.generate(Math.max(4 * batch, 64), 11);
        List<VqaExample> train = new ArrayList<>();
        List<VqaExample> test = new ArrayList<>();
        LocalTraining.split(all, train, test, "phantoms");
        VisionLanguageModel vlm = VisionLanguageModel.random(VlmLoader.builtinConfig(Fusion.QFORMER), Tokenizer.builtin(), 0);
        try (vlm; VqaObjective objective = new VqaObjective(vlm, train, test, 8, 0)) {
            TrainPresets.markFrozen(vlm, freeze);
            Map<String, Parameter> trainable = vlm.trainableParameters();
            trainable.values().forEach(p -> p.attachGradient(true));
            vlm.train(true);
            double[][] t = new double[5][STEPS];
            try (AdamW opt = new AdamW(vlm, AdamW.Settings.defaults(0.05), objective.manager())) {
                for (int i = 0; i < WARMUP + STEPS; i++) {
                    int[] indices = new int[batch];
                    for (int b = 0; b < batch; b++) {
                        indices[b] = (i * batch + b) % train.size();
                    }
                    long p0 = System.nanoTime();
                    Objective.Prepared prepared = objective.prepare(indices);
                    long s0 = System.nanoTime();
                    long s1;
                    long s2;
                    try (NDManager s = objective.manager().newSubManager()) {
                        try (GradientCollector gc = s.getEngine().newGradientCollector()) {
                            NDArray loss = objective.loss(prepared, s);
                            loss.getFloat();
                            s1 = System.nanoTime();
                            gc.backward(loss);
                        }
                        Map<String, NDArray> grads = new LinkedHashMap<>();
                        trainable.forEach((k, p) -> grads.put(k, p.gradient(s)));
                        grads.values().iterator().next().sum().getFloat(); // wait for backward
                        s2 = System.nanoTime();
                        GradClip.clip(grads.values(), 1.0);
                        opt.step(grads, 1e-4);
                        vlm.zeroGrad();
                    }
                    long s3 = System.nanoTime();
                    if (i >= WARMUP) {
                        int k = i - WARMUP;
                        t[0][k] = (s3 - s0) / 1e6;
                        t[1][k] = (s1 - s0) / 1e6;
                        t[2][k] = (s2 - s1) / 1e6;
                        t[3][k] = (s3 - s2) / 1e6;
                        t[4][k] = (s0 - p0) / 1e6;
                    }
                }
            }
            return Arrays.stream(t).mapToDouble(TrainBenchmark::median).toArray();
        }
    }

    /** The Python trainer's median step in ms on the same model, or NaN (with a note) where it cannot run here. */
    private static double pythonStepMs(TrainSettings.Freeze freeze, int batch, int threads) throws IOException, InterruptedException {
        Path pkg = Shared.projectRoot().resolve("launch/python");
        if (!Files.isRegularFile(Path.of("/usr/bin/python3")) || !Files.isDirectory(pkg)) {
            System.out.println("  (no /usr/bin/python3 or launch/python: PyTorch comparison skipped)");
            return Double.NaN;
        }
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", "-m", "medvlm.bench", "--steps", String.valueOf(STEPS),
                "--warmup", String.valueOf(WARMUP), "--batch-size", String.valueOf(batch), "--freeze", freeze.key(),
                "--threads", String.valueOf(threads)).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", pkg.toString());
        // PyTorch as a user runs it, without the Java side's OpenMP and MKL settings
        pb.environment().remove("OMP_WAIT_POLICY");
        pb.environment().remove("MKL_CBWR");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            System.out.println("  (PyTorch bench failed: " + out.strip().lines().reduce((a, b) -> b).orElse("") + ")");
            return Double.NaN;
        }
        Matcher m = Pattern.compile("median ([0-9.]+) ms").matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
