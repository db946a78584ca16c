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
import org.medvlm.imaging.ImagePreprocessor;
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
    private final ImagePreprocessor preprocessor;
    private final byte[][] trainRgb; // resized pixels, a quarter of the normalised floats' memory
    private final float[][] trainFeatures; // the frozen vision tower's output per image, computed once
    private final boolean frozenVision;
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
        this.preprocessor = vlm.preprocess().preprocessor();
        this.trainRgb = new byte[this.train.size()][];
        this.trainFeatures = new float[this.train.size()][];
        // a frozen tower in evaluation mode maps each image to the same tokens every epoch: compute them once
        this.frozenVision = vlm.namedParameters().entrySet().stream()
                .filter(e -> e.getKey().startsWith("vision_model.")).noneMatch(e -> e.getValue().isTrainable());
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

    private record Batch(int[] indices, List<TrainingExamples.Example> items, int tokens) implements Prepared {
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
            if (trainRgb[i] == null) {
                int[] rgb = preprocessor.resizedRgb(load(e));
                byte[] packed = new byte[rgb.length];
                for (int k = 0; k < rgb.length; k++) {
                    packed[k] = (byte) rgb[k];
                }
                trainRgb[i] = packed;
            }
            TrainingExamples.Example ex = encoder.encode(pixels(trainRgb[i]), e.question(), e.answer());
            tokens += ex.ids().length;
            out.add(ex);
        }
        return new Batch(indices.clone(), out, tokens);
    }

    private float[] pixels(byte[] packed) {
        int[] rgb = new int[packed.length];
        for (int k = 0; k < rgb.length; k++) {
            rgb[k] = packed[k] & 0xff;
        }
        float[] out = new float[packed.length];
        preprocessor.normalizeInto(rgb, out, 0);
        return out;
    }

    private static BufferedImage load(VqaExample e) {
        try {
            return e.image().load();
        } catch (IOException ex) {
            throw new UncheckedIOException(e.id() + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public NDArray loss(Prepared prepared, NDManager step) {
        Batch batch = (Batch) prepared;
        if (!frozenVision) {
            return vlm.forward(encoder.collate(batch.items(), step));
        }
        int s = vlm.preprocess().size();
        List<float[]> rows = new ArrayList<>();
        for (int k = 0; k < batch.indices().length; k++) {
            int i = batch.indices()[k];
            if (trainFeatures[i] == null) {
                // one image at a time, so a feature never depends on which images shared its batch (resumed runs
                // recompute them in another order and must get the same bits)
                try (NDManager one = step.newSubManager()) {
                    NDArray f = vlm.visionFeatures(one.create(batch.items().get(k).pixels(), new ai.djl.ndarray.types.Shape(1, 3, s, s)));
                    trainFeatures[i] = f.toFloatArray();
                }
            }
            rows.add(trainFeatures[i]);
        }
        int n = vlm.config().vision().numTokens();
        int d = vlm.config().vision().embedDim();
        float[] all = new float[rows.size() * n * d];
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(rows.get(r), 0, all, r * n * d, n * d);
        }
        NDArray features = step.create(all, new ai.djl.ndarray.types.Shape(rows.size(), n, d));
        return vlm.forward(encoder.collate(batch.items(), features, step));
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
