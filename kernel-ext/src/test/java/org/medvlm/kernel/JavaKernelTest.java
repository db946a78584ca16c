package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medvlm.cli.Display;
import org.medvlm.cli.Medvlm;
import org.medvlm.kernel.jshell.EvalError;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Cells in-process (no Jupyter client): a magic's shown value becomes the typed variable {@code last},
 * magics and code mix in one cell, and a usage error keeps the command's usage line.
 */
public class JavaKernelTest {
    /** A result value as the toolkit's commands show them. */
    public record Demo(int n) {
        public int doubled() {
            return 2 * n;
        }
    }

    /** {@code medvlm demo N}: shows a {@link Demo}. */
    @Command(name = "demo", mixinStandardHelpOptions = true, description = "Shows a Demo value.")
    static final class DemoCommand implements Callable<Integer> {
        private final Display display;

        @Parameters(paramLabel = "N")
        int n;

        DemoCommand(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() {
            // per-kernel state, as a dataset catalogue keeps the datasets a notebook loaded by name
            java.util.concurrent.atomic.AtomicInteger calls = ((org.medvlm.kernel.magic.KernelDisplay) display).session()
                    .get(java.util.concurrent.atomic.AtomicInteger.class, java.util.concurrent.atomic.AtomicInteger::new);
            calls.incrementAndGet();
            display.show(new Demo(n));
            return 0;
        }
    }

    private static JavaKernel kernel;

    @BeforeAll
    static void start() throws EvalError {
        kernel = new JavaKernel(display -> Medvlm.commandLine(display).addSubcommand("demo", new CommandLine(new DemoCommand(display))));
        kernel.warmUpInBackground();
        kernel.awaitWarm();
    }

    @AfterAll
    static void stop() {
        kernel.onShutdown(false);
    }

    @Test
    void aMagicsValueBecomesTheTypedVariableLast() throws EvalError {
        assertNull(kernel.executeCell("%demo 21"), "a magic shows its value itself; the cell has no result");
        DisplayData d = kernel.executeCell("last.doubled()");
        assertEquals("42", d.getData(MIMEType.TEXT_PLAIN));
        DisplayData same = kernel.executeCell("var plan = (JavaKernelTest.Demo) last(); plan.n()".replace("JavaKernelTest", JavaKernelTest.class.getName()));
        assertEquals("21", same.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void theSessionOutlivesEachMagic() throws EvalError {
        var calls = kernel.session().get(java.util.concurrent.atomic.AtomicInteger.class, java.util.concurrent.atomic.AtomicInteger::new);
        int before = calls.get();
        kernel.executeCell("%demo 1\n%demo 2");
        assertEquals(before + 2, calls.get());
        assertEquals("2", kernel.executeCell("last.n()").getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void magicsAndCodeMixInOneCell() throws EvalError {
        DisplayData d = kernel.executeCell("int base = 5;\n%demo 7\nbase + last.n()");
        assertEquals("12", d.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void aUsageErrorKeepsTheUsageLine() {
        EvalError e = assertThrows(EvalError.class, () -> kernel.executeCell("%demo seven"));
        assertEquals("UsageError", e.name());
        assertTrue(e.getMessage().startsWith("medvlm demo: Invalid value for positional parameter at index 0 (N): 'seven'"), e.getMessage());
        assertEquals("Usage: medvlm demo [-hV] N", e.lines().get(e.lines().size() - 1));
    }

    @Test
    void completesMagicNamesAndJava() {
        assertEquals(java.util.List.of("demo"), kernel.complete("%de", 3).getReplacements());
        assertTrue(kernel.complete("Math.ab", 7).getReplacements().contains("abs("));
        assertEquals("    ", kernel.isComplete("%demo 1\nvoid f() {"), "incomplete: the indent of the next line");
        assertEquals("complete", kernel.isComplete("%%train\nanything { goes"));
    }
}
