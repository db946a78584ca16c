package org.medvlm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.data.AnswerType;
import org.medvlm.data.VqaExample;
import tech.tablesaw.api.Table;

class EvaluationTest {
    @TempDir Path dir;

    private static VqaExample q(String id, AnswerType type, String... answers) {
        return new VqaExample(id, "toy", "test", null, "q" + id, List.of(answers), type, "en", Map.of());
    }

    private final List<VqaExample> gold = List.of(
            q("1", AnswerType.CLOSED, "yes"),
            q("2", AnswerType.CLOSED, "no"),
            q("3", AnswerType.CLOSED, "no"),
            q("4", AnswerType.CLOSED, "left"),
            q("5", AnswerType.OPEN, "lower lobe of the left lung"),
            q("6", AnswerType.OPEN, "liver"));

    @Test
    void scoresPerAnswerTypeAndOverall() {
        Map<String, String> preds = Map.of("1", "Yes", "2", "yes", "3", "normal", "4", "left",
                "5", "left lung lower lobe");
        EvaluationReport r = Evaluation.standard()
                .withMetrics(List.of(Metric.EXACT_MATCH, Metric.LLAVA_CLOSED, Metric.LLAVA_CLOSED_PUBLISHED,
                        Metric.LLAVA_OPEN_RECALL, Metric.VQA_MED_ACCURACY))
                .score(gold, preds);
        assertEquals(6, r.questions());
        assertEquals(1, r.missing()); // question 6
        EvaluationReport.Group closed = r.groups().get("closed");
        EvaluationReport.Group open = r.groups().get("open");
        // fixed: hits on 1 and 4 of 4 questions
        assertEquals(0.5, closed.value(Metric.LLAVA_CLOSED), 1e-12);
        // published: 1 -> 1, 2 -> dropped (has "yes", not "no"), 3 -> 1 ("no" in "normal"), 4 -> 0: 2/3
        assertEquals(2.0 / 3.0, closed.value(Metric.LLAVA_CLOSED_PUBLISHED), 1e-12);
        assertEquals(3, closed.scores().get(Metric.LLAVA_CLOSED_PUBLISHED).counted());
        // open recall: 0.8 on question 5, 0 on the missing 6
        assertEquals(0.4, open.value(Metric.LLAVA_OPEN_RECALL), 1e-12);
        assertFalse(open.scores().containsKey(Metric.LLAVA_CLOSED));
        assertFalse(r.overall().scores().containsKey(Metric.LLAVA_CLOSED));
        // exact match: 1 and 4 right of 6
        assertEquals(2.0 / 6.0, r.overall().value(Metric.EXACT_MATCH), 1e-12);
        assertEquals(0.5, closed.value(Metric.EXACT_MATCH), 1e-12);
        assertEquals(0.0, open.value(Metric.EXACT_MATCH), 1e-12);

        Table t = r.table();
        assertEquals(List.of("overall", "closed", "open"), t.stringColumn("group").asList());
        assertEquals(6, t.intColumn("questions").get(0));
        assertTrue(t.doubleColumn("llava_closed_accuracy").isMissing(0));
        assertEquals(0.5, t.doubleColumn("llava_closed_accuracy").get(1), 1e-12);

        Map<String, Object> m = r.toMap();
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) m.get("closed");
        assertEquals(Map.of("llava_closed_accuracy_published", 3), c.get("counted"));
    }

    @Test
    void anIdOutsideTheDatasetIsAnErrorNamingTheLine() throws IOException {
        Path f = dir.resolve("preds.jsonl");
        Files.writeString(f, "{\"id\": 1, \"answer\": \"yes\"}\n\n{\"id\": \"99\", \"text\": \"no\"}\n");
        Predictions p = Predictions.read(f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Evaluation.standard().score(gold, p));
        assertEquals(f + ":3: id '99' is not among the 6 questions scored", e.getMessage());
    }

    @Test
    void predictionsFileErrorsNameFileAndLine() throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"id\": 1, \"answer\": \"yes\"}\n{\"id\": 2, \"answer\": \n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Predictions.read(f));
        assertTrue(e.getMessage().startsWith(f + ":2: malformed JSON"), e.getMessage());

        Files.writeString(f, "{\"question_id\": 1, \"prediction\": \"yes\"}\n{\"id\": 1, \"answer\": \"no\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> Predictions.read(f));
        assertEquals(f + ":2: id '1' was already given at line 1", e.getMessage());

        Files.writeString(f, "{\"id\": 1}\n");
        e = assertThrows(IllegalArgumentException.class, () -> Predictions.read(f));
        assertTrue(e.getMessage().startsWith(f + ":1: no answer"), e.getMessage());

        Files.writeString(f, "[1, 2]\n");
        e = assertThrows(IllegalArgumentException.class, () -> Predictions.read(f));
        assertTrue(e.getMessage().startsWith(f + ":1: expected a JSON object"), e.getMessage());
    }

    @Test
    void predictionsAcceptNumbersBomAndOtherKeys() throws IOException {
        Path f = dir.resolve("p.jsonl");
        Files.write(f, "\uFEFF{\"id\": 12, \"answer\": 4}\r\n{\"question_id\": \"a\", \"text\": \"x\"}".getBytes(StandardCharsets.UTF_8));
        Predictions p = Predictions.read(f);
        assertEquals("4", p.byId().get("12").answer());
        assertEquals("x", p.byId().get("a").answer());
    }

    @Test
    void goldFileWithAlternativesAndChoices() throws IOException {
        Path f = dir.resolve("gold.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"id\": \"img1\", \"answers\": [\"avascular necrosis\", \"osteonecrosis\"]}",
                "{\"id\": \"img2\", \"answer\": \"yes\", \"answer_type\": \"CLOSED \"}",
                "{\"id\": \"img3\", \"answer\": \"B: Right coronary artery\", \"choices\": [\"A: Left\", \"B: Right coronary artery\", \"C: Circumflex\", \"D: Left main\"]}"));
        List<VqaExample> g = GoldAnswers.read(f);
        assertEquals(AnswerType.OPEN, g.get(0).answerType());
        assertEquals(AnswerType.CLOSED, g.get(1).answerType());
        EvaluationReport r = Evaluation.standard()
                .withMetrics(List.of(Metric.VQA_MED_ACCURACY, Metric.VQA_MED_BLEU, Metric.PMC_VQA_CHOICE))
                .score(g, Map.of("img1", "Osteonecrosis.", "img2", "yes", "img3", "right coronary"));
        assertEquals(2.0 / 3.0, r.overall().value(Metric.VQA_MED_ACCURACY), 1e-12);
        assertEquals(1.0, r.overall().value(Metric.PMC_VQA_CHOICE));
        assertEquals(1, r.overall().scores().get(Metric.PMC_VQA_CHOICE).counted());

        Files.writeString(f, "{\"id\": \"x\", \"answers\": []}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoldAnswers.read(f));
        assertTrue(e.getMessage().startsWith(f + ":1: no reference answer"), e.getMessage());
    }

    @Test
    void metricNamesParseInEitherSpelling() {
        assertEquals(Metric.VQA_MED_BLEU, Metric.parse("vqa-med-bleu"));
        assertEquals(Metric.LLAVA_OPEN_RECALL, Metric.parse("LLAVA_OPEN_RECALL"));
        assertThrows(IllegalArgumentException.class, () -> Metric.parse("bleu4"));
    }

    @Test
    void aMissingPredictionIsWrongUnderEveryMetric() throws IOException {
        List<VqaExample> withChoices = new java.util.ArrayList<>(gold);
        withChoices.add(new VqaExample("7", "toy", "test", null, "q7", List.of("liver"), AnswerType.CLOSED, "en",
                Map.of("choice_a", "liver", "choice_b", "lung", "choice_c", "heart", "choice_d", "kidney")));
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
        EvaluationReport r = Evaluation.standard().withMetrics(List.of(Metric.values())).score(withChoices, Predictions.read(empty));
        assertEquals(7, r.missing());
        for (Map.Entry<String, EvaluationReport.Group> g : r.groups().entrySet()) {
            for (Map.Entry<Metric, EvaluationReport.Score> s : g.getValue().scores().entrySet()) {
                assertEquals(0.0, s.getValue().value(), g.getKey() + " " + s.getKey());
            }
        }
        // every question that a metric applies to counts, none is left out of a mean
        assertEquals(5, r.groups().get("closed").scores().get(Metric.LLAVA_CLOSED_PUBLISHED).counted());
        assertEquals(7, r.overall().scores().get(Metric.VQA_MED_BLEU).counted());
        assertEquals(1, r.overall().scores().get(Metric.PMC_VQA_CHOICE).counted());
    }

    @Test
    void aGivenPredictionIsScoredAsTheImageClefEvaluatorScoresIt() {
        // "no" is an NLTK stop word: "no" against "no" is an empty pair, which the evaluator scores 1 ("If both the
        // GT and candidate are empty, assign a score of 1"); so does an empty answer, when one is given
        Map<String, String> preds = Map.of("2", "no", "3", "", "1", "yes");
        EvaluationReport r = Evaluation.standard().withMetrics(List.of(Metric.VQA_MED_BLEU, Metric.VQA_MED_ACCURACY)).score(gold, preds);
        assertEquals(3, r.missing());
        // 1, 2, 3 score 1 for BLEU; 4, 5, 6 have no prediction: 0
        assertEquals(0.5, r.overall().value(Metric.VQA_MED_BLEU), 1e-12);
        // accuracy: "yes" and "no" right, "" is not "no"
        assertEquals(2.0 / 6.0, r.overall().value(Metric.VQA_MED_ACCURACY), 1e-12);
        assertEquals(1.0, new VqaMedScorer().bleu("", List.of("no")));
        assertEquals(0.0, new VqaMedScorer().bleu("", List.of("liver")));
    }
}
