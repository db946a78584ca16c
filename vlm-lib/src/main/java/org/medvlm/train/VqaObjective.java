package org.medvlm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medvlm.data.AnswerType;
import org.medvlm.data.VqaExample;
import org.medvlm.imaging.Thumbnails;
import org.medvlm.layers.Autograd;
import org.medvlm.layers.Module;
import org.medvlm.metrics.Evaluation;
import org.medvlm.metrics.EvaluationReport;
import org.medvlm.metrics.Metric;
import org.medvlm.vlm.Answer;
import org.medvlm.vlm.TrainingExamples;
import org.medvlm.vlm.VisionLanguageModel;

/**
 * The VLM learning to answer: loss on the answer tokens (the visual prefix, the prompt and the padding masked), and an
 * evaluation that answers the held-out questions greedily and scores them with the peers' protocols: LLaVA-Med's
 * closed accuracy (its bug fixed) and open recall, exact match overall and per question type. Each image is loaded
 * and preprocessed once per run (a phantom is drawn only once), on the data-loading thread for training examples.
 */
public final class VqaObjective implements Objective {
    /** Thumbnail side of the shown examples (samples/ID.png). */
    public static final int THUMBNAIL = 96;
    private static final int EVAL_BATCH = 64;

    private final VisionLanguageModel vlm;
    private final List<VqaExample> train;
    private final List<VqaExample> test;
    private final TrainingExamples encoder;
    private final float[][] trainPixels;
    private final float[][] testPixels;
    private final List<Integer> shown;
    private final int maxNewTokens;

