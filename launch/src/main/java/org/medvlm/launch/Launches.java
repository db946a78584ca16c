package org.medvlm.launch;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.medvlm.cli.Display;
import org.medvlm.cli.LaunchOptions;
import org.medvlm.io.AtomicFiles;
import org.medvlm.vlm.Tokenizer;
import org.medvlm.zero.Gpu;

/**
 * Launched training runs: the front door. {@link #run} plans the run (commands, ds_config.json or sbatch script,
 * the planner's per-GPU memory), then either prints the plan ({@code --dry-run}) or prepares the inputs, starts the
 * ranks through the chosen launcher and follows them to the end, through the run directory (FORMATS.md) that a local
 * Java run writes too. {@link #stop} stops a run from anywhere (the notebook's {@code %train stop}).
 *
 * <pre>{@code
 * int code = Launches.run(launchOptions, List.of("--model", "init", "--data", "phantoms:400:3", "--steps", "60"),
 *         Path.of("runs/r1"), display);
 * Launches.stop(Path.of("runs/r1"));
 * }</pre>
 */
public final class Launches {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    /** The planner says the run does not fit the GPU (as {@code zero --require-fit}); {@code --force} launches anyway. */
    public static final int EXIT_DOES_NOT_FIT = 3;
    /** Text tokens per sample assumed for the memory estimate when the data cannot be tokenized yet. */
    static final int ASSUMED_TEXT_TOKENS = 64;

    private Launches() {}

    /**
     * The entry point of {@code train} when {@code --launcher} is set.
     *
     * @param trainerArgs the shared training options, passed through verbatim to the Python trainer, with
     *     {@code --model DIR} (a model folder) and {@code --data D} (a prepared folder, or FORMAT:PATH to prepare into
     *     RUN/data)
     * @return 0 finished (or a dry run), 1 failed or refused, 3 does not fit without --force
     */
    public static int run(LaunchOptions launch, List<String> trainerArgs, Path runDir, Display display)
            throws IOException, InterruptedException {
        return launch(launch.spec(), new TrainerArgs(trainerArgs), runDir, Optional.empty(), display.out());
    }

    /** As {@link #run}, starting from a preset: its folder is written to RUN/init (and given to the trainer as --model). */
    public static int runPreset(LaunchOptions launch, InitModel.Preset preset, Map<String, Path> partFolders,
                                List<String> trainerArgs, Path runDir, Display display) throws IOException, InterruptedException {
        return launch(launch.spec(), new TrainerArgs(trainerArgs), runDir, Optional.of(new PresetInit(preset, partFolders)),
                display.out());
    }

    /** A preset and the part folders that hold weights for it. */
    public record PresetInit(InitModel.Preset preset, Map<String, Path> partFolders) {}

