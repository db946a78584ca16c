package org.medvlm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VqaNormalizerTest {

    @Test
    void numberWordsArticlesAndFinalPeriod() {
        assertEquals("2", VqaNormalizer.vqa("Two."));
        assertEquals("liver", VqaNormalizer.vqa("The Liver"));
        assertEquals("0 lesions", VqaNormalizer.vqa("none lesions"));
        assertEquals("don't know", VqaNormalizer.vqa("dont know"));
    }

    @Test
    void punctuationIsDeletedNextToASpaceAndReplacedOtherwise() {
        // ", " occurs in the text: every comma is deleted
        assertEquals("yes it is", VqaNormalizer.vqa("yes, it is"));
        // no comma touches a space: the comma becomes a space
        assertEquals("left right", VqaNormalizer.vqa("left,right"));
        // the decision is taken per mark on the original text: "-" has no space next to it, so it
        // becomes a space, while "(" has one before it and is deleted
        assertEquals("t2 weighted mri", VqaNormalizer.vqa("t2-weighted (mri"));
    }

    @Test
    void aDigitCommaDigitAnywhereDeletesAllPunctuation() {
        assertEquals("1000 mm leftright", VqaNormalizer.vqa("1,000 mm left/right"));
    }

    @Test
    void periodsBeforeDigitsStayAndOnlyThe32FirstOthersGo() {
        assertEquals("3.5 cm", VqaNormalizer.vqa("3.5 cm."));
        String s = "x.".repeat(33); // 33 periods none of which precedes a digit
        String out = VqaNormalizer.processPunctuation(s);
        assertEquals("x".repeat(33) + ".", out);
    }

    @Test
    void llavaMedLowerCasesAndDropsCommas() {
        assertEquals("yes there is 1 nodule", VqaNormalizer.llavaMed("Yes, there is one nodule."));
        assertTrue(VqaNormalizer.llavaMed("NORMAL").equals("normal"));
    }

    @Test
    void pythonWhitespaceIncludesNoBreakSpace() {
        assertEquals("left lung", VqaNormalizer.vqa("left\u00A0lung"));
    }
}
