package org.medvlm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class LlavaMedScorerTest {

    @Test
    void publishedClosedAccuracyMatchesSubstringsAndDropsWrongYesNoAnswers() {
        // the bug: "no" is a substring of "normal", and the reference "no" is in it too
        assertEquals(OptionalDouble.of(1.0), LlavaMedScorer.closedPublished("Normal", "No"));
        // a wrong yes/no answer appends nothing: it leaves the denominator
        assertTrue(LlavaMedScorer.closedPublished("yes", "no").isEmpty());
        // a right non-yes/no closed answer scores 0 because it contains neither "yes" nor "no"
        assertEquals(OptionalDouble.of(0.0), LlavaMedScorer.closedPublished("left", "left"));
        // answering both ways is right whatever the reference
        assertEquals(OptionalDouble.of(1.0), LlavaMedScorer.closedPublished("yes or no", "yes"));
    }

    @Test
    void fixedClosedAccuracyCountsWholeWordsAndEveryQuestion() {
        assertEquals(0.0, LlavaMedScorer.closed("Normal", "No"));
        assertEquals(0.0, LlavaMedScorer.closed("yes", "no"));
        assertEquals(1.0, LlavaMedScorer.closed("left", "left"));
        assertEquals(0.0, LlavaMedScorer.closed("yes or no", "yes"));
        assertEquals(1.0, LlavaMedScorer.closed("No, there is no pneumothorax.", "no"));
        assertEquals(1.0, LlavaMedScorer.closed("It is a T2 weighted MRI", "t2 weighted"));
        assertEquals(0.0, LlavaMedScorer.closed("eyes", "yes"));
    }

    /**
     * pred "left lung lower lobe", ref "lower lobe of the left lung" -> normalised "lower lobe of left
     * lung" (article gone). tp = left, lung, lower, lobe = 4 (counted on the prediction), fp = 0,
     * fn = "of" = 1: precision 4/4, recall 4/5, F1 = 2 * 1 * 0.8 / 1.8 = 0.8889.
     */
    @Test
    void openTokenScoresWorkedByHand() {
        LlavaMedScorer.TokenScores s = LlavaMedScorer.open("Left lung, lower lobe", "lower lobe of the left lung");
        assertEquals(1.0, s.precision(), 1e-12);
        assertEquals(0.8, s.recall(), 1e-12);
        assertEquals(16.0 / 18.0, s.f1(), 1e-12);
        assertEquals(0.0, LlavaMedScorer.open("", "liver").recall());
        assertEquals(0.0, LlavaMedScorer.open("spleen", "liver").f1());
    }
}
