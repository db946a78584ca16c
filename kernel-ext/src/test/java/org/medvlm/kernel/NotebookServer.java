package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code medvlm notebook} started as a user starts it, in a JVM of its own, with Jupyter's per-user folders in a
 * temporary folder (so the kernel it installs "for the user" lands there, not in the home folder), serving {@code dir}.
 * The kernel runs from the test class path, as the packaged jar does not exist yet during {@code mvn test}.
 * {@link #close} stops it as Ctrl-C does: SIGINT to the command.
 */
final class NotebookServer implements AutoCloseable {
    static final Pattern URL = Pattern.compile("(http://127\\.0\\.0\\.1:(\\d+))/tree\\?token=([0-9a-f]+)");

    final Process process;
    final String base;
    final String token;
    final Path jupyterData;
    final Path stdout;

    private NotebookServer(Process process, String base, String token, Path jupyterData, Path stdout) {
        this.process = process;
        this.base = base;
        this.token = token;
        this.jupyterData = jupyterData;
        this.stdout = stdout;
    }

    /** Skips the caller, with a message, when Jupyter's notebook server is missing (fails under CI). */
    static void assumeNotebookServer() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/jupyter-notebook"));
        if (System.getenv("CI") != null) {
            assertTrue(present, "CI is set but jupyter-notebook is missing (launch/test-suite installs it)");
        }
        assumeTrue(present, "Debian's jupyter-notebook is missing: apt-get install jupyter-notebook (launch/test-suite installs it)");
    }

    static NotebookServer start(Path dir) throws IOException, InterruptedException {
        JupyterHarness.assumeJupyter();
        assumeNotebookServer();
        Path data = Files.createTempDirectory("medvlm-jupyter-data-");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", JupyterHarness.kernelClasspath(), "org.medvlm.cli.Medvlm", "notebook", "--port", Integer.toString(port),
                "--dir", dir.toString(), "--no-install", "--kernel-classpath", JupyterHarness.kernelClasspath()));
        Path out = data.resolve("stdout.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(data.resolve("stderr.txt").toFile());
        environment(pb, data);
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline && p.isAlive()) {
            Matcher m = URL.matcher(Files.readString(out, StandardCharsets.UTF_8));
            if (m.find()) {
                return new NotebookServer(p, m.group(1), m.group(3), data, out);
            }
            Thread.sleep(200);
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError("medvlm notebook printed no URL: " + Files.readString(out) + Files.readString(data.resolve("stderr.txt")));
    }

    /** Jupyter's per-user folders under {@code data}; no JUPYTER_PATH, so only the kernel installed there is found. */
    static void environment(ProcessBuilder pb, Path data) {
        pb.environment().remove("JUPYTER_PATH");
        pb.environment().put("JUPYTER_DATA_DIR", data.resolve("data").toString());
        pb.environment().put("JUPYTER_CONFIG_DIR", data.resolve("config").toString());
        pb.environment().put("JUPYTER_RUNTIME_DIR", data.resolve("runtime").toString());
        pb.environment().put("PYDEVD_DISABLE_FILE_VALIDATION", "1");
    }

    String url(String path) {
        return base + path + (path.contains("?") ? "&" : "?") + "token=" + token;
    }

    /** Marks notebooks as trusted in this server's signature store, as opening them in Jupyter and choosing "Trust" does. */
    void trust(Path... notebooks) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(JupyterHarness.PYTHON, "-m", "nbformat.sign"));  // jupyter trust
        for (Path nb : notebooks) {
            cmd.add(nb.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        environment(pb, jupyterData);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "jupyter trust failed: " + out);
    }

    /** SIGINT, as Ctrl-C in the terminal; true when the command and its Jupyter stopped within 30 s. */
    boolean interrupt() throws IOException, InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
        boolean stopped = process.waitFor(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && children.stream().anyMatch(ProcessHandle::isAlive)) {
            Thread.sleep(100);
        }
        return stopped && children.stream().noneMatch(ProcessHandle::isAlive);
    }

    @Override
    public void close() throws IOException {
        try {
            if (process.isAlive() && !interrupt()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        ExecutedNotebooks.deleteTree(jupyterData);
    }
}