    public static int launch(LaunchSpec spec, TrainerArgs trainer, Path runDir, Optional<PresetInit> preset, PrintWriter out)
            throws IOException, InterruptedException {
        Path run = runDir.toAbsolutePath().normalize();
        checkRunDir(run, trainer.flag("--resume"), spec.dryRun());
        Path tmpInit = null;
        try {
            // the model: a folder, or a preset's folder written to RUN/init (a temporary folder in a dry run)
            InitModel.ModelFolder model;
            if (preset.isPresent()) {
                if (trainer.value("--model").isPresent()) {
                    throw new IllegalArgumentException("give a preset or --model DIR, not both");
                }
                // written to a temporary folder first: a refused run leaves nothing in the run directory
                tmpInit = Files.createTempDirectory("medvlm-init");
                model = InitModel.write(preset.get().preset(), preset.get().partFolders(), tmpInit);
                trainer = trainer.withPath("--model", run.resolve("init"));
            } else {
                Path dir = Path.of(trainer.value("--model").orElseThrow(() ->
                        new IllegalArgumentException("a launched run needs --model DIR (or a preset)")));
                model = InitModel.open(dir);
                trainer = trainer.withPath("--model", dir);
            }
            // the data: prepared already, or FORMAT:PATH prepared into RUN/data (only tokenized in a dry run)
            String data = trainer.value("--data").orElseThrow(() -> new IllegalArgumentException("a launched run needs --data"));
            int maxText;
            List<String> notes = new java.util.ArrayList<>();
            Runnable prepare = null;
            if (Files.isRegularFile(Path.of(data).resolve("prepare.json"))) {
                PreparedData.Summary s = PreparedData.read(Path.of(data));
                maxText = s.maxTextTokens();
                trainer = trainer.withPath("--data", Path.of(data));
            } else {
                Path dataDir = run.resolve("data");
                trainer = trainer.withPath("--data", dataDir);
                if (model.tokenizerFile().isEmpty()) {
                    maxText = ASSUMED_TEXT_TOKENS;
                    notes.add("no tokenizer for this model yet: the memory estimate assumes " + ASSUMED_TEXT_TOKENS + " text tokens per sample");
                    if (!spec.dryRun()) {
                        model.tokenizer(); // refuses, naming what is missing
                    }
                } else {
                    try (Tokenizer tok = model.tokenizer()) {
                        maxText = PreparedData.maxTextTokens(PreparedData.load(data), tok, model.prompt());
                    }
                    InitModel.ModelFolder m = model;
                    prepare = () -> {
                        try (Tokenizer tok = m.tokenizer()) {
                            out.println("preparing " + data + " into " + dataDir);
                            out.flush();
                            PreparedData.prepare(data, tok, m.tokenizerFile().orElseThrow(), m.prompt(), dataDir);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    };
                }
            }
            String python = spec.python().isEmpty() && spec.dryRun() && spec.launcher() != LaunchSpec.Launcher.LOCAL
                    ? "python3" : PythonEnv.python(spec.python());
            if (spec.launcher() == LaunchSpec.Launcher.LOCAL && !spec.dryRun()) {
                PythonEnv.runnableHere(python);
            }
            Path pythonPath = PythonEnv.packageRoot();
            int world = LaunchPlanner.worldSize(spec);
            Optional<MemoryEstimate> memory = Optional.empty();
            try {
                memory = Optional.of(MemoryEstimate.of(spec, trainer, model.config(), maxText, Math.max(world, 1), gpu(spec)));
            } catch (IllegalArgumentException e) {
                notes.add("no memory estimate: " + e.getMessage());
            }
            int hidden = lmHidden(model);
            LaunchPlan plan = LaunchPlanner.plan(spec, new LaunchPlanner.Inputs(trainer, run, python, pythonPath, hidden, memory));
            if (!notes.isEmpty()) {
                plan = new LaunchPlan(plan.spec(), plan.runDir(), plan.worldSize(), plan.nodes(), plan.processes(), plan.files(),
                        plan.memory(), Stream.concat(plan.notes().stream(), notes.stream()).toList());
            }
            boolean tooBig = memory.flatMap(MemoryEstimate::fits).map(f -> !f).orElse(false);
            if (spec.dryRun()) {
                out.print(plan.describe());
                if (tooBig) {
                    out.println(spec.force() ? "the planner says this run does not fit; --force launches it anyway"
                            : "the planner says this run does not fit: a launch is refused without --force");
                }
                out.flush();
                return tooBig && !spec.force() ? EXIT_DOES_NOT_FIT : EXIT_OK;
            }
            if (tooBig && !spec.force()) {
                out.println(memory.get());
                out.flush();
                throw new DoesNotFit("the planner says this run does not fit " + memory.get().gpu().get().name()
                        + " (peak " + org.medvlm.zero.Units.both(memory.get().peakBytes()) + " per GPU): lower --batch-size,"
                        + " add --checkpointing, raise --zero or --offload, or give --force");
            }
            // ask the trainer whether this machine runs the engine (FSDP, DeepSpeed, CUDA); DDP and ZeRO-1 on CPUs
            // need only torch, which finding the Python checked
            boolean plainCpu = spec.device() == LaunchSpec.Device.CPU
                    && (spec.engine() == LaunchSpec.Engine.DDP || spec.engine() == LaunchSpec.Engine.ZERO1);
            if (!plainCpu && !(spec.launcher() == LaunchSpec.Launcher.TORCHRUN && spec.nodes() > 1)) {
                PythonEnv.probe(python, pythonPath, spec);
            }
            Files.createDirectories(run.resolve("logs"));
            if (tmpInit != null) {
                copyTree(tmpInit, run.resolve("init"));
            }
            if (prepare != null) {
                try {
                    prepare.run();
                } catch (java.io.UncheckedIOException e) {
                    throw e.getCause();
                }
            }
            for (Map.Entry<String, String> f : plan.files().entrySet()) {
                AtomicFiles.writeString(run.resolve(f.getKey()), f.getValue());
            }
            writeRunJson(plan, trainer);
            writeCreated(plan, trainer, trainer.flag("--resume"));
            out.println("launching " + plan.worldSize() + " process" + (plan.worldSize() == 1 ? "" : "es") + " ("
                    + spec.launcher().key() + ", engine " + spec.engine().key() + ") into " + run);
            out.flush();
            String state;
            if (spec.launcher() == LaunchSpec.Launcher.SLURM) {
                SlurmJob job = SlurmJob.submit(plan);
                out.println("submitted slurm job " + job.id());
                out.flush();
                state = job.follow(out, 1000);
            } else {
                state = Supervisor.start(plan, out).waitFor();
            }
            JsonObject status = RunFiles.status(run).orElseGet(JsonObject::new);
            if (state.equals("finished")) {
                out.println("run finished: " + run + " (final model in " + run.resolve("model") + ")");
                out.flush();
                return EXIT_OK;
            }
            String reason = status.has("reason") && !status.get("reason").isJsonNull() ? status.get("reason").getAsString() : state;
            throw new RunFailed("run " + state + ": " + reason);
        } finally {
            if (tmpInit != null) {
                RunFiles.deleteTree(tmpInit);
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.toList()) {
                Path target = to.resolve(f.getFileName().toString());
                if (Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    copyTree(f, target); // a tiny preset's shipped part folders
                } else {
                    AtomicFiles.write(target, o -> Files.copy(f, o));
                }
            }
        }
    }

    /** The launched run ended failed, stopped or cancelled (its status says why); the command line exits 1. */
    public static final class RunFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public RunFailed(String message) {
            super(message);
        }
    }

