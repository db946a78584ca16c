package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.medvlm.kernel.magic.ShellWords;

class IJavaExtensionTest {

    @Test
    void wordsIJavaSplitReachTheCommandUnchanged() {
        List<String> words = List.of("ask", "a b.png", "it's \"fine\"", "", "$HOME\\x");
        assertEquals(words, ShellWords.split(IJavaExtension.join(words)));
    }

    @Test
    void installOutsideIJavaSaysSo() {
        assertThrows(ClassNotFoundException.class, IJavaExtension::install);
    }
}
