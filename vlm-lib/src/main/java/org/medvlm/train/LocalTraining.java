package org.medvlm.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.medvlm.data.VqaExample;
import org.medvlm.vlm.VisionLanguageModel;

/**
 * An in-process run from settings to result: the model of the preset (or folder), its freezing, the objective over the
 * dataset's train and held-out splits, the run folder and the trainer. What {@code medvlm train} and {@code %%train}
 * call; the caller keeps the returned model (the session's model after a notebook run) or closes it.
 */
public final class LocalTraining {
    private LocalTraining() {}

    /** A finished (or stopped) run and, for a VQA run, its trained model, which the caller owns (null otherwise). */
    public record Outcome(Trainer.Result result, VisionLanguageModel model, RunDirectory run) {}

    /**
     * Runs {@code settings} in {@code runDir}; {@code data} loads the dataset (only a VQA preset needs it: the
     * pre-training presets draw phantom cases themselves). {@code started} receives the trainer before the first update
     * (to stop it from another thread); {@code listeners} get every event; {@code warnings} one-line notes.
     */
    public static Outcome run(TrainSettings settings, Supplier<List<VqaExample>> data, Path runDir,
            List<RunEvents.Listener> listeners, Consumer<String> warnings, Consumer<Trainer> started) throws IOException {
        RunDirectory.check(runDir, runJson(settings), settings.resume(), "preset");
        // data and model before the run folder: a dataset or model that cannot be read leaves no folder behind
        Objective objective = TrainPresets.objective(settings, data);
        try {
            RunDirectory run = RunDirectory.create(runDir, runJson(settings), settings.resume(), "preset");
            Trainer trainer = new Trainer(settings, objective, run, listeners, warnings);
            started.accept(trainer);
            Trainer.Result result = trainer.run();
            VisionLanguageModel model = objective instanceof VqaObjective v ? v.vlm() : null;
            if (model == null) {
                objective.close();
            }
            return new Outcome(result, model, run);
        } catch (IOException | RuntimeException | Error e) {
            objective.close();
            if (objective instanceof VqaObjective v) {
                v.vlm().close();
            }
            throw e;
        }
    }

    private static com.google.gson.JsonObject runJson(TrainSettings s) {
        com.google.gson.JsonObject o = s.toJson();
        o.addProperty("kind", "local");
        o.addProperty("engine", "djl");
        // without it MKL's products depend on memory alignment and a resumed run drifts in the last bits
        o.addProperty("mkl_cbwr", System.getenv("MKL_CBWR"));
        return o;
    }

    /**
     * The training split ({@code train}) and the held-out one ({@code test}, else {@code validate}/{@code val}/
     * {@code validation}); a dataset with neither is refused by name.
     */
    static void split(List<VqaExample> data, List<VqaExample> train, List<VqaExample> test, String name) {
        List<VqaExample> validation = new ArrayList<>();
        for (VqaExample e : data) {
            String split = e.split() == null ? "" : e.split().toLowerCase(Locale.ROOT);
            switch (split) {
                case "train", "training" -> train.add(e);
                case "test" -> test.add(e);
                case "validate", "val", "validation", "valid" -> validation.add(e);
                default -> { }
            }
        }
        if (test.isEmpty()) {
            test.addAll(validation);
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException(name + ": has no train split (" + data.size() + " examples)");
        }
        if (test.isEmpty()) {
            throw new IllegalArgumentException(name + ": has no test or validation split to evaluate on");
        }
    }
}
