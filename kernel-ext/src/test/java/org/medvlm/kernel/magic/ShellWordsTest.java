package org.medvlm.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellWordsTest {

    @Test
    void splitsOnBlanksAndKeepsQuotedWordsTogether() {
        assertEquals(List.of("ask", "img.png", "is there a fracture?"), ShellWords.split("ask img.png \"is there a fracture?\""));
        assertEquals(List.of("load", "slake", "/data/my dir", "as", "s"), ShellWords.split("load  slake '/data/my dir' as s"));
    }

    @Test
    void handlesEscapesLikeAShell() {
        assertEquals(List.of("a b", "say \"hi\"", "it's"), ShellWords.split("a\\ b \"say \\\"hi\\\"\" it\\'s"));
        assertEquals(List.of("--where=modality == 'CT'"), ShellWords.split("--where=\"modality == 'CT'\""));
        assertEquals(List.of("", "x"), ShellWords.split("'' x"));
        assertEquals(List.of(), ShellWords.split("   "));
    }

    @Test
    void refusesUnclosedQuotes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShellWords.split("ask \"open"));
        assertEquals("unclosed \" in: ask \"open", e.getMessage());
    }
}
