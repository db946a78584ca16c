package org.medvlm.metrics;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Collectors;
import org.medvlm.data.AnswerType;
import org.medvlm.data.VqaExample;

/**
 * Scores predictions against a dataset's reference answers with the protocols peers report:
 * <pre>{@code
 * EvaluationReport r = Evaluation.standard().score(examples, Predictions.read(Path.of("preds.jsonl")));
 * r.table();   // one row per group (overall, closed, open), one column per metric
 * }</pre>
 * Every question of {@code examples} is scored; one without a prediction scores 0 under every metric (it is
 * wrong) and is counted in {@link EvaluationReport#missing()}. It is not scored as an empty answer: the VQA-Med
 * BLEU gives 1 to an empty answer against a reference of stop words only ("no" normalises to nothing, and
 * the ImageCLEF evaluator scores an empty pair 1), so an empty predictions file would score 0.297 on VQA-RAD.
 * A prediction that is given, even an empty one, is scored as the peers' evaluators score it. A prediction
 * whose id is not among the examples is an error, because it nearly always means the predictions belong to
 * another split or dataset.
 */
public final class Evaluation {
    /** The metrics computed when none are named. */
    public static final List<Metric> DEFAULT_METRICS = List.of(Metric.EXACT_MATCH, Metric.LLAVA_CLOSED,
            Metric.LLAVA_OPEN_RECALL, Metric.VQA_MED_ACCURACY, Metric.VQA_MED_BLEU);

    private final List<Metric> metrics;
    private final VqaMedScorer vqaMed;

    private Evaluation(List<Metric> metrics, NltkBleu.Smoothing smoothing) {
        if (metrics.isEmpty()) {
            throw new IllegalArgumentException("no metric to compute");
        }
        this.metrics = List.copyOf(new java.util.LinkedHashSet<>(metrics));
        this.vqaMed = new VqaMedScorer(smoothing);
    }

    /** The default metrics, BLEU as on the VQA-Med leaderboards. */
    public static Evaluation standard() {
        return new Evaluation(DEFAULT_METRICS, NltkBleu.Smoothing.NLTK_3_2);
    }

    /** A copy computing these metrics. */
    public Evaluation withMetrics(List<Metric> chosen) {
        return new Evaluation(chosen, smoothing());
    }

    /** A copy whose VQA-Med BLEU follows the given NLTK behaviour. */
    public Evaluation withBleu(NltkBleu.Smoothing smoothing) {
        return new Evaluation(metrics, smoothing);
    }

    public List<Metric> metrics() {
        return metrics;
    }

    private NltkBleu.Smoothing smoothing() {
        return vqaMed.smoothing();
    }

    /** Scores answers given in code ({@code id -> answer}). */
    public EvaluationReport score(List<VqaExample> examples, Map<String, String> answers) {
        return score(examples, Predictions.of(answers));
    }

    /** Scores a predictions file's answers; an id the examples do not have throws, naming its line. */
    public EvaluationReport score(List<VqaExample> examples, Predictions predictions) {
        Set<String> ids = examples.stream().map(VqaExample::id).collect(Collectors.toSet());
        for (Predictions.Prediction p : predictions.byId().values()) {
            if (!ids.contains(p.id())) {
                throw new IllegalArgumentException(predictions.where(p) + ": id '" + p.id()
                        + "' is not among the " + examples.size() + " questions scored");
            }
        }
        Map<String, Acc> groups = new LinkedHashMap<>();
        groups.put("overall", new Acc());
        boolean anyClosed = examples.stream().anyMatch(e -> e.answerType() == AnswerType.CLOSED);
        boolean anyOpen = examples.stream().anyMatch(e -> e.answerType() == AnswerType.OPEN);
        if (anyClosed) {
            groups.put("closed", new Acc());
        }
        if (anyOpen) {
            groups.put("open", new Acc());
        }
        int missing = 0;
        for (VqaExample ex : examples) {
            Predictions.Prediction p = predictions.byId().get(ex.id());
            if (p == null) {
                missing++;
            }
            Acc overall = groups.get("overall");
            Acc byType = groups.get(ex.answerType() == AnswerType.CLOSED ? "closed" : "open");
            overall.questions++;
            byType.questions++;
            for (Metric m : metrics) {
                // no prediction: wrong, under every metric that applies to the question
                OptionalDouble s = p == null ? (skips(m, ex) ? OptionalDouble.empty() : OptionalDouble.of(0.0))
                        : score(m, ex, p.answer());
                if (s.isEmpty() && !skips(m, ex)) {
                    // a question the metric applies to but that it leaves out of its mean (published LLaVA-Med)
                    byType.seen(m);
                    continue;
                }
                if (s.isPresent()) {
                    byType.add(m, s.getAsDouble());
                    if (m.answerType().isEmpty()) {
                        overall.add(m, s.getAsDouble());
                    }
                }
            }
        }
        Map<String, EvaluationReport.Group> out = new LinkedHashMap<>();
        groups.forEach((name, acc) -> out.put(name, acc.group(metrics, name)));
        String dataset = examples.isEmpty() ? "" : examples.get(0).dataset();
        return new EvaluationReport(dataset, examples.size(), missing, metrics, out);
    }

