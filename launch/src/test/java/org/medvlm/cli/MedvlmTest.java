package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class MedvlmTest {

    @Test
    void bareCommandPrintsUsageWithEveryCommand() {
        CliRun run = CliRun.of();
        assertEquals(0, run.exitCode());
        for (String command : new String[] {"zero", "check", "medvqa", "dicom", "evaluate", "vlm", "train", "install-kernel"}) {
            assertTrue(run.out().contains(command), "usage lists " + command + ":\n" + run.out());
        }
    }

    @Test
    void unknownOptionIsOneUsageLineWithExitTwo() {
        CliRun run = CliRun.of("zero", "--no-such-option");
        assertEquals(Medvlm.EXIT_USAGE, run.exitCode());
        assertTrue(run.errIsOneLine(), run.err());
        assertTrue(run.err().startsWith("medvlm zero: "), run.err());
        assertTrue(run.err().contains("--no-such-option"), run.err());
    }

    @Test
    void unknownCommandIsOneUsageLine() {
        CliRun run = CliRun.of("plot");
        assertEquals(Medvlm.EXIT_USAGE, run.exitCode());
        assertTrue(run.errIsOneLine(), run.err());
        assertTrue(run.err().contains("plot"), run.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"zero", "check", "medvqa", "dicom", "evaluate", "vlm", "train", "install-kernel"}) {
            CliRun run = CliRun.of(command, "--help");
            assertEquals(0, run.exitCode(), command);
            assertTrue(run.out().startsWith("Usage: medvlm " + command), run.out());
        }
    }

    @Test
    void fileProblemsNameTheFile() {
        assertEquals("/x/model.safetensors: no such file or folder",
                Medvlm.describe(new NoSuchFileException("/x/model.safetensors")));
        assertEquals("a; b", Medvlm.describe(new IOException("a\nb")));
        assertEquals(Medvlm.EXIT_INPUT, Medvlm.exitCode(new IOException("x")));
        assertEquals(Medvlm.EXIT_SOFTWARE, Medvlm.exitCode(new NullPointerException()));
    }
}
