package org.medvlm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.io.AtomicFiles;
import org.medvlm.layers.Scalars;
import org.medvlm.layers.Initializer;
import org.medvlm.layers.Parameter;

/**
 * The training loop, one for every objective: micro-batches from a data-loading thread (which overlaps encoding with
 * compute), gradient accumulation, clipping by global norm, AdamW with Hugging Face's warm-up + cosine schedule,
 * evaluation every N updates, checkpoints every M updates, and run events to the run directory and listeners.
 *
 * <p>A run is deterministic for its seed: the data order of epoch e is a permutation drawn from (seed, e), the dropout
 * masks of update t from (seed, t), and nothing else is random; so the same settings give the same losses bit for bit
 * on the same machine, and a run resumed from a checkpoint continues exactly as if it had not stopped.
 *
 * <p>DJL's PyTorch engine allows one gradient collector per process, so runs in one process (a notebook kernel) take
 * turns, one update at a time.
 */
public final class Trainer {
    /** The engine's one gradient collector: updates of concurrent runs in this process take turns. */
    private static final ReentrantLock AUTOGRAD = new ReentrantLock(true);

    /** How a run ended. */
    public record Result(RunEvents.State state, long steps, double seconds, RunEvents.Eval lastEval, Path model) {}

    private final TrainSettings settings;
    private final Objective objective;
    private final RunDirectory run;
    private final List<RunEvents.Listener> listeners = new ArrayList<>();
    private final Consumer<String> warnings;
    private final AtomicReference<String> stopReason = new AtomicReference<>();

    /**
     * A trainer of {@code objective} with {@code settings}, writing to {@code run}; {@code listeners} get every event
     * too (a notebook view, a terminal progress bar); {@code warnings} gets one-line notes (a skipped checkpoint).
     */
    public Trainer(TrainSettings settings, Objective objective, RunDirectory run, List<RunEvents.Listener> listeners,
            Consumer<String> warnings) {
        this.settings = settings;
        this.objective = objective;
        this.run = run;
        this.listeners.add(run);
        this.listeners.addAll(listeners);
        this.warnings = warnings;
    }

    /** Asks the run to stop after the current update, writing a checkpoint ({@code %train stop}, ■). */
    public void stop(String reason) {
        stopReason.compareAndSet(null, reason);
    }

    /** Whether a stop was asked for. */
    public boolean stopping() {
        return stopReason.get() != null;
    }

