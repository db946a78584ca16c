package org.medvlm.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClasspathMagicTest {

    @Test
    void addsJarsFoldersAndGlobsInOrder(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("b.jar"));
        Files.createFile(dir.resolve("a.jar"));
        Files.createFile(dir.resolve("notes.txt"));
        Path classes = Files.createDirectory(dir.resolve("my classes"));
        List<String> sink = new ArrayList<>();
        List<String> added = ClasspathMagic.add(dir + "/*.jar '" + classes + "'", sink::add);
        assertEquals(List.of(dir.resolve("a.jar").toString(), dir.resolve("b.jar").toString(), classes.toString()), added);
        assertEquals(added, sink);
    }

    @Test
    void namesWhatMatchesNothing(@TempDir Path dir) {
        MagicError e = assertThrows(MagicError.class, () -> ClasspathMagic.add(dir + "/*.jar", p -> { }));
        assertEquals(dir + "/*.jar: no such file or folder", e.getMessage());
        assertThrows(MagicError.class, () -> ClasspathMagic.add("  ", p -> { }));
    }
}
