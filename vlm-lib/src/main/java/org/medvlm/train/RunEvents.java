package org.medvlm.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The run events, one schema for every kind of run (an in-process Java run, a launched PyTorch run): what listeners
 * receive and what the run directory's {@code metrics.jsonl}, {@code samples.jsonl} and {@code status.json} hold, one
 * JSON object per line with {@code "schema": 1}. The Python trainer writes the same objects.
 */
public final class RunEvents {
    /** The version of the files' layout; readers refuse other versions by name. */
    public static final int SCHEMA = 1;

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private RunEvents() {}

    /**
     * One optimizer update ({@code "event": "step"}).
     *
     * @param step updates so far (1 for the first)
     * @param epoch passes over the training data so far, fractional
     * @param loss the mean training loss of the update's micro-batches
     * @param lr the learning rate the update used
     * @param gradNorm the global gradient norm before clipping
     * @param samplesPerS training examples per second over the last updates
     * @param tokensPerS text tokens (prompt and answer) per second over the last updates
     * @param elapsedS seconds since the run (or its resumption) started
     */
    public record Step(long step, double epoch, double loss, double lr, double gradNorm, double samplesPerS,
            double tokensPerS, double elapsedS) {}

    /**
     * The held-out scores of one evaluation: closed accuracy (LLaVA-Med's, bug fixed), open recall (LLaVA-Med's),
     * exact match over all questions, and exact match per question type.
     *
     * @param n questions scored
     */
    public record Metrics(double closedAccuracy, double openRecall, double exactMatch, int n, Map<String, Double> perType) {
        public Metrics {
            perType = Map.copyOf(perType);
        }
    }

    /**
     * One shown example of an evaluation.
     *
     * @param image the image's path relative to the run directory ({@code samples/<id>.png})
     * @param thumbnail the image itself for in-process listeners (not written; null when read back from a file)
     */
    public record Sample(long step, String id, String image, String question, String truth, String answer,
            boolean correct, String answerType, String questionType, BufferedImage thumbnail) {}

    /** One evaluation ({@code "event": "eval"}): its scores and shown examples. */
    public record Eval(long step, double epoch, double elapsedS, Double loss, Metrics metrics, List<Sample> samples) {
        public Eval {
            samples = List.copyOf(samples);
        }
    }

    /** Where a run is. */
    public enum State {
        CREATED, RUNNING, FINISHED, FAILED, STOPPED;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether nothing more will happen. */
        public boolean isFinal() {
            return this == FINISHED || this == FAILED || this == STOPPED;
        }
    }

    /**
     * The run's {@code status.json}.
     *
     * @param reason why it failed or stopped (null otherwise)
     * @param kind {@code local} (this process) or {@code launched} (engine processes)
     * @param checkpoint the newest complete checkpoint, relative to the run directory, or null
     * @param job launched runs: launcher, job id, ranks; null for local runs
     */
    public record Status(State state, String reason, long step, long totalSteps, Instant started, Instant updated,
            long pid, String kind, String checkpoint, JsonObject job) {

        /** The same status in another state, updated now. */
        public Status with(State s, String why, long atStep, String latest) {
            return new Status(s, why, atStep, totalSteps, started, Instant.now(), pid, kind, latest, job);
        }
    }

    /** What a notebook view, a terminal progress bar or the run directory receive. */
    public interface Listener {
        default void onStep(Step e) {}

        default void onEval(Eval e) {}

        default void onStatus(Status s) {}
    }

    // ---------------------------------------------------------------- JSON, the files' one format

    /** A step as its metrics.jsonl line. */
    public static JsonObject toJson(Step e) {
        JsonObject o = header("step");
        o.addProperty("step", e.step());
        o.addProperty("epoch", e.epoch());
        finite(o, "loss", e.loss());
        o.addProperty("lr", e.lr());
        finite(o, "grad_norm", e.gradNorm());
        o.addProperty("samples_per_s", e.samplesPerS());
        o.addProperty("tokens_per_s", e.tokensPerS());
        o.addProperty("elapsed_s", e.elapsedS());
        return o;
    }

    /** An evaluation as its metrics.jsonl line (the samples go to samples.jsonl). */
    public static JsonObject toJson(Eval e) {
        JsonObject o = header("eval");
        o.addProperty("step", e.step());
        o.addProperty("epoch", e.epoch());
        o.addProperty("elapsed_s", e.elapsedS());
        if (e.loss() != null) {
            finite(o, "loss", e.loss());
        }
        JsonObject m = new JsonObject();
        finite(m, "closed_accuracy", e.metrics().closedAccuracy()); // not every run has closed or open questions
        finite(m, "open_recall", e.metrics().openRecall());
        finite(m, "exact_match", e.metrics().exactMatch());
        m.addProperty("n", e.metrics().n());
        JsonObject per = new JsonObject();
        new java.util.TreeMap<>(e.metrics().perType()).forEach(per::addProperty);
        m.add("per_type", per);
        o.add("metrics", m);
        return o;
    }

