package org.medvlm.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Tab after a magic's name completes from the command's picocli model: subcommands, options, enum values, paths. */
class MagicCompleterTest {
    private final CommandLine tree = new CommandMagics(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
            v -> { }).commandTree();
    @TempDir
    Path dir;

    private MagicCompleter.Completion complete(String line) {
        return MagicCompleter.complete(line, 100 + line.length(), tree, dir); // the line starts at offset 100 of the cell
    }

    @Test
    void optionsSubcommandsAndEnumValues() {
        MagicCompleter.Completion steps = complete("%train --st");
        assertEquals(List.of("--steps"), steps.matches());
        assertEquals(100 + "%train ".length(), steps.start(), "the typed option is replaced");
        assertEquals(List.of("load"), complete("%medvqa lo").matches());
        assertTrue(complete("%train ").matches().containsAll(List.of("status", "stop", "attach")));
        assertEquals(List.of("bone", "brain"), complete("%vlm ask scan.png \"what?\" --window b").matches());
        assertTrue(complete("%%train --eval").matches().containsAll(List.of("--eval-every", "--eval-limit")));
        assertEquals(List.of("bloomz-7b1"), complete("%zero --model bloomz-7").matches());
        assertNull(complete("%nosuchmagic --x"));
        assertNull(complete("%train --steps 3"), "a number has nothing to complete");
    }

    @Test
    void pathsWhereACommandTakesAFileOrAFolder() throws Exception {
        Files.createDirectory(dir.resolve("scans"));
        Files.writeString(dir.resolve("scans/ct.dcm"), "x");
        Files.writeString(dir.resolve("scans/cxr.png"), "x");
        Files.writeString(dir.resolve("scans/.hidden"), "x");
        assertEquals(List.of("scans/"), complete("%dicom show sc").matches());
        assertEquals(List.of("scans/ct.dcm", "scans/cxr.png"), complete("%dicom show scans/c").matches());
        MagicCompleter.Completion png = complete("%vlm explain scans/cxr.png \"where?\" --png scans/c");
        assertEquals(List.of("scans/ct.dcm", "scans/cxr.png"), png.matches());
        MagicCompleter.Completion eq = complete("%vlm explain scans/cxr.png \"where?\" --png=scans/ct");
        assertEquals(List.of("scans/ct.dcm"), eq.matches());
        assertEquals(100 + "%vlm explain scans/cxr.png \"where?\" --png=".length(), eq.start(), "only the value is replaced");
        assertEquals(List.of("scans/"), complete("%train attach s").matches());
        assertEquals(List.of("scans/"), complete("%zero --model sc").matches(), "zero --model: files and model names");
    }
}