    /**
     * An objective over {@code train}, evaluated on the first {@code evalLimit} of {@code test} (0: all), showing
     * {@code samples} of them (round-robin over question types) at each evaluation.
     */
    public VqaObjective(VisionLanguageModel vlm, List<VqaExample> train, List<VqaExample> test, int evalLimit, int samples) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("the training split is empty");
        }
        if (test.isEmpty()) {
            throw new IllegalArgumentException("the held-out split is empty: the dataset needs a test (or validation) split");
        }
        this.vlm = vlm;
        this.train = List.copyOf(train);
        this.test = List.copyOf(evalLimit > 0 && evalLimit < test.size() ? test.subList(0, evalLimit) : test);
        this.encoder = new TrainingExamples(vlm);
        this.trainPixels = new float[this.train.size()][];
        this.testPixels = new float[this.test.size()][];
        this.shown = pickShown(this.test, samples);
        this.maxNewTokens = Math.min(vlm.config().maxNewTokens(), 8);
    }

    /** The first {@code n} held-out examples taking question types in turn, so every kind shows. */
    private static List<Integer> pickShown(List<VqaExample> test, int n) {
        Map<String, List<Integer>> byType = new LinkedHashMap<>();
        for (int i = 0; i < test.size(); i++) {
            byType.computeIfAbsent(questionType(test.get(i)), k -> new ArrayList<>()).add(i);
        }
        List<Integer> out = new ArrayList<>();
        for (int round = 0; out.size() < n && out.size() < test.size(); round++) {
            for (List<Integer> ids : byType.values()) {
                if (round < ids.size() && out.size() < n) {
                    out.add(ids.get(round));
                }
            }
        }
        return out;
    }

    private static String questionType(VqaExample e) {
        String t = e.metadata().get("question_type");
        if (t == null) {
            t = e.metadata().get("content_type");
        }
        return t == null ? e.answerType().name() : t;
    }

    @Override
    public Module model() {
        return vlm;
    }

    @Override
    public NDManager manager() {
        return vlm.manager();
    }

    /** The model being trained. */
    public VisionLanguageModel vlm() {
        return vlm;
    }

    @Override
    public int trainSize() {
        return train.size();
    }

    private record Batch(List<TrainingExamples.Example> items, int tokens) implements Prepared {
        @Override
        public int examples() {
            return items.size();
        }
    }

    @Override
    public Prepared prepare(int[] indices) {
        List<TrainingExamples.Example> out = new ArrayList<>();
        int tokens = 0;
        for (int i : indices) {
            VqaExample e = train.get(i);
            if (trainPixels[i] == null) {
                trainPixels[i] = vlm.preprocess().pixels(load(e));
            }
            TrainingExamples.Example ex = encoder.encode(trainPixels[i], e.question(), e.answer());
            tokens += ex.ids().length;
            out.add(ex);
        }
        return new Batch(out, tokens);
    }

    private static BufferedImage load(VqaExample e) {
        try {
            return e.image().load();
        } catch (IOException ex) {
            throw new UncheckedIOException(e.id() + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public NDArray loss(Prepared batch, NDManager step) {
        return vlm.forward(encoder.collate(((Batch) batch).items(), step));
    }

    @Override
    public RunEvents.Eval evaluate(long step, double epoch, double elapsedS) {
        Map<String, String> answers = new LinkedHashMap<>();
        double lossSum = 0;
        int lossBatches = 0;
        for (int from = 0; from < test.size(); from += EVAL_BATCH) {
            int to = Math.min(test.size(), from + EVAL_BATCH);
            List<float[]> pixels = new ArrayList<>();
            List<String> questions = new ArrayList<>();
            List<TrainingExamples.Example> teacher = new ArrayList<>();
            for (int i = from; i < to; i++) {
                VqaExample e = test.get(i);
                if (testPixels[i] == null) {
                    testPixels[i] = vlm.preprocess().pixels(load(e));
                }
                pixels.add(testPixels[i]);
                questions.add(e.question());
                teacher.add(encoder.encode(testPixels[i], e.question(), e.answer()));
            }
            List<Answer> got = vlm.answer(pixels, questions, vlm.generation(maxNewTokens));
            for (int i = from; i < to; i++) {
                answers.put(test.get(i).id(), got.get(i - from).text());
            }
            lossSum += Autograd.noGrad(() -> {
                try (NDManager m = vlm.manager().newSubManager()) {
                    return (double) vlm.forward(encoder.collate(teacher, m)).getFloat();
                }
            });
            lossBatches++;
        }
        EvaluationReport report = Evaluation.standard()
                .withMetrics(List.of(Metric.EXACT_MATCH, Metric.LLAVA_CLOSED, Metric.LLAVA_OPEN_RECALL))
                .score(test, answers);
        Map<String, double[]> perType = new LinkedHashMap<>();
        for (VqaExample e : test) {
            double[] acc = perType.computeIfAbsent(questionType(e), k -> new double[2]);
            acc[0] += Evaluation.exactMatch(answers.get(e.id()), e.answers());
            acc[1]++;
        }
        Map<String, Double> per = new LinkedHashMap<>();
        perType.forEach((k, v) -> per.put(k, v[0] / v[1]));
        RunEvents.Metrics metrics = new RunEvents.Metrics(score(report, "closed", Metric.LLAVA_CLOSED),
                score(report, "open", Metric.LLAVA_OPEN_RECALL), score(report, "overall", Metric.EXACT_MATCH), test.size(), per);
        List<RunEvents.Sample> samples = new ArrayList<>();
        for (int i : shown) {
            VqaExample e = test.get(i);
            String answer = answers.get(e.id());
            boolean correct = Evaluation.exactMatch(answer, e.answers()) == 1.0;
            samples.add(new RunEvents.Sample(step, e.id(), RunDirectory.SAMPLE_IMAGES + "/" + safeName(e.id()) + ".png",
                    e.question(), e.answer(), answer, correct, e.answerType() == AnswerType.CLOSED ? "closed" : "open",
                    questionType(e), Thumbnails.scaled(load(e), THUMBNAIL)));
        }
        return new RunEvents.Eval(step, epoch, elapsedS, lossSum / Math.max(1, lossBatches), metrics, samples);
    }

    private static double score(EvaluationReport report, String group, Metric m) {
        EvaluationReport.Group g = report.groups().get(group);
        return g == null || !g.scores().containsKey(m) ? Double.NaN : g.value(m);
    }

    private static String safeName(String id) {
        return id.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    @Override
    public void saveModel(Path folder) throws IOException {
        vlm.save(folder);
    }
}
