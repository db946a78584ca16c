package org.medvlm.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import org.medvlm.data.VqaExample;
import org.medvlm.launch.InitModel;
import org.medvlm.launch.Launches;
import org.medvlm.launch.RunFiles;
import org.medvlm.train.LocalTraining;
import org.medvlm.train.RunEvents;
import org.medvlm.train.RunFollower;
import org.medvlm.train.TrainPresets;
import org.medvlm.train.TrainSettings;
import org.medvlm.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code medvlm train}: trains the VLM in this process on the CPU (DJL), writing a run folder (settings, status,
 * metrics, samples, checkpoints, the final model) that notebooks and later commands read. The same command is
 * {@code %%train} in a notebook, whose body lines are this command's options ({@code steps: 300}).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains the VLM in this process on the CPU, writing a run folder with metrics, samples,"
            + " checkpoints and the final model.",
            "In a notebook: %%%%train with one option per line as the cell body (steps: 300); %%train status,"
            + " %%train stop, %%train attach RUN_DIR."},
        subcommands = {TrainCommand.Status.class, TrainCommand.Stop.class, TrainCommand.Attach.class})
final class TrainCommand implements Callable<Integer> {
    private final Display display;
    @Spec CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", description = "The recipe: tiny (BLIP-2 stage 2 on the built-in"
            + " model: its pre-trained ViT and BLOOM frozen, a fresh Q-Former trained), tiny-gated (the Flamingo fusion),"
            + " tiny-vision and tiny-text (pre-training the built-in ViT and BLOOM). Default: tiny.")
    String preset = "tiny";

    @Option(names = "--data", paramLabel = "FORMAT:PATH", description = "The dataset, as the datasets commands take it"
            + " (phantoms:2000:7, vqa-rad:DIR, slake:DIR, ...). Default: phantoms:2000:7 (phantoms:20000:101 for the"
            + " pre-training presets).")
    String data;