    /** True where the metric is not defined for this question at all (another answer type, no choices). */
    private static boolean skips(Metric m, VqaExample ex) {
        if (m.answerType().isPresent() && m.answerType().get() != ex.answerType()) {
            return true;
        }
        return m == Metric.PMC_VQA_CHOICE && choices(ex).isEmpty();
    }

    /** One question's score, or empty where the metric does not count it. */
    OptionalDouble score(Metric m, VqaExample ex, String prediction) {
        if (skips(m, ex)) {
            return OptionalDouble.empty();
        }
        List<String> refs = ex.answers();
        return switch (m) {
            case EXACT_MATCH -> OptionalDouble.of(exactMatch(prediction, refs));
            case LLAVA_CLOSED -> OptionalDouble.of(LlavaMedScorer.closed(prediction, ex.answer()));
            case LLAVA_CLOSED_PUBLISHED -> LlavaMedScorer.closedPublished(prediction, ex.answer());
            case LLAVA_OPEN_RECALL -> OptionalDouble.of(LlavaMedScorer.open(prediction, ex.answer()).recall());
            case LLAVA_OPEN_PRECISION -> OptionalDouble.of(LlavaMedScorer.open(prediction, ex.answer()).precision());
            case LLAVA_OPEN_F1 -> OptionalDouble.of(LlavaMedScorer.open(prediction, ex.answer()).f1());
            case VQA_MED_ACCURACY -> OptionalDouble.of(vqaMed.accuracy(prediction, refs));
            case VQA_MED_BLEU -> OptionalDouble.of(vqaMed.bleu(prediction, refs));
            case PMC_VQA_CHOICE -> OptionalDouble.of(PmcVqaScorer.score(choices(ex), prediction, ex.answer()));
        };
    }

    private static List<String> choices(VqaExample ex) {
        List<String> out = new ArrayList<>();
        for (String k : PmcVqaScorer.CHOICE_KEYS) {
            String c = ex.metadata().get(k);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** 1 when the prediction equals a reference after {@link #normalize}. */
    public static double exactMatch(String prediction, List<String> references) {
        String p = normalize(prediction);
        for (String r : references) {
            if (normalize(r).equals(p)) {
                return 1.0;
            }
        }
        return 0.0;
    }

    /** Lower-case, whitespace runs to one space, stripped, trailing {@code . ? !} removed. */
    public static String normalize(String answer) {
        String s = String.join(" ", PyText.split(answer.toLowerCase(Locale.ROOT)));
        int end = s.length();
        while (end > 0 && ".?!".indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(0, end).strip();
    }

    private static final class Acc {
        int questions;
        final Map<Metric, double[]> sums = new EnumMap<>(Metric.class); // {sum, counted}
        final Set<Metric> seen = java.util.EnumSet.noneOf(Metric.class);

        void add(Metric m, double v) {
            double[] s = sums.computeIfAbsent(m, k -> new double[2]);
            s[0] += v;
            s[1] += 1;
            seen.add(m);
        }

        void seen(Metric m) {
            seen.add(m);
        }

        EvaluationReport.Group group(List<Metric> metrics, String name) {
            Map<Metric, EvaluationReport.Score> scores = new LinkedHashMap<>();
            for (Metric m : metrics) {
                boolean applies = m.answerType()
                        .map(t -> name.equals(t.name().toLowerCase(Locale.ROOT)))
                        .orElse(m != Metric.PMC_VQA_CHOICE || seen.contains(m));
                if (!applies) {
                    continue;
                }
                double[] s = sums.getOrDefault(m, new double[2]);
                scores.put(m, new EvaluationReport.Score(s[1] == 0 ? 0.0 : s[0] / s[1], (int) s[1]));
            }
            return new EvaluationReport.Group(questions, scores);
        }
    }
}
