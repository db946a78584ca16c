package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code medvlm run NOTEBOOK}, as a user runs it: a JVM of its own, on the kernel installed for the tests. A notebook
 * that runs is written executed and as HTML; one whose cell fails gives exit 1 and one line naming the cell (index and
 * first line), and its files still show the error.
 */
class RunCommandTest {
    @TempDir Path tmp;

    static String notebook(String... cells) {
        StringBuilder s = new StringBuilder("{\"cells\": [");
        for (int i = 0; i < cells.length; i++) {
            s.append(i == 0 ? "" : ",").append("{\"cell_type\": \"code\", \"execution_count\": null, \"metadata\": {}, \"outputs\": [],"
                    + " \"source\": ").append(new com.google.gson.Gson().toJson(cells[i])).append("}");
        }
        return s.append("], \"metadata\": {\"kernelspec\": {\"name\": \"medvlm\", \"display_name\": \"MedVLM (Java)\","
                + " \"language\": \"java\"}}, \"nbformat\": 4, \"nbformat_minor\": 5}").toString();
    }

    record Out(int code, String stdout, String stderr) {}

    Out medvlm(String... args) throws Exception {
        Path jupyter = JupyterHarness.install();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", JupyterHarness.kernelClasspath(), "org.medvlm.cli.Medvlm"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
        pb.environment().put("JUPYTER_PATH", jupyter.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "medvlm run did not finish in 300 s");
        return new Out(p.exitValue(), Files.readString(tmp.resolve("out.txt")), Files.readString(tmp.resolve("err.txt")));
    }

    @Test
    void aNotebookRunsHeadlessIntoAnExecutedNotebookAndHtml() throws Exception {
        JupyterHarness.assumeJupyter();
        Path nb = tmp.resolve("ok.ipynb");
        Files.writeString(nb, notebook("int x = 6 * 7;\nx", "%zero --params 7.5B --gpus 64"));
        Path out = tmp.resolve("ok.out.ipynb");
        Path html = tmp.resolve("ok.html");
        Out r = medvlm("run", nb.toString(), "--kernel", JupyterHarness.KERNEL_NAME, "--output", out.toString(), "--html", html.toString());
        assertEquals(0, r.code(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("2 code cells ran"), r.stdout());
        assertFalse(r.stderr().contains("frozen modules") || r.stderr().contains("setSecurityManager"), "noise on stderr: " + r.stderr());
        JsonObject executed = JsonParser.parseString(Files.readString(out, StandardCharsets.UTF_8)).getAsJsonObject();
        String first = executed.getAsJsonArray("cells").get(0).getAsJsonObject().getAsJsonArray("outputs").toString();
        assertTrue(first.contains("42"), first);
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("42") && page.contains("data:image/png;base64"),
                "the HTML page shows the result and the plan's chart");
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void aFailingCellIsNamedAndTheRunExitsOne() throws Exception {
        JupyterHarness.assumeJupyter();
        Path nb = tmp.resolve("bad.ipynb");
        Files.writeString(nb, notebook("1 + 1", "// the second cell\nthrow new IllegalStateException(\"boom\");", "3 + 3"));
        Path out = tmp.resolve("bad.out.ipynb");
        Out r = medvlm("run", nb.toString(), "--kernel", JupyterHarness.KERNEL_NAME, "--output", out.toString());
        assertEquals(1, r.code(), r.stdout() + r.stderr());
        List<String> lines = r.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line: " + r.stderr());
        assertTrue(lines.get(0).startsWith("medvlm run: " + nb.toAbsolutePath() + ": cell 1 (// the second cell) failed: ")
                && lines.get(0).contains("boom"), lines.get(0));
        String executed = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(executed.contains("\"output_type\": \"error\""), "the written notebook shows the error");
    }

    @Test
    void badArgumentsAreOneLine() throws Exception {
        JupyterHarness.assumeJupyter();
        Out missing = medvlm("run", tmp.resolve("nope.ipynb").toString());
        assertEquals(1, missing.code());
        assertEquals("medvlm run: " + tmp.resolve("nope.ipynb") + ": no such notebook", missing.stderr().strip());
        Out device = medvlm("run", "/dev/zero");
        assertEquals(1, device.code());
        assertEquals("medvlm run: /dev/zero: not a regular file (a folder, device or pipe); name an .ipynb file", device.stderr().strip());
        Path nb = tmp.resolve("ok.ipynb");
        Files.writeString(nb, notebook("1"));
        Out timeout = medvlm("run", nb.toString(), "--cell-timeout", "0");
        assertEquals(2, timeout.code(), timeout.stderr());
        assertTrue(timeout.stderr().strip().startsWith("medvlm run: Invalid value for option '--cell-timeout'"), timeout.stderr());
        Out self = medvlm("run", nb.toString(), "--output", nb.toString());
        assertEquals(1, self.code());
        assertTrue(self.stderr().strip().endsWith("is the notebook itself; name another file"), self.stderr());
        Out noKernel = medvlm("run", nb.toString(), "--kernel", "no-such-kernel");
        assertEquals(1, noKernel.code(), noKernel.stderr());
        assertTrue(noKernel.stderr().strip().startsWith("medvlm run: no Jupyter kernel named 'no-such-kernel'"), noKernel.stderr());
        Path garbage = tmp.resolve("garbage.ipynb");
        Files.writeString(garbage, "{not json");
        Out bad = medvlm("run", garbage.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.stderr().strip().startsWith("medvlm run: " + garbage.toAbsolutePath() + ": not a readable notebook"), bad.stderr());
    }

    @Test
    void outputsThatAreNotRegularFilesAreRefusedBeforeTheNotebookRuns() throws Exception {
        JupyterHarness.assumeJupyter();
        Path nb = tmp.resolve("ok.ipynb");
        Path marker = tmp.resolve("ran.txt");
        // the cell would leave a file behind: its absence shows the notebook never ran
        Files.writeString(nb, notebook("java.nio.file.Files.writeString(java.nio.file.Path.of(\"" + marker + "\"), \"ran\");"));
        Path target = tmp.resolve("real.html");
        Files.writeString(target, "keep me");
        Path link = tmp.resolve("link.html");
        Files.createSymbolicLink(link, target);
        Path folder = Files.createDirectory(tmp.resolve("folder.ipynb"));
        String[][] cases = {{"--output", "/dev/null", "is not a regular file"}, {"--html", link.toString(), "is a symbolic link"},
            {"--output", folder.toString(), "is a folder"}};
        for (String[] c : cases) {
            Out r = medvlm("run", nb.toString(), "--kernel", JupyterHarness.KERNEL_NAME, c[0], c[1]);
            assertEquals(1, r.code(), r.stdout() + r.stderr());
            List<String> lines = r.stderr().lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, lines.size(), "one line: " + r.stderr());
            assertTrue(lines.get(0).contains(c[1]) && lines.get(0).contains(c[2]), lines.get(0));
        }
        assertFalse(Files.exists(marker), "the notebook ran although its output was refused");
        assertTrue(Files.isSymbolicLink(link) && Files.readString(target).equals("keep me"), "the link or its file changed");
        assertFalse(Files.isRegularFile(Path.of("/dev/null")), "/dev/null was replaced by a file");
    }
}
