package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
    void aTypoGetsTheNearestNamesInTheSameLine() {
        CliRun option = CliRun.of("train", "--stepz", "4");
        assertEquals(Medvlm.EXIT_USAGE, option.exitCode());
        assertTrue(option.errIsOneLine() && option.err().contains("did you mean --steps?"), option.err());
        CliRun sub = CliRun.of("medvqa", "lod", "phantoms", "10:1");
        assertTrue(sub.errIsOneLine() && sub.err().contains("did you mean load?"), sub.err());
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

    /** {@code medvlm fail}: throws what the test asks for, as a command's bug or bad input would. */
    @Command(name = "fail")
    static final class Fail implements Callable<Integer> {
        private final Supplier<Throwable> what;

        Fail(Supplier<Throwable> what) {
            this.what = what;
        }

        @Override
        public Integer call() throws Exception {
            Throwable t = what.get();
            if (t instanceof Error e) {
                throw e;
            }
            throw (Exception) t;
        }
    }

    private static CliRun failWith(Supplier<Throwable> what) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Medvlm.commandLine(new TerminalDisplay(new PrintWriter(out, true), new PrintWriter(err, true)));
        cl.addSubcommand("fail", new CommandLine(new Fail(what)));
        return new CliRun(cl.execute("fail"), out.toString(), err.toString());
    }

    @Test
    void exitCodesSayWhoseFaultItIs() {
        record Case(Supplier<Throwable> thrown, int code, String line) {}
        List<Case> cases = List.of(
                new Case(() -> new UserError("plan.json: not a plan"), Medvlm.EXIT_INPUT, "medvlm fail: plan.json: not a plan"),
                new Case(() -> new IllegalArgumentException("--x: bad"), Medvlm.EXIT_INPUT, "medvlm fail: --x: bad"),
                new Case(() -> new FileSystemException("/x/plan.png", null, "No space left on device"), Medvlm.EXIT_INPUT,
                        "medvlm fail: /x/plan.png: No space left on device"),
                new Case(() -> new java.nio.file.DirectoryNotEmptyException("/x/out"), Medvlm.EXIT_INPUT,
                        "medvlm fail: /x/out: is a folder that is not empty"),
                // a launched run that failed (a rank died, the job was cancelled): its reason, exit 1
                new Case(() -> new org.medvlm.launch.Launches.RunFailed("run failed: rank 1 was killed by signal 9"), Medvlm.EXIT_INPUT,
                        "medvlm fail: run failed: rank 1 was killed by signal 9"),
                // a bug, not bad input, unless a command turns a specific case into a UserError
                new Case(() -> new IllegalStateException("state"), Medvlm.EXIT_SOFTWARE, "medvlm fail: IllegalStateException: state"),
                new Case(NullPointerException::new, Medvlm.EXIT_SOFTWARE, "medvlm fail: NullPointerException"),
                // JVM errors: one line, never a stack trace
                new Case(() -> new OutOfMemoryError("Java heap space"), Medvlm.EXIT_INPUT,
                        "medvlm fail: out of memory (raise it with MEDVLM_JAVA_OPTS=-Xmx...)"),
                new Case(StackOverflowError::new, Medvlm.EXIT_SOFTWARE,
                        "medvlm fail: stack overflow (a bug: please report it with MEDVLM_DEBUG=1 output)"),
                new Case(() -> new AssertionError("never"), Medvlm.EXIT_SOFTWARE, "medvlm fail: AssertionError: never"));
        for (Case c : cases) {
            CliRun r = failWith(c.thrown());
            assertEquals(c.code(), r.exitCode(), r.err());
            assertEquals(c.line(), r.err().strip());
        }
        assertEquals(Medvlm.EXIT_SOFTWARE, Medvlm.exitCode(new IllegalStateException("x")));
    }

    @Test
    void errorLinesAreBounded() {
        CliRun r = failWith(() -> new UserError("x".repeat(1_000_000)));
        assertEquals(Medvlm.MAX_ERROR_CHARS, r.err().strip().length());
        assertTrue(r.err().strip().endsWith("..."));
    }

    @Test
    void helpHasNoFormatWarnings() {
        PrintStream old = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        List<String> outputs = new ArrayList<>();
        try {
            for (String command : new String[] {"zero", "check", "medvqa", "dicom", "evaluate", "vlm", "train", "install-kernel"}) {
                CliRun run = CliRun.of(command, "--help");
                outputs.add(run.out() + run.err());
            }
            outputs.add(CliRun.of("zero", "plan", "--help").out());
        } finally {
            System.setErr(old);
        }
        String warnings = captured.toString(StandardCharsets.UTF_8);
        assertFalse(warnings.contains("WARN") || warnings.contains("%"), warnings);
        String train = outputs.get(6).replaceAll("\\s+", " ");
        assertTrue(train.contains("%%train with one option per line") && train.contains("%train status"), train);
    }

    @Test
    void closingASessionClosesWhatItHolds() {
        Session session = new Session();
        List<String> closed = new ArrayList<>();
        final class Model implements AutoCloseable {
            @Override
            public void close() {
                closed.add("model");
            }
        }
        final class Catalog implements AutoCloseable {
            @Override
            public void close() {
                closed.add("catalog");
                throw new IllegalStateException("catalog failed to close");
            }
        }
        session.get(Model.class, Model::new);
        session.get(Catalog.class, Catalog::new);
        session.get(StringBuilder.class, StringBuilder::new);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, session::close);
        assertEquals("catalog failed to close", e.getMessage());
        assertEquals(List.of("catalog", "model"), closed, "newest first, and one failure does not keep the rest open");
        assertTrue(session.find(Model.class).isEmpty());
        session.close();
        assertEquals(2, closed.size(), "a closed session holds nothing");
    }

    @Test
    void jsonIsAlwaysValid() {
        Map<String, Object> o = new java.util.LinkedHashMap<>();
        o.put("nan", Double.NaN);
        o.put("inf", Double.POSITIVE_INFINITY);
        o.put("float", Float.NaN);
        o.put("ok", 0.5);
        o.put("n", 3);
        o.put("list", List.of(1.0, Double.NEGATIVE_INFINITY));
        String json = Json.compact(o);
        assertEquals("{\"nan\":null,\"inf\":null,\"float\":null,\"ok\":0.5,\"n\":3,\"list\":[1.0,null]}", json);
        com.google.gson.JsonObject tree = new com.google.gson.JsonObject();
        tree.addProperty("x", Double.NaN);
        assertEquals("{\"x\":null}", Json.compact(tree));
        com.google.gson.JsonParser.parseString(Json.pretty(o));
    }
}
