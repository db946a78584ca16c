package org.medvlm.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medvlm.data.VqaExample;
import org.medvlm.dicom.WindowPreset;
import org.medvlm.io.AtomicFiles;
import org.medvlm.vlm.Answer;
import org.medvlm.vlm.AnswerTable;
import org.medvlm.vlm.AttentionMap;
import org.medvlm.vlm.Fusion;
import org.medvlm.vlm.VisionLanguageModel;
import org.medvlm.vlm.VlmSummary;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code vlm load} and {@code vlm ask}: the composite VLM from the command line and, through the same
 * grammar, the notebook's {@code %vlm}. A loaded model stays in the {@link VlmSession} (the notebook keeps it
 * between cells; a terminal run loads what it needs each time).
 */
@Command(name = "vlm", mixinStandardHelpOptions = true,
        description = "Loads the vision-language model and asks it about images.",
        subcommands = {VlmCommand.Load.class, VlmCommand.Ask.class, VlmCommand.Explain.class})
final class VlmCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    private final Display display;
    private final VlmSession session;

    VlmCommand(Display display) {
        this.display = display;
        this.session = VlmSession.of(display);
    }

    /** A bare {@code vlm} prints its usage. */
    @Override
    public Integer call() {
        spec.commandLine().usage(display.out());
        return Medvlm.EXIT_OK;
    }

    /** Where the model comes from: a folder or the built-in small model. */
    static final class ModelChoice {
        @Option(names = "--model", paramLabel = "DIR",
                description = "A model folder (config.json + safetensors + tokenizer.json), or a training run's folder (its final model).")
        Path dir;

        @Option(names = "--builtin", arity = "0..1", paramLabel = "FUSION", preprocessor = FusionIfNamed.class,
                description = "The built-in small model (no download), with the Q-Former (the default) or 'gated' fusion.")
        Fusion builtin;

        boolean builtinChosen() {
            return builtin != null;
        }
    }

    /**
     * {@code --builtin} takes the next word only when it names a fusion ({@code --builtin gated}, {@code --builtin=gated}),
     * so {@code vlm ask --builtin IMAGE QUESTION} keeps its image.
     */
    static final class FusionIfNamed implements picocli.CommandLine.IParameterPreprocessor {
        @Override
        public boolean preprocess(java.util.Stack<String> args, picocli.CommandLine.Model.CommandSpec command,
                picocli.CommandLine.Model.ArgSpec option, java.util.Map<String, Object> info) {
            if ("=".equals(info.get("separator"))) {
                return false; // --builtin=VALUE: converted (and refused when it is no fusion) as usual
            }
            boolean named = !args.isEmpty() && java.util.Arrays.stream(Fusion.values())
                    .anyMatch(f -> f.key().equalsIgnoreCase(args.peek()));
            if (named) {
                return false;
            }
            option.setValue(Fusion.QFORMER);
            return true;
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Loads a model (the built-in small one by default) and prints its parts, sizes and fusion.")
    static final class Load implements Callable<Integer> {
        private final Display display;
        @ParentCommand VlmCommand parent;

        @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
                description = "A model folder: config.json (model_type medvlm), safetensors, tokenizer.json.")
        Path dir;

        @Option(names = "--builtin", description = "The built-in small model (the default without DIR).")
        boolean builtin;

        @Option(names = "--fusion", paramLabel = "KIND",
                description = "For the built-in model: ${COMPLETION-CANDIDATES} (default: qformer).")
        Fusion fusion;

        @Mixin
        OutputOptions output;

        Load(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() throws IOException {
            if (dir != null && builtin) {
                throw new UserError("give a model folder or --builtin, not both");
            }
            if (dir != null && fusion != null) {
                throw new UserError("--fusion applies to the built-in model; a model folder's config.json names its fusion");
            }
            VisionLanguageModel model = dir == null
                    ? VisionLanguageModel.builtin(fusion == null ? Fusion.QFORMER : fusion) : openModel(dir);
            String source = dir == null ? "built-in" : dir.toString();
            parent.session.setModel(model, source);
            VlmSummary summary = model.summary();
            if (output.json()) {
                display.out().println(Json.compact(summaryJson(summary, source)));
                display.out().flush();
            } else {
                display.show(summary);
            }
            return Medvlm.EXIT_OK;
        }
    }

    @Command(name = "ask", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Asks the model a question about an image, or about N examples of a dataset.",
                "The model is the one 'vlm load' loaded in this session, --model DIR, or the built-in one."})
    static final class Ask implements Callable<Integer> {
        private final Display display;
        @ParentCommand VlmCommand parent;

        @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE", description = "A PNG, JPEG or DICOM file.")
        Path image;

        @Parameters(index = "1", arity = "0..1", paramLabel = "QUESTION", description = "The question (quote it).")
        String question;

        @Option(names = "--dataset", paramLabel = "SPEC",
                description = "Ask about dataset examples instead: FORMAT:PATH (slake:Slake1.0, phantoms:COUNT:SEED) "
                    + "or the NAME of a dataset loaded with 'medvqa load ... as NAME'.")
        String dataset;

        @Option(names = "--n", paramLabel = "N", defaultValue = "16", showDefaultValue = picocli.CommandLine.Help.Visibility.ALWAYS,
                converter = Converters.PositiveInt.class, description = "How many dataset examples (the first N).")
        int n;

        @ArgGroup(exclusive = true)
        ModelChoice model = new ModelChoice();

        @Option(names = "--window", paramLabel = "NAME",
                description = "DICOM window: ${COMPLETION-CANDIDATES} (default: the file's own).")
        WindowPreset window;

        @Option(names = "--max-new-tokens", paramLabel = "N", converter = Converters.TokenCount.class,
                description = "Answer length limit, 1 to " + Converters.MAX_NEW_TOKENS + " (default: the model's).")
        Integer maxNewTokens;

        @Mixin
        OutputOptions output;

        Ask(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() throws IOException {
            if (dataset == null && (image == null || question == null)) {
                throw new UserError("give IMAGE and \"QUESTION\", or --dataset SPEC");
            }
            if (dataset != null && image != null) {
                throw new UserError("give IMAGE and QUESTION, or --dataset, not both");
            }
            // read the input before the model: a typo in a path should not cost a model load
            BufferedImage picture = image == null ? null : Images.read(image, window, display.err());
            List<VqaExample> examples = dataset == null ? List.of() : DatasetSpec.first(display, dataset, n);
            ChosenModel chosen = ChosenModel.of(model, parent.session);
            try {
                VisionLanguageModel vlm = chosen.vlm();
                int limit = maxNewTokens == null ? vlm.config().maxNewTokens() : maxNewTokens;
                if (picture != null) {
                    showAnswer(vlm.ask(picture, question, limit));
                } else {
                    showTable(answerAll(vlm, examples, limit));
                }
            } finally {
                chosen.close();
            }
            return Medvlm.EXIT_OK;
        }

        private void showAnswer(Answer answer) {
            if (output.json()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("image", image.toString());
                o.put("question", answer.question());
                o.put("answer", answer.text());
                o.put("tokens", answer.tokenIds().length);
                o.put("seconds", answer.seconds());
                display.out().println(Json.compact(o));
                display.out().flush();
            } else if (display.rich()) {
                display.show(answer);
            } else {
                display.out().println(answer.text());
                display.out().flush();
            }
        }

        /** Examples that could not be asked (an unreadable image), by id: their rows say why. */
        private final Map<String, String> failed = new LinkedHashMap<>();

        private AnswerTable answerAll(VisionLanguageModel vlm, List<VqaExample> examples, int limit) throws IOException {
            List<AnswerTable.Row> rows = new ArrayList<>();
            // small batches keep memory flat for large N while still batching
            int batch = 8;
            for (int start = 0; start < examples.size(); start += batch) {
                List<VqaExample> part = examples.subList(start, Math.min(examples.size(), start + batch));
                List<BufferedImage> images = new ArrayList<>();
                List<String> questions = new ArrayList<>();
                String[] errors = new String[part.size()];
                for (int k = 0; k < part.size(); k++) {
                    VqaExample e = part.get(k);
                    // one unreadable image is that row's error; the other answers are kept
                    try {
                        if (e.image() == null) {
                            throw new UserError("example " + e.id() + " has no image");
                        }
                        BufferedImage img = e.image().load();
                        images.add(img);
                        questions.add(e.question());
                    } catch (IOException | RuntimeException ex) {
                        errors[k] = Medvlm.describe(ex);
                    }
                }
                List<Answer> answers = images.isEmpty() ? List.of() : vlm.ask(images, questions, limit);
                int next = 0;
                for (int k = 0; k < part.size(); k++) {
                    VqaExample e = part.get(k);
                    if (errors[k] == null) {
                        rows.add(new AnswerTable.Row(e.id(), images.get(next), e.question(), e.answers(), answers.get(next).text()));
                        next++;
                    } else {
                        failed.put(e.id(), errors[k]);
                        rows.add(new AnswerTable.Row(e.id(), null, e.question(), e.answers(), "(error: " + errors[k] + ")"));
                    }
                }
            }
            if (!failed.isEmpty()) {
                display.err().println("vlm ask: " + failed.size() + " of " + examples.size()
                        + " examples could not be asked; their rows say why");
                display.err().flush();
            }
            return new AnswerTable(dataset, rows);
        }

        private void showTable(AnswerTable table) {
            if (output.json()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("dataset", dataset);
                o.put("n", table.rows().size());
                o.put("correct", table.correctCount());
                o.put("accuracy", table.accuracy());
                List<Map<String, Object>> rows = new ArrayList<>();
                for (AnswerTable.Row r : table.rows()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", r.id());
                    row.put("question", r.question());
                    row.put("truth", r.truth().isEmpty() ? "" : r.truth().get(0));
                    row.put("answer", r.answer());
                    row.put("correct", r.correct());
                    if (failed.containsKey(r.id())) {
                        row.put("error", failed.get(r.id()));
                    }
                    rows.add(row);
                }
                o.put("answers", rows);
                display.out().println(Json.compact(o));
                display.out().flush();
            } else {
                // the notebook renders the record through its table(); the terminal prints it as text
                display.show(table);
            }
        }
    }

    /**
     * The model a question goes to: {@code --model DIR} (loaded for this command and closed after it), else the one
     * {@code vlm load} left in the session, else the built-in one (kept in the session for the next question).
     */
    record ChosenModel(VisionLanguageModel vlm, boolean temporary) implements AutoCloseable {
        static ChosenModel of(ModelChoice choice, VlmSession session) throws IOException {
            if (choice.dir != null) {
                return new ChosenModel(openModel(choice.dir), true);
            }
            if (!choice.builtinChosen() && session.model().isPresent()) {
                return new ChosenModel(session.model().get(), false);
            }
            // remembered, so the next question in a notebook does not build it again
            VisionLanguageModel builtin = VisionLanguageModel.builtin(choice.builtinChosen() ? choice.builtin : Fusion.QFORMER);
            session.setModel(builtin, "built-in");
            return new ChosenModel(builtin, false);
        }

        @Override
        public void close() {
            if (temporary) {
                vlm.close();
            }
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Where the model looks: answers a question about an image and maps the answer's attention back"
                + " to the image's patches (through the fusion and the vision tower), as a heat map over the image.",
                "The model is the one 'vlm load' loaded in this session, --model DIR, or the built-in one."})
    static final class Explain implements Callable<Integer> {
        private final Display display;
        @ParentCommand VlmCommand parent;

        @Parameters(index = "0", paramLabel = "IMAGE", description = "A PNG, JPEG or DICOM file.")
        Path image;

        @Parameters(index = "1", paramLabel = "QUESTION", description = "The question (quote it).")
        String question;

        @ArgGroup(exclusive = true)
        ModelChoice model = new ModelChoice();

        @Option(names = "--window", paramLabel = "NAME",
                description = "DICOM window: ${COMPLETION-CANDIDATES} (default: the file's own).")
        WindowPreset window;

        @Mixin
        OutputOptions.WithPng output;

        Explain(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() throws IOException {
            output.checkTargets();
            // read the input before the model: a typo in a path should not cost a model load
            BufferedImage picture = Images.read(image, window, display.err());
            AttentionMap map;
            try (ChosenModel chosen = ChosenModel.of(model, parent.session)) {
                map = chosen.vlm().explain(picture, question);
            }
            BufferedImage overlay = null;
            if (output.png() != null) {
                overlay = map.overlay();
                BufferedImage written = overlay;
                AtomicFiles.write(output.png(), out -> {
                    if (!javax.imageio.ImageIO.write(written, "png", out)) {
                        throw new IOException("no PNG writer in this Java runtime");
                    }
                });
            }
            double[] peak = map.peak();
            if (output.json()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("image", image.toString());
                o.put("question", map.question());
                o.put("answer", map.answer());
                o.put("peak", Map.of("x", Math.round(peak[0] * 10) / 10.0, "y", Math.round(peak[1] * 10) / 10.0));
                o.put("grid", map.grid());
                o.put("heat", heatRows(map));
                if (output.png() != null) {
                    o.put("png", output.png().toString());
                }
                display.out().println(Json.compact(o));
            } else {
                if (display.rich()) {
                    display.show(map);
                } else {
                    display.out().println(map.answer());
                    display.out().println(String.format(java.util.Locale.ROOT,
                            "attention peak at x=%.0f, y=%.0f of the %dx%d image (%dx%d patches)", peak[0], peak[1],
                            picture.getWidth(), picture.getHeight(), map.grid(), map.grid()));
                }
                if (overlay != null) {
                    display.out().println("wrote " + output.png() + " (" + overlay.getWidth() + "x" + overlay.getHeight()
                            + ", the heat map over the part of the image the model saw)");
                }
            }
            display.out().flush();
            return Medvlm.EXIT_OK;
        }

        /** The heat map as rows of the patch grid, 3 decimals (the maximum is 1). */
        private static List<List<Double>> heatRows(AttentionMap map) {
            float[] heat = map.heat();
            List<List<Double>> rows = new ArrayList<>();
            for (int y = 0; y < map.grid(); y++) {
                List<Double> row = new ArrayList<>();
                for (int x = 0; x < map.grid(); x++) {
                    row.add(Math.round(heat[y * map.grid() + x] * 1000) / 1000.0);
                }
                rows.add(row);
            }
            return rows;
        }
    }

    static VisionLanguageModel openModel(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            throw new UserError(dir + ": no such model folder");
        }
        if (!Files.isDirectory(dir)) {
            throw new UserError(dir + ": not a folder (a model folder holds config.json, safetensors and tokenizer.json)");
        }
        return VisionLanguageModel.load(org.medvlm.train.TrainPresets.modelFolder(dir)); // a run folder: its model
    }

    static Map<String, Object> summaryJson(VlmSummary s, String source) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("source", source);
        o.put("fusion", s.fusion().key());
        Map<String, Long> parts = new LinkedHashMap<>();
        s.parts().forEach(p -> parts.put(p.name(), p.parameters()));
        o.put("parts", parts);
        o.put("parameters", s.parameters());
        o.put("prompt_template", s.promptTemplate());
        return o;
    }
}