    /** A shown example as its samples.jsonl line. */
    public static JsonObject toJson(Sample s) {
        JsonObject o = new JsonObject();
        o.addProperty("schema", SCHEMA);
        o.addProperty("step", s.step());
        o.addProperty("id", s.id());
        o.addProperty("image", s.image());
        o.addProperty("question", s.question());
        o.addProperty("truth", s.truth());
        o.addProperty("answer", s.answer());
        o.addProperty("correct", s.correct());
        o.addProperty("answer_type", s.answerType());
        o.addProperty("question_type", s.questionType());
        return o;
    }

    /** A status as status.json. */
    public static JsonObject toJson(Status s) {
        JsonObject o = new JsonObject();
        o.addProperty("schema", SCHEMA);
        o.addProperty("state", s.state().key());
        o.addProperty("reason", s.reason());
        o.addProperty("step", s.step());
        o.addProperty("total_steps", s.totalSteps());
        o.addProperty("started", s.started() == null ? null : s.started().toString());
        o.addProperty("updated", s.updated() == null ? null : s.updated().toString());
        o.addProperty("pid", s.pid());
        o.addProperty("kind", s.kind());
        o.addProperty("checkpoint", s.checkpoint());
        if (s.job() != null) {
            o.add("job", s.job());
        }
        return o;
    }

    /** A number, or null where it is not finite (JSON has no NaN). */
    private static void finite(JsonObject o, String key, double v) {
        if (Double.isFinite(v)) {
            o.addProperty(key, v);
        } else {
            o.add(key, com.google.gson.JsonNull.INSTANCE);
        }
    }

    /** One line of JSON (no newline inside), as the files hold it. */
    public static String line(JsonObject o) {
        return GSON.toJson(o);
    }

    private static JsonObject header(String event) {
        JsonObject o = new JsonObject();
        o.addProperty("schema", SCHEMA);
        o.addProperty("event", event);
        return o;
    }

    /**
     * One line (or status.json's text) of {@code file} through {@code parser}; a line that is not JSON, not an object, of
     * another schema or missing a field fails naming the file, as every reader of the toolkit does.
     */
    public static <T> T parse(java.nio.file.Path file, String text, java.util.function.Function<JsonObject, T> parser)
            throws java.io.IOException {
        try {
            return parser.apply(com.google.gson.JsonParser.parseString(text).getAsJsonObject());
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new java.io.IOException(file + ": not a run event this toolkit reads (" + why + ")", e);
        }
    }

    /** Parses a metrics.jsonl line: a {@link Step}, an {@link Eval} (without samples) or null for other events. */
    public static Object parseMetrics(JsonObject o) {
        checkSchema(o);
        String event = str(o, "event");
        if ("step".equals(event)) {
            return new Step(o.get("step").getAsLong(), num(o, "epoch"), num(o, "loss"), num(o, "lr"), num(o, "grad_norm"),
                    num(o, "samples_per_s"), num(o, "tokens_per_s"), num(o, "elapsed_s"));
        }
        if ("eval".equals(event)) {
            JsonObject m = o.getAsJsonObject("metrics");
            Map<String, Double> per = new LinkedHashMap<>();
            if (m.has("per_type")) {
                m.getAsJsonObject("per_type").entrySet().forEach(e -> per.put(e.getKey(), e.getValue().getAsDouble()));
            }
            Metrics metrics = new Metrics(num(m, "closed_accuracy"), num(m, "open_recall"), num(m, "exact_match"),
                    m.has("n") ? m.get("n").getAsInt() : 0, per);
            return new Eval(o.get("step").getAsLong(), num(o, "epoch"), num(o, "elapsed_s"),
                    o.has("loss") && !o.get("loss").isJsonNull() ? o.get("loss").getAsDouble() : null, metrics, List.of());
        }
        return null;
    }

    /** Parses a samples.jsonl line. */
    public static Sample parseSample(JsonObject o) {
        checkSchema(o);
        return new Sample(o.get("step").getAsLong(), str(o, "id"), str(o, "image"), str(o, "question"), str(o, "truth"),
                str(o, "answer"), o.has("correct") && o.get("correct").getAsBoolean(), str(o, "answer_type"),
                str(o, "question_type"), null);
    }

    /** Parses status.json. */
    public static Status parseStatus(JsonObject o) {
        checkSchema(o);
        State state = State.valueOf(str(o, "state").toUpperCase(Locale.ROOT));
        return new Status(state, str(o, "reason"), o.get("step").getAsLong(),
                o.has("total_steps") ? o.get("total_steps").getAsLong() : 0, instant(o, "started"), instant(o, "updated"),
                o.has("pid") && !o.get("pid").isJsonNull() ? o.get("pid").getAsLong() : -1, str(o, "kind"),
                str(o, "checkpoint"), o.has("job") && o.get("job").isJsonObject() ? o.getAsJsonObject("job") : null);
    }

    private static void checkSchema(JsonObject o) {
        int schema = o.has("schema") ? o.get("schema").getAsInt() : -1;
        if (schema != SCHEMA) {
            throw new IllegalArgumentException("run event of schema " + schema + ": this toolkit reads schema " + SCHEMA);
        }
    }

    private static String str(JsonObject o, String k) {
        JsonElement e = o.get(k);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private static double num(JsonObject o, String k) {
        JsonElement e = o.get(k);
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }

    private static Instant instant(JsonObject o, String k) {
        String s = str(o, k);
        return s == null ? null : Instant.parse(s);
    }
}
