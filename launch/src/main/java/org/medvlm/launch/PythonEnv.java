package org.medvlm.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Python that runs the trainer and where the {@code medvlm} package is. The Python is --python, else
 * $MEDVLM_PYTHON, else the first of {@code python3} and {@code /usr/bin/python3} that imports torch (on Debian the
 * {@code python3} on PATH may be another installation without it).
 */
public final class PythonEnv {
    private PythonEnv() {}

    /** launch/python: from -Dmedvlm.home (the launch/medvlm script sets it), else found above the working folder. */
    public static Path packageRoot() {
        String home = System.getProperty("medvlm.home");
        List<Path> candidates = new ArrayList<>();
        if (home != null) {
            candidates.add(Path.of(home, "launch", "python"));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            candidates.add(p.resolve("launch").resolve("python"));
            candidates.add(p.resolve("python"));
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c.resolve("medvlm").resolve("train.py"))) {
                return c.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("the Python trainer (launch/python/medvlm) is not found; run from the toolkit's"
                + " checkout or set -Dmedvlm.home");
    }

    /** The Python to use: {@code given} when set, else the first candidate that imports torch. */
    public static String python(String given) {
        if (!given.isEmpty()) {
            return given;
        }
        String env = System.getenv("MEDVLM_PYTHON");
        if (env != null && !env.isBlank()) {
            return env;
        }
        for (String c : List.of("python3", "/usr/bin/python3")) {
            if (run(List.of(c, "-c", "import torch"), Optional.empty(), 60).code == 0) {
                return c;
            }
        }
        throw new IllegalArgumentException("no Python with torch found (tried python3 and /usr/bin/python3): give --python"
                + " PATH or set MEDVLM_PYTHON (Debian: apt-get install python3-torch)");
    }

    /**
     * Refuses a {@code --python} path that this machine cannot run (a dry run, or a cluster's launcher, may name a
     * Python that exists only on the nodes, so only the runs started here check it). A bare command name is looked up
     * on PATH when it starts.
     */
    public static String runnableHere(String python) {
        if (python.contains("/")) {
            Path p = Path.of(python);
            if (!(Files.isRegularFile(p) && Files.isExecutable(p))) {
                throw new IllegalArgumentException("--python " + python + ": not an executable file");
            }
        }
        return python;
    }

    /**
     * Asks the trainer whether this machine can run the engine ({@code python -m medvlm.train --probe}); refuses with
     * its one-line answer (e.g. FSDP with Debian's torch 1.13).
     */
    public static void probe(String python, Path pythonPath, LaunchSpec spec) {
        Result r = run(List.of(python, "-m", "medvlm.train", "--probe", "--engine", spec.engine().key(), "--device",
                spec.device().key(), "--precision", spec.precision().key()), Optional.of(pythonPath), 120);
        if (r.code != 0) {
            String line = r.output.strip();
            int nl = line.lastIndexOf('\n');
            throw new IllegalArgumentException((nl >= 0 ? line.substring(nl + 1) : line).replaceFirst("^medvlm train: ", "")
                    + (r.code == 127 ? " (" + python + " cannot be run)" : ""));
        }
    }

    /** A finished command: its exit code and its output (stdout and stderr together). */
    public record Result(int code, String output) {}

    /** Runs {@code argv} with launch/python on PYTHONPATH (for tools and tests). */
    public static Result runWithPackage(List<String> argv) {
        return run(argv, Optional.of(packageRoot()), 600);
    }

    public static Result run(List<String> argv, Optional<Path> pythonPath, int timeoutS) {
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
            pythonPath.ifPresent(p -> pb.environment().put("PYTHONPATH", p.toString()));
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(124, "timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(127, argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, "interrupted");
        }
    }
}