    /** Runs to the end (or to a stop); the status file says how it ended. */
    public Result run() throws IOException {
        long total = settings.steps();
        RunEvents.Status status = new RunEvents.Status(RunEvents.State.CREATED, null, 0, total, Instant.now(), Instant.now(),
                ProcessHandle.current().pid(), "local", null, null);
        Map<String, Parameter> trainable = objective.model().trainableParameters();
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("nothing to train: every parameter is frozen");
        }
        long start = System.nanoTime();
        long step = 0;
        long position = 0; // micro-batches consumed since the start of the run
        String lastCheckpoint = null;
        RunEvents.Eval lastEval = null;
        Checkpoints checkpoints = run.checkpoints(settings.keepCheckpoints());
        try (AdamW opt = new AdamW(objective.model(), new AdamW.Settings(0.9, settings.beta2(), 1e-8, settings.weightDecay()),
                objective.manager())) {
            if (settings.resume()) {
                Optional<Checkpoints.Found> found = checkpoints.latest(warnings);
                if (found.isPresent()) {
                    JsonObject state = restore(found.get().dir(), opt);
                    step = state.get("step").getAsLong();
                    position = state.get("micro_batches").getAsLong();
                    lastCheckpoint = run.dir().relativize(found.get().dir()).toString();
                }
            }
            status = status.with(RunEvents.State.RUNNING, null, step, lastCheckpoint);
            emitStatus(status);
            LrSchedule schedule = new LrSchedule(settings.lr(), settings.warmupSteps(), (int) total);
            trainable.values().forEach(p -> p.attachGradient(true));
            objective.model().train(true);
            try (Loader loader = new Loader(position)) {
                while (step < total && !stopping()) {
                    long t0 = System.nanoTime();
                    double lr = schedule.at(step);
                    double lossSum = 0;
                    int examples = 0;
                    int tokens = 0;
                    double gradNorm;
                    try (NDManager s = objective.manager().newSubManager()) {
                        objective.model().seedDropout(Initializer.mix(settings.seed(), step));
                        AUTOGRAD.lock();
                        try {
                            for (int micro = 0; micro < settings.gradAccum(); micro++) {
                                Objective.Prepared batch = loader.next();
                                examples += batch.examples();
                                tokens += batch.tokens();
                                try (GradientCollector gc = s.getEngine().newGradientCollector()) {
                                    NDArray loss = objective.loss(batch, s);
                                    lossSum += loss.getFloat();
                                    gc.backward(settings.gradAccum() == 1 ? loss : Scalars.div(loss, settings.gradAccum()));
                                }
                            }
                        } finally {
                            AUTOGRAD.unlock();
                        }
                        Map<String, NDArray> grads = new LinkedHashMap<>();
                        trainable.forEach((k, p) -> grads.put(k, p.gradient(s)));
                        gradNorm = GradClip.clip(grads.values(), settings.gradClip());
                        if (!Double.isFinite(gradNorm)) {
                            List<String> bad = new ArrayList<>();
                            grads.forEach((k, g) -> {
                                float n = g.norm().getFloat();
                                if (!Float.isFinite(n)) {
                                    bad.add(k + " (" + n + ")");
                                }
                            });
                            warnings.accept("update " + (step + 1) + ": the gradient is not finite in " + bad);
                        }
                        opt.step(grads, lr);
                        objective.model().zeroGrad();
                    }
                    step++;
                    position += settings.gradAccum();
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double loss = lossSum / settings.gradAccum();
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException("the loss is " + loss + " at update " + step
                                + ": lower the learning rate (--lr) or check the data");
                    }
                    RunEvents.Step event = new RunEvents.Step(step, epoch(position), loss, lr, gradNorm,
                            examplesPer(examples, seconds), examplesPer(tokens, seconds), elapsed(start));
                    emit(l -> l.onStep(event));
                    boolean last = step == total;
                    if (step % settings.evalEvery() == 0 || last) {
                        objective.model().train(false);
                        RunEvents.Eval e = objective.evaluate(step, epoch(position), elapsed(start));
                        objective.model().train(true);
                        lastEval = e;
                        emit(l -> l.onEval(e));
                    }
                    if (step % settings.checkpointEvery() == 0 || last || stopping()) {
                        Path saved = saveCheckpoint(checkpoints, opt, step, position);
                        lastCheckpoint = run.dir().relativize(saved).toString();
                        status = status.with(RunEvents.State.RUNNING, null, step, lastCheckpoint);
                        emitStatus(status);
                    }
                }
            } finally {
                objective.model().train(false);
                trainable.values().forEach(p -> p.attachGradient(false));
            }
            if (stopping()) {
                status = status.with(RunEvents.State.STOPPED, stopReason.get(), step, lastCheckpoint);
                emitStatus(status);
                return new Result(RunEvents.State.STOPPED, step, elapsed(start), lastEval, null);
            }
            Path model = run.model();
            Path tmp = model.resolveSibling(RunDirectory.MODEL + ".tmp");
            Checkpoints.deleteTree(tmp);
            objective.saveModel(tmp);
            Checkpoints.deleteTree(model);
            Files.move(tmp, model, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            status = status.with(RunEvents.State.FINISHED, null, step, lastCheckpoint);
            emitStatus(status);
            return new Result(RunEvents.State.FINISHED, step, elapsed(start), lastEval, model);
        } catch (IOException | RuntimeException | Error e) {
            emitStatus(status.with(RunEvents.State.FAILED, oneLine(e), step, lastCheckpoint));
            throw e;
        }
    }

    private double epoch(long microBatches) {
        return (double) microBatches * settings.batchSize() / Math.max(1, objective.trainSize());
    }

    private static double examplesPer(int n, double seconds) {
        return seconds > 0 ? n / seconds : 0;
    }

    private static double elapsed(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }

    /** Events reach the run directory first; a failing view (a closed notebook) never stops the run. */
    private void emit(Consumer<RunEvents.Listener> event) {
        for (RunEvents.Listener l : listeners) {
            if (l == run) {
                event.accept(l);
            } else {
                try {
                    event.accept(l);
                } catch (RuntimeException e) {
                    warnings.accept("a run view failed and was skipped: " + oneLine(e));
                }
            }
        }
    }

    private void emitStatus(RunEvents.Status s) {
        emit(l -> l.onStatus(s));
    }

    private Path saveCheckpoint(Checkpoints checkpoints, AdamW opt, long step, long position) throws IOException {
        return checkpoints.save(step, folder -> {
            objective.saveModel(folder);
            SafetensorsWriter.write(folder.resolve("optimizer.safetensors"), opt.state());
            JsonObject state = new JsonObject();
            state.addProperty("schema", RunEvents.SCHEMA);
            state.addProperty("step", step);
            state.addProperty("micro_batches", position);
            state.addProperty("epoch", epoch(position));
            state.addProperty("seed", settings.seed());
            state.add("settings", settings.toJson());
            JsonObject optimizer = new JsonObject();
            optimizer.addProperty("type", "adamw");
            optimizer.addProperty("steps", opt.steps());
            state.add("optimizer", optimizer);
            JsonObject scheduler = new JsonObject();
            scheduler.addProperty("type", "cosine_with_warmup");
            scheduler.addProperty("base_lr", settings.lr());
            scheduler.addProperty("warmup_steps", settings.warmupSteps());
            scheduler.addProperty("total_steps", settings.steps());
            state.add("scheduler", scheduler);
            AtomicFiles.writeString(folder.resolve("trainer_state.json"), RunEvents.line(state) + "\n");
        });
    }

    /** Loads a checkpoint's weights and optimizer state; returns its trainer state. */
    private JsonObject restore(Path folder, AdamW opt) throws IOException {
        JsonObject state = org.medvlm.layers.ConfigReader.read(folder.resolve("trainer_state.json")).json();
        try (StateDict moments = StateDict.open(folder.resolve("optimizer.safetensors"))) {
            objective.restore(folder);
            try (NDManager tmp = objective.manager().newSubManager()) {
                opt.load(moments.toMap(tmp), state.getAsJsonObject("optimizer").get("steps").getAsLong());
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(folder + ": does not fit this run's model (" + e.getMessage() + ")", e);
        }
        return state;
    }

    /**
     * The data-loading thread: encodes micro-batch after micro-batch in the order the seed gives, a few ahead of the
     * training thread. Epoch e visits the training set in a permutation drawn from (seed, e); the last incomplete
     * micro-batch of an epoch is dropped, so every micro-batch has {@code batchSize} examples.
     */
    private final class Loader implements AutoCloseable {
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(4);
        private final Thread thread;

        Loader(long startAt) {
            int n = objective.trainSize();
            int b = settings.batchSize();
            if (n < b) {
                throw new IllegalArgumentException("the training split has " + n + " examples, fewer than --batch-size " + b);
            }
            int perEpoch = n / b;
            thread = new Thread(() -> {
                try {
                    long k = startAt;
                    int[] order = null;
                    long orderEpoch = -1;
                    while (!Thread.currentThread().isInterrupted()) {
                        long epoch = k / perEpoch;
                        if (epoch != orderEpoch) {
                            order = permutation(n, Initializer.mix(settings.seed(), epoch));
                            orderEpoch = epoch;
                        }
                        int from = (int) (k % perEpoch) * b;
                        queue.put(objective.prepare(java.util.Arrays.copyOfRange(order, from, from + b)));
                        k++;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | Error e) {
                    try {
                        queue.put(e);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                }
            }, "medvlm-data-loader");
            thread.setDaemon(true);
            thread.start();
        }

        Objective.Prepared next() {
            try {
                Object o = queue.take();
                if (o instanceof RuntimeException e) {
                    throw e;
                }
                if (o instanceof Error e) {
                    throw e;
                }
                return (Objective.Prepared) o;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for data", e);
            }
        }

        @Override
        public void close() {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Fisher–Yates with a seeded stream: the same permutation on every machine. */
    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

}
