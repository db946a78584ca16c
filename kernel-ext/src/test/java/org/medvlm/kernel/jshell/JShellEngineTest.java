package org.medvlm.kernel.jshell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine in-process: real result objects, IJava's value rules, user-only stack traces, stop. */
class JShellEngineTest {
    private static JShellEngine engine;

    @BeforeAll
    static void start() {
        engine = new JShellEngine();
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void theLastExpressionIsTheRealObject() throws EvalError {
        CellResult r = engine.eval("var img = new java.awt.image.BufferedImage(3, 2, 1);\nimg");
        assertTrue(r.hasValue());
        BufferedImage img = assertInstanceOf(BufferedImage.class, r.value());
        assertEquals(3, img.getWidth());
        assertEquals(42, engine.eval("int a = 40; a + 2").value());
        assertEquals("ab", engine.eval("\"a\" + \"b\"").value());
        assertEquals(null, engine.eval("(String) null").value());
    }

    @Test
    void declarationsAndStatementsShowNothing() throws EvalError {
        assertFalse(engine.eval("int b = 5;").hasValue());
        assertFalse(engine.eval("void f() {}").hasValue());
        assertFalse(engine.eval("for (int i = 0; i < 2; i++) {}").hasValue());
        assertEquals(5, engine.eval("b").value());
    }

    @Test
    void exceptionsShowTheUsersFramesOnly() {
        EvalError e = assertThrows(EvalError.class, () -> engine.eval(
                "int down(int n) { if (n == 0) throw new IllegalStateException(\"bottom\"); return down(n - 1); }\ndown(2)"));
        assertEquals("java.lang.IllegalStateException", e.name());
        assertEquals("java.lang.IllegalStateException: bottom", e.lines().get(0));
        // the message, three down(...) frames and the cell's call
        assertEquals(5, e.lines().size(), e.lines().toString());
        assertEquals(3, e.lines().stream().filter(l -> l.equals("\tat down (declared at line 1)")).count(), e.lines().toString());
        assertEquals("\tat line 2", e.lines().get(4), "the cell's own line: " + e.lines());
        String all = String.join("\n", e.lines());
        assertFalse(all.contains("org.medvlm.kernel") || all.contains("jdk.jshell") || all.contains("reflect"), all);
    }

    @Test
    void errorsNameTheCellsLinesAndVariablesNotJShellsSnippets() throws EvalError {
        engine.beginCell(7);
        EvalError npe = assertThrows(EvalError.class,
                () -> engine.eval("int a = 1;\n\n// a comment\nString s = null;\nint n = s.length();", 1));
        assertEquals("java.lang.NullPointerException", npe.name());
        assertEquals("Cannot invoke \"String.length()\" because \"s\" is null", npe.getMessage());
        assertEquals(List.of("java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"s\" is null",
                "\tat line 5"), npe.lines());
        // a method declared in cell 7 (from its line 2), failing when cell 8 calls it: its local variable is named
        engine.eval("void boom() {\n  String t = null;\n  t.length();\n}", 2);
        engine.beginCell(8);
        EvalError inMethod = assertThrows(EvalError.class, () -> engine.eval("\nboom();", 1));
        assertEquals(List.of("java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"t\" is null",
                "\tat boom (declared at cell [7], line 2)", "\tat line 2"), inMethod.lines());
        engine.eval("class Oops extends RuntimeException {\n  Oops() { super(\"no\"); }\n  static void go(int n) {\n"
                + "    if (n > 0) throw new Oops();\n  }\n}", 1);
        EvalError own = assertThrows(EvalError.class, () -> engine.eval("Oops.go(1);", 1));
        assertEquals("Oops", own.name());
        assertEquals(List.of("Oops: no", "\tat Oops.go (line 4)", "\tat line 1"), own.lines());
        engine.beginCell(9);
        EvalError compile = assertThrows(EvalError.class, () -> engine.eval("int ok = 1;\nint x = \"text\";", 4));
        assertTrue(compile.lines().get(0).startsWith("line 5: incompatible types"), compile.lines().toString());
    }

    @Test
    void compileErrorsNameTheProblemAndPointAtIt() {
        EvalError e = assertThrows(EvalError.class, () -> engine.eval("int x = \"text\";"));
        assertEquals("CompilationException", e.name());
        assertTrue(e.getMessage().contains("incompatible types"), e.getMessage());
        assertTrue(e.lines().contains("    int x = \"text\";"), e.lines().toString());
    }

    @Test
    void completenessFollowsTheProtocol() {
        assertEquals("complete", engine.isComplete("1 + 1"));
        assertEquals("complete", engine.isComplete("int a = 1; void g() {}"));
        assertEquals("incomplete", engine.isComplete("void g() {"));
        assertEquals("incomplete", engine.isComplete("for (int i = 0; i < 3; i++)"));
        assertEquals("invalid", engine.isComplete("int int int = ;"));
    }

    @Test
    void completesMembers() {
        JShellEngine.Completions c = engine.complete("Math.ma", 7);
        assertEquals(java.util.List.of("max("), c.matches());
        assertEquals(5, c.start());
    }

    @Test
    void stopEndsABusyLoopAndTheEngineGoesOn() throws Exception {
        engine.resetStop();
        CompletableFuture<EvalError> running = CompletableFuture.supplyAsync(() -> {
            try {
                engine.eval("long spins = 0; while (true) { spins++; }");
                return null;
            } catch (EvalError e) {
                return e;
            }
        });
        Thread.sleep(1500);
        long sent = System.nanoTime();
        engine.stop();
        EvalError e = running.get(10, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - sent) / 1_000_000;
        assertEquals("Interrupted", e.name());
        assertTrue(ms < 2000, "stopped after " + ms + " ms");
        engine.resetStop();
        assertEquals(7, engine.eval("3 + 4").value());
    }

    @Test
    void aStringConstantOver64KibIsAnErrorAndTheNextSnippetsRun() throws EvalError {
        String[] literals = {"\"" + "x".repeat(70_000) + "\"", "\"" + "é".repeat(40_000) + "\""};
        for (String literal : literals) {
            for (String code : new String[] {"String big = " + literal + ";", literal + ".length()"}) {
                EvalError e = assertThrows(EvalError.class, () -> engine.eval(code));
                assertEquals("CompilationException", e.name());
                assertTrue(e.lines().get(e.lines().size() - 1).contains("65,535 bytes"), e.lines().toString());
                // JShell used to keep the snippet and javac the constant: every later snippet failed without a word
                assertEquals(7, engine.eval("3 + 4").value());
                assertFalse(engine.eval("int after = 1;").hasValue());
                assertEquals(1, engine.eval("after").value());
            }
        }
        // built at run time, the same text is fine
        assertEquals(70_000, engine.eval("\"x\".repeat(70_000).length()").value());
    }

    @Test
    void aForwardReferenceIsStillAllowed() throws EvalError {
        assertFalse(engine.eval("int twice() { return later() * 2; }").hasValue());
        engine.eval("int later() { return 21; }");
        assertEquals(42, engine.eval("twice()").value());
    }
}
