package org.medvlm.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medvlm.data.DatasetFormat;
import org.medvlm.data.VqaDataset;
import org.medvlm.data.VqaExample;
import org.medvlm.io.Guarded;
import org.medvlm.metrics.Evaluation;
import org.medvlm.metrics.EvaluationReport;
import org.medvlm.metrics.GoldAnswers;
import org.medvlm.metrics.Metric;
import org.medvlm.metrics.NltkBleu;
import org.medvlm.metrics.Predictions;
import org.medvlm.vlm.Answer;
import org.medvlm.vlm.Fusion;
import org.medvlm.vlm.VisionLanguageModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code medvlm evaluate}: scores a predictions file (JSON Lines of {@code {"id": ..., "answer": ...}})
 * against a dataset's reference answers, overall and per answer type.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {
            "Scores predictions (JSON Lines of {\"id\": ..., \"answer\": ...}; \"prediction\" or \"text\" also accepted)"
                    + " against a dataset's reference answers, overall and per answer type (closed/open).",
            "Metrics: exact_match, llava_closed_accuracy (LLaVA-Med's, bug fixed), llava_closed_accuracy_published"
                    + " (as its script computes it), llava_open_recall/precision/f1, vqa_med_accuracy, vqa_med_bleu"
                    + " (the ImageCLEF evaluator's), pmc_vqa_choice_accuracy.",
            "A question without a prediction counts as wrong under every metric (reported as 'missing'); a prediction"
                    + " for an id the dataset does not have is an error.",
            "With --model DIR or --builtin instead of --predictions, the model answers the questions first (e.g."
                    + " evaluate --format phantoms 1000:99 --split test --builtin)."})
final class EvaluateCommand implements Callable<Integer> {
    /** Questions answered together: batching without holding a large dataset's images at once. */
    private static final int BATCH = 16;

