package org.medvlm.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class NltkBleuTest {
    private static List<String> w(String s) {
        return Arrays.asList(s.split(" "));
    }

    // The sentences of NLTK's own bleu_score doctests.
    private static final List<String> HYP1 = w("It is a guide to action which ensures that the military always obeys the commands of the party");
    private static final List<String> REF1 = w("It is a guide to action that ensures that the military will forever heed Party commands");
    private static final List<String> REF2 = w("It is the guiding principle which guarantees the military forces always being under the command of the Party");
    private static final List<String> REF3 = w("It is the practical guide for the army always to heed the directions of the party");

    @Test
    void reproducesNltkDoctests() {
        double three = NltkBleu.compute(List.of(REF1, REF2, REF3), HYP1, NltkBleu.Smoothing.NLTK_3_3).score();
        assertTrue(three >= 0.5045 && three < 0.5046, "doctest: 0.5045..., got " + three);
        double one = NltkBleu.sentence(REF1, HYP1, NltkBleu.Smoothing.NLTK_3_3);
        assertTrue(one >= 0.4118 && one < 0.4119, "SmoothingFunction doctest: 0.4118..., got " + one);
        // "the the the ..." modified unigram precision 2/7 = 0.2857...
        NltkBleu.Result r = NltkBleu.compute(List.of(w("the cat is on the mat"), w("there is a cat on the mat")),
                w("the the the the the the the"), NltkBleu.Smoothing.NLTK_3_3);
        assertEquals(2, r.matches()[0]);
        assertEquals(7, r.totals()[0]);
    }

    @Test
    void theTwoMethod0BehavioursDifferOnShortAnswers() {
        List<String> ans = w("pulmonari embol");
        // 3.2: p1 = 2/2, p2 = 1/1, trigram has no match: orders 3 and 4 are dropped -> exp(0) = 1
        assertEquals(1.0, NltkBleu.sentence(ans, ans, NltkBleu.Smoothing.NLTK_3_2), 0.0);
        // 3.3: orders 3 and 4 count log(2.2250738585072014e-308) each, weight 1/4: exp(-354.198...)
        double current = NltkBleu.sentence(ans, ans, NltkBleu.Smoothing.NLTK_3_3);
        assertEquals(Math.exp(0.5 * Math.log(Double.MIN_NORMAL)), current, 1e-160);
        assertTrue(current < 1e-150 && current > 0);
    }

    @Test
    void noUnigramMatchOrEmptyHypothesisIsZero() {
        assertEquals(0.0, NltkBleu.sentence(w("liver"), w("spleen"), NltkBleu.Smoothing.NLTK_3_2));
        assertEquals(0.0, NltkBleu.sentence(w("liver"), List.of(), NltkBleu.Smoothing.NLTK_3_2));
    }

    @Test
    void brevityPenaltyUsesTheClosestReferenceShorterOnTies() {
        List<String> hyp = w("a a a a a a a a a a a a");
        NltkBleu.Result r = NltkBleu.compute(List.of(w("a a a a a a a a a a a a a"), w("a a a a a a a a a a a")),
                hyp, NltkBleu.Smoothing.NLTK_3_3);
        assertEquals(1.0, r.brevityPenalty()); // 13 and 11 tie at distance 1: 11 wins, 12 > 11
        NltkBleu.Result r2 = NltkBleu.compute(List.of(w("a a a a a a a a a a a a a"), w("a a")), hyp,
                NltkBleu.Smoothing.NLTK_3_3);
        assertEquals(Math.exp(1 - 13.0 / 12), r2.brevityPenalty(), 1e-15); // 0.9200...
        assertArrayEquals(new int[] {12, 11, 10, 9}, r2.totals());
    }
}
