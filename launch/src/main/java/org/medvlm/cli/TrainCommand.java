package org.medvlm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medvlm.launch.InitModel;
import org.medvlm.launch.Launches;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code medvlm train}. TEMPORARY minimal wiring (python-trainer branch) until the lead's TrainCommand lands: it
 * holds the shared training options and hands launched runs ({@code --launcher}) to {@link Launches}; training in
 * this JVM still refuses. {@code train stop RUN} stops a launched run.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Trains the VLM: launched runs (--launcher local|torchrun|deepspeed|slurm) for now.",
            "In a notebook: %%train with the run's settings as the cell body; %train status|stop|attach RUN."})
final class TrainCommand implements Callable<Integer> {
    private final Display display;

    @Parameters(arity = "0..2", paramLabel = "ACTION [RUN]", description = "status or stop, and the run directory.")
    List<String> action = new ArrayList<>();

    @Option(names = "--settings", paramLabel = "FILE", description = "The run's settings (model, data, stage, GPUs, steps ...).")
    Path settings;

    @Option(names = "--model", paramLabel = "DIR", description = "The model folder to start from.")
    Path model;

    @Option(names = "--preset", paramLabel = "NAME", description = "An architecture to start from: " + "tiny, biomedclip-bloomz-560m, biomedclip-bloomz-1b7, biomedclip-bloomz-7b1.")
    String preset;

    @Option(names = "--vision-weights", paramLabel = "DIR", description = "With --preset: a vision part folder (a converted BiomedCLIP).")
    Path visionWeights;

    @Option(names = "--qformer-weights", paramLabel = "DIR", description = "With --preset: a Q-Former part folder (HF BLIP-2 names).")
    Path qformerWeights;

    @Option(names = "--lm-weights", paramLabel = "DIR", description = "With --preset: a bloomz folder (config, safetensors, tokenizer).")
    Path lmWeights;

    @Option(names = "--data", paramLabel = "D", description = "FORMAT:PATH (phantoms:400:3, slake:DIR, ...) or a prepared folder.")
    String data;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "The run directory (new, or an existing run with --resume).")
    Path runDir;

    @Option(names = "--steps") Integer steps;
    @Option(names = "--seed") Integer seed;
    @Option(names = "--lr") Double lr;
    @Option(names = "--batch-size") Integer batchSize;
    @Option(names = "--grad-accum") Integer gradAccum;
    @Option(names = "--warmup-steps") Integer warmupSteps;
    @Option(names = "--weight-decay") Double weightDecay;
    @Option(names = "--grad-clip") Double gradClip;
    @Option(names = "--freeze") String freeze;
    @Option(names = "--lora-r") Integer loraR;
    @Option(names = "--lora-alpha") Double loraAlpha;
    @Option(names = "--lora-dropout") Double loraDropout;
    @Option(names = "--eval-every") Integer evalEvery;
    @Option(names = "--checkpoint-every") Integer checkpointEvery;
    @Option(names = "--keep-checkpoints") Integer keepCheckpoints;
    @Option(names = "--resume") boolean resume;

    @Mixin LaunchOptions launch = new LaunchOptions();

    TrainCommand(Display display) {
        this.display = display;
    }

    @Override
    public Integer call() throws Exception {
        if (!action.isEmpty()) {
            return action();
        }
        if (!launch.requested()) {
            throw new UserError("training is not available yet in this JVM (the local trainer arrives with the training"
                    + " issues); launch the run with --launcher local|torchrun|deepspeed|slurm (CPUs: --launcher local --device cpu)");
        }
        if (model != null && preset != null) {
            throw new UserError("give --model DIR or --preset NAME (one of them)");
        }
        if (model == null && preset == null) {
            preset = "tiny";
        }
        if (data == null) {
            if (!launch.dryRun()) {
                throw new UserError("a launched run needs --data (FORMAT:PATH, e.g. phantoms:400:3, or a prepared folder)");
            }
            data = "phantoms:400:3"; // a dry run plans with the built-in data when none is named
        }
        if (runDir == null) {
            if (!launch.dryRun()) {
                throw new UserError("a launched run needs --run-dir DIR (a new folder)");
            }
            runDir = Path.of("runs", "dry-run"); // not created: a dry run writes nothing
        }
        List<String> args = new ArrayList<>();
        if (model != null) {
            add(args, "--model", model.toString());
        }
        add(args, "--data", data);
        add(args, "--steps", steps);
        add(args, "--seed", seed);
        add(args, "--lr", lr);
        add(args, "--batch-size", batchSize);
        add(args, "--grad-accum", gradAccum);
        add(args, "--warmup-steps", warmupSteps);
        add(args, "--weight-decay", weightDecay);
        add(args, "--grad-clip", gradClip);
        add(args, "--freeze", freeze);
        add(args, "--lora-r", loraR);
        add(args, "--lora-alpha", loraAlpha);
        add(args, "--lora-dropout", loraDropout);
        add(args, "--eval-every", evalEvery);
        add(args, "--checkpoint-every", checkpointEvery);
        add(args, "--keep-checkpoints", keepCheckpoints);
        if (resume) {
            args.add("--resume");
        }
        try {
            if (preset != null) {
                Map<String, Path> parts = new LinkedHashMap<>();
                if (visionWeights != null) {
                    parts.put("vision", visionWeights);
                }
                if (qformerWeights != null) {
                    parts.put("qformer", qformerWeights);
                }
                if (lmWeights != null) {
                    parts.put("text", lmWeights);
                }
                return Launches.runPreset(launch, InitModel.Preset.of(preset), parts, args, runDir, display);
            }
            return Launches.run(launch, args, runDir, display);
        } catch (Launches.DoesNotFit e) {
            display.err().println("medvlm train: " + e.getMessage());
            display.err().flush();
            return Medvlm.EXIT_DOES_NOT_FIT;
        }
    }

    private Integer action() throws Exception {
        String verb = action.get(0);
        if (verb.equals("attach")) {
            throw new UserError("training is not available yet in this JVM: attach arrives with the training issues;"
                    + " follow a launched run with 'train status RUN'");
        }
        if (action.size() != 2) {
            throw new UserError("usage: train status|stop RUN_DIR");
        }
        Path run = Path.of(action.get(1));
        switch (verb) {
            case "stop" -> {
                boolean stopped = Launches.stop(run);
                display.out().println(stopped ? "stopped " + run : run + " is not running (" + org.medvlm.launch.RunFiles.state(run) + ")");
            }
            case "status" -> display.out().println(org.medvlm.launch.RunFiles.status(run)
                    .map(Object::toString).orElseThrow(() -> new UserError(run + ": no status.json (not a run directory)")));
            default -> throw new UserError("unknown action '" + verb + "' (status, stop)");
        }
        display.out().flush();
        return Medvlm.EXIT_OK;
    }

    private static void add(List<String> args, String name, Object value) {
        if (value != null) {
            args.add(name);
            args.add(value.toString());
        }
    }
}