    /** The planner refused the run; the command line maps it to exit code 3. */
    public static final class DoesNotFit extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public DoesNotFit(String message) {
            super(message);
        }
    }

    /**
     * Stops a launched run (the notebook's {@code %train stop}): Slurm jobs are cancelled (scancel), local process
     * groups are terminated (SIGTERM, then SIGKILL). The state becomes "stopped" first, so whoever follows the run
     * reports a stop rather than a failure. Returns false when the run was not running.
     */
    public static boolean stop(Path runDir) throws IOException {
        Path run = runDir.toAbsolutePath().normalize();
        JsonObject status = RunFiles.status(run).orElseThrow(() -> new IOException(run + ": no status.json (not a run directory)"));
        String state = status.has("state") ? status.get("state").getAsString() : "unknown";
        if (state.equals("finished") || state.equals("failed") || state.equals("stopped")) {
            return false;
        }
        RunFiles.finish(run, "stopped", "stopped by request");
        JsonObject job = status.has("job") && status.get("job").isJsonObject() ? status.getAsJsonObject("job") : new JsonObject();
        JsonElement id = job.get("job_id");
        if (id != null && !id.isJsonNull() && "slurm".equals(str(job, "launcher"))) {
            SlurmJob.cancel(id.getAsString());
            return true;
        }
        JsonArray ranks = job.has("ranks") ? job.getAsJsonArray("ranks") : new JsonArray();
        for (JsonElement r : ranks) {
            long pid = r.getAsJsonObject().get("pid").getAsLong();
            if (isOurs(pid)) {
                Supervisor.signalGroup(pid, "TERM");
            }
        }
        long deadline = System.currentTimeMillis() + Supervisor.GRACE_MS;
        for (JsonElement r : ranks) {
            long pid = r.getAsJsonObject().get("pid").getAsLong();
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            if (h.isPresent()) {
                try {
                    h.get().onExit().get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    if (isOurs(pid)) {
                        Supervisor.signalGroup(pid, "KILL");
                    }
                }
            }
        }
        return true;
    }

    /** A pid that is still one of our processes (its command line names the trainer), not a reused pid. */
    static boolean isOurs(long pid) {
        Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
        try {
            return Files.isReadable(cmdline) && new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).contains("medvlm");
        } catch (IOException e) {
            return false;
        }
    }

    private static String str(JsonObject o, String k) {
        return o.has(k) && !o.get(k).isJsonNull() ? o.get(k).getAsString() : null;
    }

    private static void checkRunDir(Path run, boolean resume, boolean dryRun) throws IOException {
        if (!Files.isDirectory(run)) {
            if (Files.exists(run)) {
                throw new IllegalArgumentException(run + ": not a folder");
            }
            if (resume) {
                throw new IllegalArgumentException(run + ": no such run to --resume");
            }
            return;
        }
        boolean empty;
        try (Stream<Path> s = Files.list(run)) {
            empty = s.findAny().isEmpty();
        }
        if (empty) {
            return;
        }
        if (!resume) {
            throw new IllegalArgumentException(run + ": exists and is not empty; give a new --run-dir (or --resume to continue it)");
        }
        String state = RunFiles.state(run);
        if ((state.equals("running") || state.equals("created")) && !dryRun) {
            throw new IllegalArgumentException(run + ": the run is " + state + "; stop it before resuming");
        }
    }

    private static int lmHidden(InitModel.ModelFolder model) {
        return model.config().text().hiddenSize();
    }

    /** --gpu-model, else (GPUs on this machine) what nvidia-smi reports for GPU 0. */
    static Optional<Gpu> gpu(LaunchSpec spec) {
        if (!spec.gpuModel().isEmpty()) {
            return Optional.of(Gpu.parse(spec.gpuModel()));
        }
        if (spec.device() != LaunchSpec.Device.CUDA || spec.launcher() == LaunchSpec.Launcher.SLURM || spec.nodes() > 1) {
            return Optional.empty();
        }
        PythonEnv.Result r = PythonEnv.run(List.of("nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"),
                Optional.empty(), 20);
        if (r.code() != 0 || r.output().isBlank()) {
            return Optional.empty();
        }
        String[] first = r.output().strip().lines().findFirst().orElse("").split(",");
        try {
            return Optional.of(new Gpu(first[0].strip(), Long.parseLong(first[1].strip()) << 20));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void writeRunJson(LaunchPlan plan, TrainerArgs trainer) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("schema", RunFiles.SCHEMA);
        o.addProperty("created", RunFiles.now());
        String v = Launches.class.getPackage().getImplementationVersion();
        o.addProperty("toolkit_version", v == null ? "dev" : v);
        o.addProperty("kind", "launched");
        LaunchSpec s = plan.spec();
        JsonObject launch = new JsonObject();
        launch.addProperty("launcher", s.launcher().key());
        launch.addProperty("engine", s.engine().key());
        launch.addProperty("zero", s.stage());
        launch.addProperty("offload", s.offload().name().toLowerCase(java.util.Locale.ROOT));
        launch.addProperty("device", s.device().key());
        launch.addProperty("precision", s.precision().key());
        launch.addProperty("checkpointing", s.checkpointing());
        launch.addProperty("gpus", s.gpus());
        launch.addProperty("nodes", plan.nodes());
        launch.addProperty("world_size", plan.worldSize());
        o.add("launch", launch);
        JsonArray args = new JsonArray();
        trainer.args().forEach(args::add);
        o.add("trainer_args", args);
        JsonArray commands = new JsonArray();
        plan.processes().forEach(p -> commands.add(p.commandLine()));
        o.add("commands", commands);
        plan.memory().ifPresent(m -> {
            JsonObject mem = new JsonObject();
            mem.addProperty("peak_bytes", m.peakBytes());
            mem.addProperty("per", m.perGpu() ? "gpu" : "process");
            mem.addProperty("trained_params", m.trainedParams());
            mem.addProperty("total_params", m.totalParams());
            o.add("memory_estimate", mem);
        });
        AtomicFiles.writeString(plan.runDir().resolve("run.json"),
                new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n");
    }

    /** status.json before the ranks start; a resumed run keeps its step and checkpoint. */
    private static void writeCreated(LaunchPlan plan, TrainerArgs trainer, boolean resume) throws IOException {
        JsonObject f = new JsonObject();
        f.addProperty("state", "created");
        f.add("reason", null);
        f.addProperty("total_steps", trainer.steps());
        f.addProperty("pid", ProcessHandle.current().pid());
        f.addProperty("kind", "launched");
        if (!resume) {
            f.addProperty("step", 0);
            f.add("started", null);
            f.add("checkpoint", null);
        }
        RunFiles.updateStatus(plan.runDir(), f);
    }
}