    @Option(names = "--model", paramLabel = "DIR", description = "Start from this model folder (or run folder) instead of the preset's parts.")
    Path model;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "The run folder (new or empty; with --resume, a run's"
            + " folder). Default: runs/PRESET-DATE-TIME in the current folder.")
    Path runDir;

    @Option(names = "--steps", paramLabel = "N", description = "Optimizer updates (default: the preset's).")
    Integer steps;

    @Option(names = "--seed", paramLabel = "S", description = "The run's one seed: initialisation, data order, dropout (default 0).")
    Long seed;

    @Option(names = "--batch-size", paramLabel = "B", description = "Examples per micro-batch.")
    Integer batchSize;

    @Option(names = "--grad-accum", paramLabel = "K", description = "Micro-batches per update.")
    Integer gradAccum;

    @Option(names = "--lr", paramLabel = "X", description = "Peak learning rate (linear warm-up, then cosine decay).")
    Double lr;

    @Option(names = "--adam-beta2", paramLabel = "X", description = "AdamW's second-moment decay.")
    Double beta2;

    @Option(names = "--warmup-steps", paramLabel = "N", description = "Updates of warm-up.")
    Integer warmupSteps;

    @Option(names = "--weight-decay", paramLabel = "X", description = "AdamW's decoupled weight decay (not on biases and norms).")
    Double weightDecay;

    @Option(names = "--grad-clip", paramLabel = "X", description = "Maximum global gradient norm (0: off).")
    Double gradClip;

    @Option(names = "--freeze", paramLabel = "POLICY", description = "What stays frozen: blip2 (ViT and LLM; the Q-Former"
            + " trains), gated (only the gated cross-attention trains), none (everything trains), lora (LoRA adapters on"
            + " BLOOM plus the fusion train).")
    String freeze;

    @Option(names = "--lora-r", paramLabel = "R", description = "LoRA rank (with --freeze lora).")
    Integer loraR;

    @Option(names = "--lora-alpha", paramLabel = "A", description = "LoRA alpha.")
    Double loraAlpha;

    @Option(names = "--lora-dropout", paramLabel = "P", description = "LoRA dropout.")
    Double loraDropout;

    @Option(names = "--eval-every", paramLabel = "N", description = "Updates between evaluations on the held-out split.")
    Integer evalEvery;

    @Option(names = "--eval-limit", paramLabel = "N", description = "Most held-out questions per evaluation (0: all).")
    Integer evalLimit;

    @Option(names = "--samples", paramLabel = "N", description = "Examples shown per evaluation (the image–answer table).")
    Integer samples;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Updates between checkpoints.")
    Integer checkpointEvery;

    @Option(names = "--keep-checkpoints", paramLabel = "K", description = "Checkpoints kept (the newest).")
    Integer keepCheckpoints;

    @Option(names = "--resume", description = "Continue the run in --run-dir from its newest complete checkpoint.")
    boolean resume;

    @Option(names = "--background", description = "In a notebook: return at once while the run goes on (follow it with"
            + " %%train status; stop it with %%train stop).")
    boolean background;

    @Option(names = "--json", description = "Print one JSON object at the end: closed_accuracy, open_recall,"
            + " exact_match, steps, seconds, run_dir.")
    boolean json;

    @Option(names = "--settings", paramLabel = "FILE", description = "Options from a file, one per line as KEY: VALUE"
            + " (what a %%%%train cell body holds).")
    Path settings;

    /** What errors call the settings file: a notebook's {@code %%train} hands its body over in a temporary file. */
    @Option(names = "--settings-label", hidden = true)
    String settingsLabel;

    /**
     * The threads of runs, outside the caller's thread group: a notebook kernel stops a cell by interrupting (Java 25)
     * or stopping (Java 17) every thread of the cell's group, which must not reach a trainer in the middle of an update
     * or a checkpoint; a run stops only through {@link Trainer#stop}, which ■ asks for (see {@link #call}).
     */
    private static final ThreadGroup RUNS = new ThreadGroup(rootThreadGroup(), "medvlm-runs");

    private static ThreadGroup rootThreadGroup() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) {
            g = g.getParent();
        }
        return g;
    }

    /** With --launcher: the run goes to other processes (GPUs, nodes, Slurm) through {@link Launches}. */
    @Mixin LaunchOptions launch = new LaunchOptions();

    TrainCommand(Display display) {
        this.display = display;
    }

    @Override
    public Integer call() throws Exception {
        if (settings != null) {
            return rerunWithSettings();
        }
        if (launch.requested()) {
            return launched();
        }
        TrainSettings s = settings();
        Path dir = runDir != null ? runDir : defaultRunDir(s.preset());
        if (runDir == null) {
            display.err().println("medvlm train: run folder " + dir);
            display.err().flush();
        }
        java.util.function.Supplier<List<VqaExample>> examples = () -> DatasetSpec.resolve(display, s.data()).examples();
        TrainSession session = TrainSession.of(display);
        RunEvents.Listener view = display.runView("training " + s.preset() + " on " + s.data(), s.steps());
        AtomicReference<Trainer> trainer = new AtomicReference<>();
        FutureTask<LocalTraining.Outcome> task = new FutureTask<>(() -> {
            try {
                return LocalTraining.run(s, examples, dir, List.of(view), w -> warn(w), t -> {
                    trainer.set(t);
                    session.started(dir, t);
                });
            } finally {
                session.ended(dir);
            }
        });
        Thread worker = new Thread(RUNS, task, "medvlm-train " + dir.getFileName());
        worker.setDaemon(true);
        worker.start();
        if (background) {
            if (!display.rich()) {
                throw new UserError("--background keeps a run going inside a notebook kernel; in a terminal run the command"
                        + " in the background of your shell instead (... &)");
            }
            display.out().println("training in the background in " + dir + "; %train status to follow it, %train stop to stop it");
            display.out().flush();
            Thread finisher = new Thread(RUNS, () -> adopt(task, dir), "medvlm-train-finish");
            finisher.setDaemon(true);
            finisher.start();
            return Medvlm.EXIT_OK;
        }
        LocalTraining.Outcome outcome;
        try {
            outcome = task.get();
        } catch (InterruptedException e) {
            // ■ in a notebook, or Ctrl-C handling: stop after the current update, with a checkpoint
            Trainer t = trainer.get();
            if (t != null) {
                t.stop("interrupted");
            }
            outcome = waitUninterruptibly(task);
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
        return finish(outcome, dir);
    }

    /**
     * The run launched in other processes (local ranks, torchrun, DeepSpeed, Slurm) running the Python trainer. The
     * trainer gets the resolved settings of a toolkit preset (tiny, tiny-gated), or for the real-architecture presets
     * (biomedclip-bloomz-560m, -1b7, -7b1) the options given; --model starts from a model folder (or a run's model).
     */
    private int launched() throws Exception {
        boolean toolkitPreset = TrainPresets.NAMES.contains(preset.toLowerCase(Locale.ROOT));
        List<String> args = new ArrayList<>();
        String runData = data != null ? data : TrainPresets.defaultData(preset);
        if (model == null && !toolkitPreset) {
            InitModel.Preset.of(preset); // an unknown name is refused here, naming the presets
        }
        if (toolkitPreset || model != null) {
            TrainSettings s = toolkitPreset ? settings() : null;
            if (s != null) {
                runData = s.data(); // --data, a --settings file's, or the preset's
                add(args, "--steps", s.steps());
                add(args, "--seed", s.seed());
                add(args, "--batch-size", s.batchSize());
                add(args, "--grad-accum", s.gradAccum());
                add(args, "--lr", s.lr());
                add(args, "--warmup-steps", s.warmupSteps());
                add(args, "--weight-decay", s.weightDecay());
                add(args, "--grad-clip", s.gradClip());
                add(args, "--freeze", s.freeze().key());
                add(args, "--lora-r", s.loraR());
                add(args, "--lora-alpha", s.loraAlpha());
                add(args, "--lora-dropout", s.loraDropout());
                add(args, "--eval-every", s.evalEvery());
                add(args, "--eval-limit", s.evalLimit());
                add(args, "--samples", s.samples());
                add(args, "--checkpoint-every", s.checkpointEvery());
                add(args, "--keep-checkpoints", s.keepCheckpoints());
            }
        }
        if (args.isEmpty()) {
            add(args, "--steps", steps);
            add(args, "--seed", seed);
            add(args, "--batch-size", batchSize);
            add(args, "--grad-accum", gradAccum);
            add(args, "--lr", lr);
            add(args, "--warmup-steps", warmupSteps);
            add(args, "--weight-decay", weightDecay);
            add(args, "--grad-clip", gradClip);
            add(args, "--freeze", freeze);
            add(args, "--lora-r", loraR);
            add(args, "--lora-alpha", loraAlpha);
            add(args, "--lora-dropout", loraDropout);
            add(args, "--eval-every", evalEvery);
            add(args, "--eval-limit", evalLimit);
            add(args, "--samples", samples);
            add(args, "--checkpoint-every", checkpointEvery);
            add(args, "--keep-checkpoints", keepCheckpoints);
        }
        args.add("--data");
        args.add(runData);
        if (resume) {
            args.add("--resume");
        }
        Path dir = runDir != null ? runDir : launch.dryRun() ? Path.of("runs", "dry-run") : defaultRunDir(preset);
        // in a notebook the launched run gets the live view a local run has, fed from its run folder as attach does
        Thread viewer = display.rich() && !launch.dryRun() ? followInView(dir) : null;
        try {
            if (model != null) {
                args.add("--model");
                args.add(TrainPresets.modelFolder(model).toString());
                return Launches.run(launch, args, dir, display);
            }
            return Launches.runPreset(launch, InitModel.Preset.of(preset), Map.of(), args, dir, display);
        } catch (Launches.DoesNotFit e) {
            display.err().println("medvlm train: " + e.getMessage());
            display.err().flush();
            return Medvlm.EXIT_DOES_NOT_FIT;
        } finally {
            if (viewer != null) {
                viewer.join(3000); // it ends by itself once it has read the final status and the last lines
                viewer.interrupt();
            }
        }
    }

    private static void add(List<String> args, String name, Object value) {
        if (value != null) {
            args.add(name);
            args.add(value.toString());
        }
    }

    /** The finished run's model becomes the session's model (for {@code vlm ask}); prints the result. */
    private int finish(LocalTraining.Outcome outcome, Path dir) {
        if (outcome.model() != null) {
            VlmSession.of(display).setModel(outcome.model(), dir.toString());
        }
        Trainer.Result r = outcome.result();
        RunEvents.Eval e = r.lastEval();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("closed_accuracy", e == null ? null : e.metrics().closedAccuracy());
            o.put("open_recall", e == null ? null : e.metrics().openRecall());
            o.put("exact_match", e == null ? null : e.metrics().exactMatch());
            o.put("steps", r.steps());
            o.put("seconds", Math.round(r.seconds() * 10) / 10.0);
            o.put("run_dir", dir.toString());
            o.put("state", r.state().key());
            display.out().println(Json.compact(o));
        } else {
            display.out().println("run " + r.state().key() + " after " + r.steps() + " updates in "
                    + String.format(Locale.ROOT, "%.1f", r.seconds()) + " s; "
                    + (r.model() != null ? "model in " + r.model() : "checkpoints in " + dir.resolve("checkpoints")));
        }
        display.out().flush();
        return Medvlm.EXIT_OK;
    }

    private void adopt(FutureTask<LocalTraining.Outcome> task, Path dir) {
        try {
            LocalTraining.Outcome o = task.get();
            if (o.model() != null) {
                VlmSession.of(display).setModel(o.model(), dir.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            warn("the background run in " + dir + " failed: " + Medvlm.describe(e.getCause()));
        }
    }

    private static LocalTraining.Outcome waitUninterruptibly(FutureTask<LocalTraining.Outcome> task) throws Exception {
        while (true) {
            try {
                return task.get();
            } catch (InterruptedException again) {
                // keep waiting: the run is writing its checkpoint
            } catch (ExecutionException e) {
                throw unwrap(e);
            }
        }
    }

    private static Exception unwrap(ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof Exception ex) {
            return ex;
        }
        if (c instanceof Error err) {
            throw err;
        }
        return e;
    }

    private void warn(String message) {
        display.err().println("medvlm train: " + message);
        display.err().flush();
    }

    /** The preset's defaults with every option the user gave. */
    TrainSettings settings() {
        TrainSettings d;
        try {
            d = TrainPresets.defaults(preset, data, seed == null ? 0 : seed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--preset: " + e.getMessage());
        }
        try {
            return new TrainSettings(d.preset(), d.data(), model, or(steps, d.steps()), d.seed(), or(batchSize, d.batchSize()),
                    or(gradAccum, d.gradAccum()), or(lr, d.lr()), or(beta2, d.beta2()), or(warmupSteps, d.warmupSteps()),
                    or(weightDecay, d.weightDecay()), or(gradClip, d.gradClip()),
                    freeze == null ? d.freeze() : TrainSettings.Freeze.parse(freeze), or(loraR, d.loraR()),
                    or(loraAlpha, d.loraAlpha()), or(loraDropout, d.loraDropout()), or(evalEvery, d.evalEvery()),
                    or(evalLimit, d.evalLimit()), or(samples, d.samples()), or(checkpointEvery, d.checkpointEvery()),
                    or(keepCheckpoints, d.keepCheckpoints()), resume);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /** runs/PRESET-STAMP, with -2, -3, ... where a run of the same second has the name already. */
    private static Path defaultRunDir(String preset) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        Path dir = Path.of("runs", preset + "-" + stamp);
        for (int n = 2; Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS); n++) {
            dir = Path.of("runs", preset + "-" + stamp + "-" + n);
        }
        return dir;
    }

    /**
     * Runs the command again with the settings file's lines as options; an option also given on the command line (or
     * the {@code %%train} line) wins over the file's line, as a command line wins over a config file elsewhere.
     */
    private int rerunWithSettings() throws IOException {
        // a settings file is a few lines: a pipe, device or huge file is refused by name before it is read
        String text = org.medvlm.io.InputFiles.readString(settings, org.medvlm.io.Limit.LINE_CHARS);
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        int own = all.indexOf(spec.name()); // the parent's arguments come first when run from medvlm
        List<String> original = own >= 0 ? all.subList(own + 1, all.size()) : all;
        List<String> given = new ArrayList<>();
        java.util.Set<String> givenOptions = new java.util.HashSet<>();
        for (int i = 0; i < original.size(); i++) {
            String a = original.get(i);
            if (a.equals("--settings") || a.equals("--settings-label")) {
                i++;
            } else if (!a.startsWith("--settings=") && !a.startsWith("--settings-label=")) {
                given.add(a);
                CommandLine.Model.OptionSpec o = a.startsWith("-") ? spec.findOption(a.split("=", 2)[0]) : null;
                if (o != null) {
                    givenOptions.add(o.longestName());
                }
            }
        }
        List<String> args = new ArrayList<>();
        settingsArgs(text, settingsLabel != null ? settingsLabel : settings.toString(), spec).forEach((option, value) -> {
            if (!givenOptions.contains(option)) {
                args.add(option);
                if (value != null) {
                    args.add(value);
                }
            }
        });
        args.addAll(given);
        CommandLine cl = spec.commandLine();
        TrainCommand again = new TrainCommand(display);
        CommandLine sub = new CommandLine(again, new Medvlm.Factory(display));
        sub.setCaseInsensitiveEnumValuesAllowed(true);
        sub.setParameterExceptionHandler(cl.getParameterExceptionHandler());
        sub.setExecutionExceptionHandler(cl.getExecutionExceptionHandler());
        sub.setOut(display.out());
        sub.setErr(display.err());
        sub.getCommandSpec().name(cl.getCommandSpec().qualifiedName(" "));
        return sub.execute(args.toArray(String[]::new));
    }

    /**
     * A settings text ({@code %%train} body) as options, each option's longest name with its value (null for a flag
     * that is on): one {@code KEY: VALUE} (or {@code KEY = VALUE}) per line, {@code #} comments, keys as the options
     * without dashes ({@code batch-size} or {@code batch_size}), flags {@code true} or {@code false}. A malformed line,
     * an unknown key and a key given twice are named with their line.
     */
    static java.util.Map<String, String> settingsArgs(String text, String where, CommandLine.Model.CommandSpec command) {
        java.util.Map<String, String> args = new java.util.LinkedHashMap<>();
        java.util.Map<String, Integer> lineOf = new java.util.HashMap<>();
        String[] lines = text.split("\\R", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            int hash = line.indexOf('#');
            if (hash == 0) {
                continue;
            }
            if (line.isEmpty()) {
                continue;
            }
            int sep = indexOfSeparator(line);
            if (sep <= 0) {
                throw new UserError(where + ": line " + (n + 1) + " is not KEY: VALUE: " + abbreviate(line));
            }
            String key = line.substring(0, sep).strip().toLowerCase(Locale.ROOT).replace('_', '-');
            String value = line.substring(sep + 1).strip();
            if (key.startsWith("--")) {
                key = key.substring(2);
            }
            CommandLine.Model.OptionSpec option = key.equals("settings") ? null : command.findOption("--" + key);
            if (option == null || option.hidden()) {
                List<String> near = new CommandLine.UnmatchedArgumentException(command.commandLine(), List.of("--" + key))
                        .getSuggestions().stream().map(o -> o.replaceFirst("^--", "")).limit(3).toList();
                throw new UserError(where + ": line " + (n + 1) + ": no setting '" + abbreviate(key) + "'"
                        + (near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near) + "?")
                        + " (the settings are " + command.qualifiedName() + "'s options without their dashes)");
            }
            boolean flag = option.arity().max() == 0;
            if (flag && !value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                throw new UserError(where + ": line " + (n + 1) + ": " + key + " is true or false, not " + abbreviate(value));
            }
            Integer earlier = lineOf.put(option.longestName(), n + 1);
            if (earlier != null) {
                throw new UserError(where + ": line " + (n + 1) + ": " + key + " is set on line " + earlier + " already");
            }
            if (flag && value.equalsIgnoreCase("true")) {
                args.put(option.longestName(), null);
            } else if (!flag) {
                args.put(option.longestName(), value);
            }
        }
        return args;
    }

    private static int indexOfSeparator(String line) {
        int colon = line.indexOf(':');
        int equals = line.indexOf('=');
        if (colon < 0) {
            return equals;
        }
        return equals < 0 ? colon : Math.min(colon, equals);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /** {@code train status [RUN_DIR]}: the state and latest scores of a run (this session's newest by default). */
    @Command(name = "status", mixinStandardHelpOptions = true, description = "Shows a run's state, step and latest scores.")
    static final class Status implements Callable<Integer> {
        private final Display display;

        @Parameters(arity = "0..1", paramLabel = "RUN_DIR", description = "The run folder (default: this session's newest run).")
        Path dir;

        Status(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() throws IOException {
            Path run = dir;
            if (run == null) {
                run = TrainSession.of(display).find(null).map(Map.Entry::getKey)
                        .orElseThrow(() -> new UserError("no run is active in this session; give its folder: train status RUN_DIR"));
            }
            if (!Files.isDirectory(run)) {
                throw new UserError(run + ": no such run folder");
            }
            JsonObject o = RunFollower.describe(run);
            List<Object> events = org.medvlm.train.RunDirectory.open(run).metrics();
            for (int i = events.size() - 1; i >= 0; i--) {
                if (events.get(i) instanceof RunEvents.Eval e) {
                    JsonObject m = new JsonObject();
                    m.addProperty("step", e.step());
                    m.addProperty("closed_accuracy", e.metrics().closedAccuracy());
                    m.addProperty("open_recall", e.metrics().openRecall());
                    m.addProperty("exact_match", e.metrics().exactMatch());
                    o.add("last_eval", m);
                    break;
                }
            }
            display.out().println(RunEvents.line(o));
            display.out().flush();
            return Medvlm.EXIT_OK;
        }
    }

    /** {@code train stop [RUN_DIR]}: stops an active run after its current update, with a checkpoint. */
    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Stops an active run after its current update; it writes a checkpoint first.")
    static final class Stop implements Callable<Integer> {
        private final Display display;

        @Parameters(arity = "0..1", paramLabel = "RUN_DIR", description = "The run folder (default: this session's newest run).")
        Path dir;

        Stop(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() throws IOException {
            if (dir != null && RunFiles.status(dir).map(o -> o.has("kind") && "launched".equals(o.get("kind").getAsString()))
                    .orElse(false)) {
                // a launched run: its processes are stopped (Slurm: scancel; local ranks: their process groups)
                boolean stopped = Launches.stop(dir);
                display.out().println(stopped ? "stopped the launched run in " + dir : dir + " is not running ("
                        + RunFiles.state(dir) + ")");
                display.out().flush();
                return Medvlm.EXIT_OK;
            }
            Map.Entry<Path, Trainer> run = TrainSession.of(display).find(dir)
                    .orElseThrow(() -> new UserError(dir == null ? "no run is active in this session"
                            : dir + ": no run of this session is active there"));
            run.getValue().stop("stopped by the user");
            display.out().println("stopping the run in " + run.getKey() + " after its current update (a checkpoint is written)");
            display.out().flush();
            return Medvlm.EXIT_OK;
        }
    }

    /** A daemon thread showing the run in {@code dir} (once its files appear) in the display's run view until interrupted. */
    private Thread followInView(Path dir) {
        Thread t = new Thread(() -> {
            try {
                RunEvents.Listener view = display.runView("launched run " + dir, 0);
                new RunFollower(dir.toAbsolutePath()).follow(view, 500, 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                display.err().println("medvlm train: the live view stopped following " + dir + ": " + Medvlm.describe(e));
                display.err().flush();
            }
        }, "medvlm-launched-run-view");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** {@code train attach RUN_DIR}: follows a run's files (another process's, or one from before a kernel restart). */
    @Command(name = "attach", mixinStandardHelpOptions = true,
            description = "Follows a run folder's metrics, samples and status until the run ends (the same views as a live run).")
    static final class Attach implements Callable<Integer> {
        private final Display display;

        @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run folder.")
        Path dir;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop following after this long (0: until the run ends).")
        long timeout;

        Attach(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() throws IOException {
            org.medvlm.train.RunDirectory.open(dir);
            RunEvents.Listener view = display.runView("run " + dir, 0);
            try {
                RunEvents.Status s = new RunFollower(dir).follow(view, 500, timeout * 1000);
                display.out().println("run " + (s == null ? "not started" : s.state().key()) + " in " + dir);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                display.out().println("stopped following " + dir + " (the run itself goes on)");
            }
            display.out().flush();
            return Medvlm.EXIT_OK;
        }
    }
}
