package org.medvlm.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.medvlm.cli.Medvlm;
import org.medvlm.cli.TerminalDisplay;

/**
 * Runs the Python side of the kernel tests with Debian's Jupyter packages ({@code /usr/bin/python3}, not
 * a pyenv python on PATH). The kernel is installed once per test JVM with {@code medvlm install-kernel
 * --prefix} into a temporary Jupyter path; during {@code mvn test} the jar is not packaged yet, so the
 * kernelspec runs the kernel from this JVM's class path.
 */
final class JupyterHarness {
    static final String PYTHON = "/usr/bin/python3";
    static final String KERNEL_NAME = "medvlm-test";
    /** The same kernel on the base library's polling loop (IJava's), for the benchmark's comparison. */
    static final String BASELINE_KERNEL_NAME = "medvlm-test-base-polling";
    /** The same kernel where no SecurityManager is allowed (as on Java 24+), so its exit guard cannot be installed. */
    static final String NO_GUARD_KERNEL_NAME = "medvlm-test-no-exit-guard";
    private static Path jupyterPath;

    private JupyterHarness() {}

    /** Skips the calling test, with a message, when the Debian packages are missing. */
    static void assumeJupyter() {
        boolean present = Files.isExecutable(Path.of(PYTHON)) && run(List.of(PYTHON, "-c",
                "import jupyter_client, nbclient, nbformat, jupyter_kernel_test"), Path.of("."), 60).code() == 0;
        assumeTrue(present, "Debian's Jupyter packages are missing: apt-get install python3-jupyter-client python3-nbclient "
                + "python3-nbformat python3-jupyter-kernel-test jupyter-nbconvert (launch/test-suite installs them)");
    }

    /** The kernelspec folder's Jupyter path, installed on first use. */
    static synchronized Path install() throws IOException {
        if (jupyterPath != null) {
            return jupyterPath;
        }
        Path prefix = Files.createTempDirectory("medvlm-jupyter-");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Medvlm.commandLine(new TerminalDisplay(new PrintWriter(out, true), new PrintWriter(err, true)))
                .execute("install-kernel", "--prefix", prefix.toString(), "--name", KERNEL_NAME,
                        "--jvm-option=-Xmx1g", "--classpath", kernelClasspath());
        if (code != 0) {
            throw new IllegalStateException("install-kernel failed (" + code + "): " + out + err);
        }
        code = Medvlm.commandLine(new TerminalDisplay(new PrintWriter(out, true), new PrintWriter(err, true)))
                .execute("install-kernel", "--prefix", prefix.toString(), "--name", BASELINE_KERNEL_NAME,
                        "--jvm-option=-Xmx1g", "--jvm-option=-Dmedvlm.kernel.basePolling=true", "--classpath", kernelClasspath());
        if (code != 0) {
            throw new IllegalStateException("install-kernel (baseline) failed (" + code + "): " + out + err);
        }
        code = Medvlm.commandLine(new TerminalDisplay(new PrintWriter(out, true), new PrintWriter(err, true)))
                .execute("install-kernel", "--prefix", prefix.toString(), "--name", NO_GUARD_KERNEL_NAME,
                        "--jvm-option=-Xmx1g", "--jvm-option=-Djava.security.manager=disallow", "--classpath", kernelClasspath());
        if (code != 0) {
            throw new IllegalStateException("install-kernel (no exit guard) failed (" + code + "): " + out + err);
        }
        jupyterPath = prefix.resolve("share/jupyter");
        if (!Files.isRegularFile(jupyterPath.resolve("kernels/" + KERNEL_NAME + "/kernel.json"))) {
            throw new IllegalStateException("install-kernel wrote no kernel.json under " + jupyterPath + ": " + out);
        }
        return jupyterPath;
    }

    /** The test JVM's class path without the test-only jars: the kernel's own classes and dependencies. */
    static String kernelClasspath() {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(e).getFileName().toString();
            if (name.startsWith("junit-") || name.startsWith("opentest4j") || name.startsWith("apiguardian")
                    || name.startsWith("selenium-") || name.startsWith("opentelemetry-")
                    || name.startsWith("surefire") || name.equals("test-classes") || name.contains("-tests.jar")) {
                continue;
            }
            entries.add(Path.of(e).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Runs a Python test file from src/test/python against the installed kernel. */
    static Result python(int timeoutSeconds, String... args) throws IOException {
        return python(timeoutSeconds, java.util.Map.of(), args);
    }

    /** The same, with extra environment variables. */
    static Result python(int timeoutSeconds, java.util.Map<String, String> env, String... args) throws IOException {
        Path dir = Path.of("src/test/python").toAbsolutePath();
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-X", "frozen_modules=off"));
        cmd.addAll(List.of(args));
        return run(cmd, dir, timeoutSeconds, install(), env);
    }

    record Result(int code, String output) {}

    private static Result run(List<String> cmd, Path dir, int timeoutSeconds) {
        try {
            return run(cmd, dir, timeoutSeconds, null, java.util.Map.of());
        } catch (IOException e) {
            return new Result(-1, e.toString());
        }
    }

    private static Result run(List<String> cmd, Path dir, int timeoutSeconds, Path jupyter, java.util.Map<String, String> env)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        if (jupyter != null) {
            pb.environment().put("JUPYTER_PATH", jupyter.toString());
            pb.environment().put("MEDVLM_KERNEL_NAME", KERNEL_NAME);
            pb.environment().put("MEDVLM_BASELINE_KERNEL_NAME", BASELINE_KERNEL_NAME);
            pb.environment().put("MEDVLM_NOGUARD_KERNEL_NAME", NO_GUARD_KERNEL_NAME);
        }
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        pb.environment().put("PYDEVD_DISABLE_FILE_VALIDATION", "1");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(-1, e.toString());
        }
        Path log = Files.createTempFile("medvlm-python-", ".log");
        Thread pump = new Thread(() -> {
            try (var in = p.getInputStream()) {
                Files.copy(in, log, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                // the process died; its exit code says so
            }
        });
        pump.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                pump.join(5000);
                return new Result(124, Files.readString(log, StandardCharsets.UTF_8) + "\n(timed out after " + timeoutSeconds + " s)");
            }
            pump.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        return new Result(p.exitValue(), output);
    }

    /** The output without the debugger's harmless start-up warning lines. */
    static String clean(String output) {
        return output.lines().filter(l -> !l.contains("frozen modules") && !l.contains("PYDEVD") && !l.contains("-Xfrozen_modules")
                && !l.contains("Debugging will proceed") && !l.contains("to python to disable")).reduce("", (a, b) -> a + b + "\n");
    }
}
