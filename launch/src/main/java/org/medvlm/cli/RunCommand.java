package org.medvlm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.medvlm.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code medvlm run NOTEBOOK}: executes a notebook top to bottom without a browser, through the installed
 * MedVLM kernel and nbclient (the engine of {@code jupyter nbconvert --execute}), as a reader's "Run All"
 * would, in the notebook's own folder. It writes the executed notebook ({@code --output}) and an HTML page
 * ({@code --html}, nbconvert's exporter) through {@link AtomicFiles} (regular files only, checked before the run), and
 * when a cell fails it says which one (its index and first line) and exits 1; the files are still written, with the
 * error in that cell.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Executes a notebook headless through the MedVLM kernel (nbclient), as 'Run All' would.",
            "Writes the executed notebook and/or an HTML page; a failing cell is named (index, first line), exit 1."})
final class RunCommand implements Callable<Integer> {
    private final Display display;

    @Parameters(index = "0", paramLabel = "NOTEBOOK", description = "The .ipynb file to execute (it runs in its own folder).")
    Path notebook;

    @Option(names = "--output", paramLabel = "OUT.ipynb", description = "Write the executed notebook, outputs included.")
    Path output;

    @Option(names = "--html", paramLabel = "OUT.html", description = "Write the executed notebook as an HTML page (nbconvert).")
    Path html;

    @Option(names = "--kernel", defaultValue = "medvlm", paramLabel = "NAME",
            description = "The kernel to run it on (default: ${DEFAULT-VALUE}, as 'install-kernel' names it).")
    String kernel;

    @Option(names = "--cell-timeout", defaultValue = "1800", paramLabel = "SECONDS", converter = Converters.PositiveInt.class,
            description = "Most seconds one cell may run (default: ${DEFAULT-VALUE}).")
    int cellTimeout;

    RunCommand(Display display) {
        this.display = display;
    }

