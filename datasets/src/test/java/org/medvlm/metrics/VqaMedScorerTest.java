package org.medvlm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.medvlm.testing.Shared;

class VqaMedScorerTest {
    private final VqaMedScorer scorer = new VqaMedScorer();

    /**
     * The VQA-Med evaluator's BLEU, worked by hand.
     *
     * <pre>
     * prediction  "Pulmonary embolism of the lower lobes"
     * reference 1 "Pulmonary embolism in the left lower lobe."
     * reference 2 "pulmonary embolism"            (a '#' alternative)
     *
     * lower-case, delete string.punctuation, word_tokenize:
     *   cand  pulmonary embolism of the lower lobes
     *   ref1  pulmonary embolism in the left lower lobe
     *   ref2  pulmonary embolism
     * drop NLTK stop words (of, the, in):
     *   cand  pulmonary embolism lower lobes
     *   ref1  pulmonary embolism left lower lobe
     * Snowball stems (pulmonary: y after a consonant -> i; embolism: "ism" in R2 goes; lobes: plural s
     * goes, the e stays after the short syllable "lob"; left, lower: unchanged):
     *   cand  [pulmonari, embol, lower, lobe]                 c = 4
     *   ref1  [pulmonari, embol, left, lower, lobe]           r = 5
     *   ref2  [pulmonari, embol]                              r = 2
     * against ref1:
     *   1-grams  4 of 4 in ref1                               p1 = 4/4
     *   2-grams  (pulmonari embol) yes, (embol lower) no,
     *            (lower lobe) yes                             p2 = 2/3
     *   3-grams  (pulmonari embol lower) no, (embol lower lobe) no   p3 = 0/2
     *   NLTK 3.2 method0 stops at the first order without a match: log terms 1/4 ln 1 + 1/4 ln 2/3
     *   brevity penalty: c = 4 <= r = 5 -> exp(1 - 5/4) = exp(-0.25) = 0.7788
     *   BLEU = 0.7788 * (2/3)^(1/4) = 0.7788 * 0.9036 = 0.7037
     * against ref2: p1 = 2/4, p2 = 1/3, p3 = 0; c = 4 > r = 2 -> penalty 1;
     *   BLEU = (1/2 * 1/3)^(1/4) = 0.6389
     * the evaluator keeps the maximum: 0.7037. Accuracy: no reference equals the prediction: 0.
     * </pre>
     */
    @Test
    void handWorkedBleu() {
        String pred = "Pulmonary embolism of the lower lobes";
        List<String> refs = List.of("Pulmonary embolism in the left lower lobe.", "pulmonary embolism");
        assertEquals(List.of("pulmonari", "embol", "lower", "lobe"), VqaMedScorer.tokens(pred));
        assertEquals(List.of("pulmonari", "embol", "left", "lower", "lobe"), VqaMedScorer.tokens(refs.get(0)));
        double expected1 = Math.exp(-0.25) * Math.pow(2.0 / 3.0, 0.25);
        double expected2 = Math.pow(0.5 / 3.0, 0.25);
        assertEquals(0.7037, expected1, 1e-4);
        assertEquals(expected1, scorer.bleu(pred, List.of(refs.get(0))), 1e-12);
        assertEquals(expected2, scorer.bleu(pred, List.of(refs.get(1))), 1e-12);
        assertEquals(expected1, scorer.bleu(pred, refs), 1e-12);
        assertEquals(0.0, scorer.accuracy(pred, refs));
        // the same under NLTK >= 3.3: the zero trigram and 4-gram precisions become float_info.min
        double current = new VqaMedScorer(NltkBleu.Smoothing.NLTK_3_3).bleu(pred, List.of(refs.get(0)));
        assertEquals(expected1 * Math.exp(0.5 * Math.log(Double.MIN_NORMAL)), current, 1e-160);
    }

    @Test
    void stopWordsCanEmptyBothSides() {
        // "no" is an NLTK stop word: both token lists are empty, which the evaluator scores 1
        assertEquals(List.of(), VqaMedScorer.tokens("No."));
        assertEquals(1.0, scorer.bleu("No.", List.of("no")));
        // "yes" is not: an empty candidate against ["yes"] scores 0
        assertEquals(0.0, scorer.bleu("no", List.of("yes")));
        // "cannot" is split by the Treebank tokenizer into two stop words
        assertEquals(List.of("see"), VqaMedScorer.tokens("cannot see"));
    }

    @Test
    void accuracyNormalisesBothSidesAndTakesAnyReference() {
        assertEquals(1.0, scorer.accuracy("The lung.\n", List.of("lung")));
        assertEquals(1.0, scorer.accuracy("Two", List.of("three", "2")));
        assertEquals(0.0, scorer.accuracy("left lung", List.of("lung")));
    }

    @Test
    void evaluatorRounding() {
        assertEquals(0.7037, VqaMedScorer.round4(0.70373), 0.0);
        assertEquals(0.1235, VqaMedScorer.round4(0.12345000000000001), 0.0);
    }

    /**
     * The 2021 test set's reference answers (the evaluator's own ground-truth file): submitting any
     * listed answer of each image is a perfect run, as the evaluator's perfect.txt check expects.
     */
    @Test
    void perfectRunOnTheVqaMed2021ReferenceFile() throws IOException {
        Path file = Shared.path("external/medvqa/vqa-med-2021/abachaa__VQA-Med-2021/EvaluationCode/data/resources/"
                + "Task1-VQAnswering2021-Test-ReferenceAnswers-4Evaluator.txt");
        List<List<String>> refs = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\\|");
            refs.add(Arrays.stream(f).skip(1).map(String::strip).toList());
        }
        assertEquals(500, refs.size());
        double acc = 0;
        double bleu = 0;
        double accLast = 0;
        int pe = 0;
        double accPe = 0;
        for (List<String> r : refs) {
            acc += scorer.accuracy(r.get(0), r);
            bleu += scorer.bleu(r.get(0), r);
            accLast += scorer.accuracy(r.get(r.size() - 1), r);
            accPe += scorer.accuracy("pulmonary embolism", r);
            if (r.stream().anyMatch(a -> a.toLowerCase(Locale.ROOT).equals("pulmonary embolism"))) {
                pe++;
            }
        }
        assertEquals(1.0, acc / refs.size());
        assertEquals(1.0, bleu / refs.size());
        assertEquals(1.0, accLast / refs.size());
        assertEquals(pe, (int) accPe);
    }
}
