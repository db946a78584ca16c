package org.medvlm.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The tutorial notebooks, executed once per test JVM by nbclient on the installed kernel (src/test/python/run_notebook.py
 * checks each cell against its tags) and kept for the tests that look at them: {@link NotebookTest} and the browser
 * test. They run from a copy under target/, so a run folder a notebook writes never lands in the checkout's notebooks/.
 */
final class ExecutedNotebooks {
    /** The tutorials the README promises, in reading order; a missing one is a failure. */
    static final List<String> TUTORIALS = List.of("01-quick-start.ipynb", "02-memory-wall.ipynb", "03-medvqa-data.ipynb",
            "04-architecture.ipynb", "05-train-locally.ipynb", "06-zero-training.ipynb", "kernel-tour.ipynb");
    /** The notebook that launches runs through {@code train --launcher}. */
    static final String LAUNCH_NOTEBOOK = "06-zero-training.ipynb";

    /**
     * The outcome: run_notebook.py's exit code and output, the executed notebooks' folder, its per-notebook summary
     * (cells, seconds, problems, answer tables).
     */
    record Run(int code, String output, Path executed, JsonObject summary) {}

    private static Run run;

    private ExecutedNotebooks() {}

    static Path sourceDir() {
        return Path.of(System.getProperty("medvlm.root", "..")).toAbsolutePath().normalize().resolve("notebooks");
    }

    /** Executes the notebooks on first use (skips the caller when Debian's Jupyter packages are missing). */
    static synchronized Run get() throws IOException {
        JupyterHarness.assumeJupyter();
        if (run != null) {
            return run;
        }
        Path work = Path.of("target/notebooks-under-test").toAbsolutePath();
        deleteTree(work);
        copyTree(sourceDir(), work);
        List<String> args = new ArrayList<>(List.of("run_notebook.py"));
        try (Stream<Path> s = Files.list(work)) {
            s.filter(p -> p.toString().endsWith(".ipynb")).sorted()
                    .forEach(p -> args.add(p.toString()));
        }
        Path executed = Path.of("target/executed-notebooks").toAbsolutePath();
        deleteTree(executed);
        Path summaryFile = Path.of("target/notebook-summary.json").toAbsolutePath();
        Files.deleteIfExists(summaryFile);
        args.addAll(List.of("--save", executed.toString(), "--summary", summaryFile.toString()));
        Map<String, String> env = Map.of("MEDVLM_SHARED", sharedBesideCheckout() ? "1" : "0");
        JupyterHarness.Result r = JupyterHarness.python(1500, env, args.toArray(String[]::new));
        JsonObject summary = Files.isRegularFile(summaryFile)
                ? JsonParser.parseString(Files.readString(summaryFile, StandardCharsets.UTF_8)).getAsJsonObject()
                : new JsonObject();
        // the executed notebooks carry their data/ folder, so a browser opening them finds the same files
        if (Files.isDirectory(executed)) {
            copyTree(sourceDir().resolve("data"), executed.resolve("data"));
        }
        run = new Run(r.code(), JupyterHarness.clean(r.output()), executed, summary);
        return run;
    }

    /** Whether the project's shared/ folder (reference models, external files) is beside the checkout. */
    static boolean sharedBesideCheckout() {
        return Files.isDirectory(Path.of(System.getProperty("medvlm.root", "..")).toAbsolutePath().normalize()
                .resolveSibling("shared").resolve("external"));
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path rel = from.relativize(p);
                if (rel.toString().startsWith("runs") || rel.toString().contains(".ipynb_checkpoints")) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