    /**
     * Runs with nbclient; exit status 0 = every cell ran, 3 = a cell failed (the line says which), 4 = Jupyter's
     * parts are missing or the kernel is not installed, 5 = the notebook file cannot be read. Messages that start
     * with "medvlm run: " are for the user; the rest is progress.
     */
    static final String SCRIPT = """
            import os, sys, time, warnings
            # notebooks from before nbformat 4.5 have no cell ids; nbformat adds them and need not say so on every run
            warnings.filterwarnings("ignore", message=".*missing an id field.*")
            path, output, html, kernel, timeout = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
            try:
                import nbformat
                from nbclient import NotebookClient
                from nbclient.exceptions import CellExecutionError
                from jupyter_client.kernelspec import NoSuchKernel
            except ImportError as e:
                print("medvlm run: %s; nbclient is missing (launch/medvlm notebook installs it)" % e, file=sys.stderr); sys.exit(4)
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception as e:
                print("medvlm run: %s: not a readable notebook: %s" % (path, str(e).splitlines()[0] if str(e) else type(e).__name__), file=sys.stderr); sys.exit(5)
            code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
            started = {}
            def first_line(cell):
                lines = [l for l in cell.source.splitlines() if l.strip()]
                return (lines[0] if lines else "")[:80]
            def on_start(cell, cell_index):
                started[cell_index] = time.monotonic()
            def on_done(cell, cell_index, execute_reply):
                print("cell %d (%d/%d) %.1f s  %s" % (cell_index, code.index(cell_index) + 1, len(code),
                      time.monotonic() - started.get(cell_index, time.monotonic()), first_line(cell)), flush=True)
            client = NotebookClient(nb, kernel_name=kernel, timeout=timeout, startup_timeout=180,
                                    resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
                                    on_cell_start=on_start, on_cell_executed=on_done)
            failed = None
            t0 = time.monotonic()
            try:
                client.execute()
            except NoSuchKernel:
                print("medvlm run: no Jupyter kernel named '%s'; install it with: launch/medvlm install-kernel%s"
                      % (kernel, "" if kernel == "medvlm" else " --name " + kernel), file=sys.stderr); sys.exit(4)
            except CellExecutionError as e:
                for i, c in enumerate(nb.cells):
                    errs = [o for o in c.get("outputs", []) if o.get("output_type") == "error"]
                    if errs:
                        ev = (errs[0].get("evalue") or "").strip().splitlines()
                        failed = "cell %d (%s) failed: %s%s" % (i, first_line(c), errs[0].get("ename", ""), (": " + ev[0]) if ev else "")
                        break
                if failed is None:
                    failed = "a cell failed: " + (str(e).strip().splitlines() or [""])[-1]
            except Exception as e:
                failed = "%s: %s" % (type(e).__name__, (str(e).strip().splitlines() or [""])[0])
            def write(target, text):  # a private temporary file; the Java side puts it in place atomically
                with open(target, "w", encoding="utf-8") as f:
                    f.write(text)
            if output:
                write(output, nbformat.writes(nb))
            if html:
                from nbconvert import HTMLExporter
                body, _ = HTMLExporter().from_notebook_node(nb)
                write(html, body)
            if failed:
                print("medvlm run: %s: %s" % (path, failed), file=sys.stderr); sys.exit(3)
            print("%s: %d code cells ran in %.1f s" % (path, len(code), time.monotonic() - t0), flush=True)
            """;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!Files.exists(notebook)) {
            throw new UserError(notebook + ": no such notebook");
        }
        if (!Files.isRegularFile(notebook)) {
            throw new UserError(notebook + ": not a regular file (a folder, device or pipe); name an .ipynb file");
        }
        for (Path target : new Path[] {output, html}) {
            if (target != null && target.toAbsolutePath().getParent() != null && !Files.isDirectory(target.toAbsolutePath().getParent())) {
                throw new UserError(target + ": its folder does not exist");
            }
            if (target != null) {
                AtomicFiles.checkTarget(target); // a folder, device, pipe or link is refused before the notebook runs
            }
        }
        if (output != null && Files.exists(output) && Files.isSameFile(output, notebook)) {
            throw new UserError("--output " + output + ": is the notebook itself; name another file");
        }
        String python = python().orElseThrow(() -> new UserError("no python3 with nbclient was found; install it with: "
                + (Files.isRegularFile(Path.of("/etc/debian_version")) ? "apt-get install python3-nbclient jupyter-nbconvert" : NotebookCommand.PIP_COMMAND)));
        Path scratch = Files.createTempDirectory("medvlm-run-");
        try {
            return execute(python, scratch);
        } finally {
            try (var files = Files.list(scratch)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(scratch);
        }
    }

    /** Runs the script with its outputs in {@code scratch}, then puts them in place; the exit status as {@link #call}. */
    private int execute(String python, Path scratch) throws IOException, InterruptedException {
        Path executed = scratch.resolve("executed.ipynb");
        Path page = scratch.resolve("executed.html");
        List<String> cmd = new ArrayList<>(List.of(python, "-c", SCRIPT, notebook.toAbsolutePath().toString(),
                output == null ? "" : executed.toString(), html == null ? "" : page.toString(),
                kernel, Integer.toString(cellTimeout)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("PYDEVD_DISABLE_FILE_VALIDATION", "1");
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process p = pb.start();
        Thread errPump = pump(p.getErrorStream(), display.err(), true);
        Thread outPump = pump(p.getInputStream(), display.out(), false);
        int code;
        try {
            code = p.waitFor();
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            throw e;
        }
        outPump.join();
        errPump.join();
        for (Path[] move : new Path[][] {{executed, output}, {page, html}}) {
            if (move[1] != null && Files.isRegularFile(move[0])) {
                AtomicFiles.write(move[1], out -> Files.copy(move[0], out));
            }
        }
        return switch (code) {
            case 0 -> Medvlm.EXIT_OK;
            case 3, 4, 5 -> Medvlm.EXIT_INPUT;
            default -> Medvlm.EXIT_SOFTWARE;
        };
    }

    /**
     * The Python with nbclient: Debian's {@code /usr/bin/python3} first (its Jupyter packages are importable only
     * there when another python3, a pyenv one say, comes first on PATH), then {@code python3} on PATH.
     */
    static Optional<String> python() {
        List<String> candidates = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/python3"))) {
            candidates.add("/usr/bin/python3");
        }
        NotebookCommand.which("python3").map(Path::toString).ifPresent(candidates::add);
        for (String c : candidates) {
            try {
                Process p = new ProcessBuilder(c, "-c", "import nbclient, nbformat").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() == 0) {
                    return Optional.of(c);
                }
            } catch (IOException e) {
                // not this one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * Lines on stderr that say nothing about the notebook: the debugger's frozen-modules warning of every Python start,
     * and Java 17's four-line notice when the kernel installs its exit guard (a SecurityManager).
     */
    static final List<String> NOISE = List.of("frozen modules", "PYDEVD", "-Xfrozen_modules", "Debugging will proceed",
            "to python to disable", "WARNING: A terminally deprecated method in java.lang.System", "WARNING: System::setSecurityManager",
            "WARNING: Please consider reporting this to the maintainers of org.medvlm.kernel");

    /** Copies a stream line by line to the display, leaving out the {@link #NOISE} lines of stderr. */
    private static Thread pump(java.io.InputStream in, PrintWriter to, boolean errors) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (errors && NOISE.stream().anyMatch(line::contains)) {
                        continue;
                    }
                    to.println(line);
                    to.flush();
                }
            } catch (IOException ignored) {
                // the process ended; its exit status says how
            }
        }, "run-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
