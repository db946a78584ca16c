package org.medvlm.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medvlm.cli.Medvlm;
import org.medvlm.cli.TerminalDisplay;

/** The magics run the real {@code medvlm} command tree: same help, same errors, usage line on a typo. */
class CommandMagicsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<Object> shown = new ArrayList<>();
    private final CommandMagics magics = new CommandMagics(new PrintWriter(out, true), new PrintWriter(err, true), shown::add);

    @Test
    void everyNotebookCommandIsAMagic() {
        assertTrue(magics.names().containsAll(List.of("zero", "medvqa", "dicom", "vlm", "train")), magics.names().toString());
        assertFalse(magics.names().contains("install-kernel"));
        assertFalse(magics.names().contains("notebook"), "a kernel does not start the Jupyter that runs it");
        assertTrue(magics.names().contains("run"), "%run executes another notebook headless");
        assertFalse(magics.names().contains("help"));
    }

    @Test
    void helpIsTheCommandLinesHelp() {
        magics.line("zero", "--help");
        StringWriter terminal = new StringWriter();
        Medvlm.commandLine(new TerminalDisplay(new PrintWriter(terminal, true), new PrintWriter(new StringWriter(), true)))
                .execute("zero", "--help");
        assertEquals(terminal.toString(), out.toString());
        assertTrue(out.toString().startsWith("Usage: medvlm zero"));
        assertEquals(terminal.toString().strip(), magics.help("zero").strip());
    }

    @Test
    void aTypoGetsTheMessageAndTheUsageLine() {
        MagicError e = assertThrows(MagicError.class, () -> magics.line("zero", "--gpus-typo 8"));
        assertTrue(e.getMessage().contains("--gpus-typo"), e.getMessage());
        assertTrue(e.lines().get(e.lines().size() - 1).startsWith("Usage: medvlm zero"), e.lines().toString());
        assertEquals("", err.toString(), "the error is the magic's error output, not stderr text");
    }

    @Test
    void unknownMagicsAndTerminalOnlyCommandsAreRefused() {
        MagicError unknown = assertThrows(MagicError.class, () -> magics.line("zeroo", ""));
        assertTrue(unknown.lines().get(0).contains("the magics are: %"), unknown.lines().toString());
        assertThrows(MagicError.class, () -> magics.line("install-kernel", "--user"));
    }

    @Test
    void trainErrorsAreMagicErrorsForTheCellAndLineForms(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        // a run folder of its own: a run that fails to start still writes run.json (into runs/ without one)
        String body = "model = no-such-model-folder\nsteps = 3\nrun-dir = " + tmp.resolve("run");
        MagicError cell = assertThrows(MagicError.class, () -> magics.cell("train", "", body));
        assertTrue(cell.getMessage().startsWith("medvlm train"), cell.getMessage());
        MagicError line = assertThrows(MagicError.class, () -> magics.line("train", "attach no-such-run"));
        assertTrue(line.getMessage().startsWith("medvlm train attach") && line.getMessage().contains("no-such-run"), line.getMessage());
        assertFalse(magics.hasLast());
    }

    @Test
    void aMistypedOptionOrSubcommandGetsDidYouMean() {
        MagicError option = assertThrows(MagicError.class, () -> magics.line("train", "--stepz 4"));
        assertTrue(option.lines().get(0).contains("; did you mean --steps?"), option.lines().toString());
        assertTrue(option.lines().get(option.lines().size() - 1).startsWith("Usage: medvlm train"), option.lines().toString());
        MagicError inBody = assertThrows(MagicError.class, () -> magics.cell("train", "", "stepz: 4"));
        // in the body the settings are written without dashes, and the error names the body's line, not a temp file
        assertTrue(inBody.lines().get(0).contains("%%train body: line 1: no setting 'stepz'; did you mean steps?"),
                inBody.lines().toString());
        MagicError sub = assertThrows(MagicError.class, () -> magics.line("medvqa", "lod phantoms 10:1"));
        assertTrue(sub.lines().get(0).contains("did you mean load"), sub.lines().toString());
    }
}