    private final Display display;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "The dataset's format: phantoms (PATH is COUNT:SEED, e.g. 200:7), or a published format"
                    + " (vqa-rad, slake, pathvqa, vqa-med-2019/2020/2021, pmc-vqa) as distributed.")
    String format;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", description = "The dataset as distributed (or COUNT:SEED for phantoms).")
    String path;

    @Option(names = "--gold", paramLabel = "FILE",
            description = "Reference answers as JSON Lines instead of a dataset: {\"id\", \"answers\": [...] or \"answer\", \"answer_type\"}.")
    Path gold;

    @Option(names = "--predictions", paramLabel = "FILE", description = "The answers to score (JSON Lines).")
    Path predictions;

    /** Instead of --predictions: the model whose answers are scored. */
    @picocli.CommandLine.ArgGroup(exclusive = true)
    VlmCommand.ModelChoice model = new VlmCommand.ModelChoice();

    @Option(names = "--save-predictions", paramLabel = "FILE",
            description = "With --model or --builtin: also write the answers as JSON Lines (a new file).")
    Path savePredictions;

    @Option(names = "--max-new-tokens", paramLabel = "N", converter = Converters.TokenCount.class,
            description = "With --model or --builtin: answer length limit (default: the model's).")
    Integer maxNewTokens;

    @Option(names = "--metric", split = ",", paramLabel = "METRIC", converter = MetricConverter.class,
            description = "Metrics to compute (repeat or comma-separate); default: exact_match, llava_closed_accuracy,"
                    + " llava_open_recall, vqa_med_accuracy, vqa_med_bleu.")
    List<Metric> metrics = new ArrayList<>();

    @Option(names = "--split", paramLabel = "SPLIT", description = "Score only this split (e.g. test).")
    String split;

    @Option(names = "--lang", paramLabel = "LANG", defaultValue = "all", description = "Score only en or zh questions (SLAKE), or all.")
    String lang;

    @Option(names = "--bleu-nltk", paramLabel = "VERSION", defaultValue = "3.2", converter = NltkConverter.class,
            description = "NLTK behaviour of the VQA-Med BLEU: 3.2 (method0 drops unmatched orders: the published"
                    + " leaderboards) or 3.3 (unmatched orders count as float_info.min: short answers score ~0).")
    NltkBleu.Smoothing bleu;

    @Option(names = "--json", description = "Print the scores as one JSON object.")
    boolean json;

    EvaluateCommand(Display display) {
        this.display = display;
    }

    @Override
    public Integer call() throws IOException {
        List<VqaExample> examples = filter(Guarded.read(gold != null ? gold.toString() : String.valueOf(path), this::load));
        if (examples.isEmpty()) {
            throw new UserError("no questions to score" + (split != null ? " in split '" + split + "'" : "")
                    + (!lang.equals("all") ? " in language '" + lang + "'" : ""));
        }
        int sources = (predictions != null ? 1 : 0) + (model.dir != null ? 1 : 0) + (model.builtinChosen() ? 1 : 0);
        if (sources != 1) {
            throw new UserError("give the answers to score: --predictions FILE, --model DIR or --builtin (one of them)");
        }
        if (predictions == null && savePredictions != null) {
            org.medvlm.io.AtomicFiles.checkTarget(savePredictions); // before the model answers, not after
            if (Files.exists(savePredictions)) {
                throw new UserError(savePredictions + ": exists; --save-predictions writes a new file");
            }
        }
        Predictions preds;
        if (predictions != null) {
            if (!Files.exists(predictions)) {
                throw new UserError(predictions + ": predictions file not found");
            }
            // a folder, a pipe, a file over the limits or not UTF-8 is refused by the reader, naming the file
            preds = Guarded.read(predictions.toString(), () -> Predictions.read(predictions));
        } else {
            preds = answer(examples);
        }
        Evaluation evaluation = Evaluation.standard().withBleu(bleu);
        if (!metrics.isEmpty()) {
            evaluation = evaluation.withMetrics(metrics);
        }
        EvaluationReport report = evaluation.score(examples, preds);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("predictions", preds.byId().size());
            out.putAll(report.toMap());
            display.out().println(Json.compact(out));
            display.out().flush();
        } else {
            display.show(report.table());
            display.out().printf(Locale.ROOT, "%d questions scored, %d predictions, %d questions without a prediction%n",
                    report.questions(), preds.byId().size(), report.missing());
            display.out().flush();
        }
        return Medvlm.EXIT_OK;
    }

    /** The model's answers to every question, asked in batches; an unreadable image leaves its question unanswered. */
    private Predictions answer(List<VqaExample> examples) throws IOException {
        Map<String, String> answers = new LinkedHashMap<>();
        int unreadable = 0;
        try (VisionLanguageModel vlm = model.dir != null ? VlmCommand.openModel(model.dir) : VisionLanguageModel.builtin(model.builtin)) {
            int limit = maxNewTokens == null ? vlm.config().maxNewTokens() : maxNewTokens;
            List<VqaExample> batch = new ArrayList<>();
            List<BufferedImage> images = new ArrayList<>();
            for (int i = 0; i < examples.size(); i++) {
                VqaExample e = examples.get(i);
                try {
                    if (e.image() == null) {
                        throw new IOException("no image");
                    }
                    images.add(e.image().load());
                    batch.add(e);
                } catch (IOException | RuntimeException ex) {
                    unreadable++;
                }
                if (batch.size() == BATCH || i == examples.size() - 1 && !batch.isEmpty()) {
                    List<Answer> out = vlm.ask(images, batch.stream().map(VqaExample::question).toList(), limit);
                    for (int k = 0; k < batch.size(); k++) {
                        answers.put(batch.get(k).id(), out.get(k).text());
                    }
                    batch.clear();
                    images.clear();
                }
            }
        }
        if (unreadable > 0) {
            display.err().println("evaluate: " + unreadable + " of " + examples.size() + " images could not be read;"
                    + " their questions count as missing");
            display.err().flush();
        }
        if (savePredictions != null) {
            StringBuilder lines = new StringBuilder();
            answers.forEach((id, a) -> {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("id", id);
                line.put("answer", a);
                lines.append(Json.compact(line)).append('\n');
            });
            org.medvlm.io.AtomicFiles.writeString(savePredictions, lines.toString());
        }
        return Predictions.of(answers);
    }

    private List<VqaExample> load() throws IOException {
        if (gold != null) {
            if (format != null || path != null) {
                throw new UserError("give either --gold FILE or --format FORMAT PATH, not both");
            }
            if (!Files.exists(gold)) {
                throw new UserError(gold + ": reference answers file not found");
            }
            return GoldAnswers.read(gold);
        }
        if (format == null || path == null) {
            throw new UserError("name the reference answers: --format FORMAT PATH, or --gold FILE");
        }
        return VqaDataset.read().format(DatasetFormat.of(format), path).examples();
    }

    private List<VqaExample> filter(List<VqaExample> all) {
        String l = lang.strip().toLowerCase(Locale.ROOT);
        if (!List.of("en", "zh", "all").contains(l)) {
            throw new UserError("--lang: expected en, zh or all, got '" + lang + "'");
        }
        List<VqaExample> out = new ArrayList<>();
        for (VqaExample e : all) {
            if ((split == null || split.equals(e.split())) && (l.equals("all") || l.equals(e.language()))) {
                out.add(e);
            }
        }
        return out;
    }

    static final class MetricConverter implements CommandLine.ITypeConverter<Metric> {
        @Override
        public Metric convert(String value) {
            try {
                return Metric.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class NltkConverter implements CommandLine.ITypeConverter<NltkBleu.Smoothing> {
        @Override
        public NltkBleu.Smoothing convert(String value) {
            return switch (value.strip()) {
                case "3.2" -> NltkBleu.Smoothing.NLTK_3_2;
                case "3.3" -> NltkBleu.Smoothing.NLTK_3_3;
                default -> throw new CommandLine.TypeConversionException("expected 3.2 or 3.3, got '" + value + "'");
            };
        }
    }
}
