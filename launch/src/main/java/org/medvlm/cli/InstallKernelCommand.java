package org.medvlm.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.RenderingHints;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.medvlm.io.AtomicFiles;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code medvlm install-kernel}: registers the notebook kernel with Jupyter. Writes a kernelspec
 * ({@code kernel.json} running {@code java -jar <root>/kernel-ext/target/medvlm-kernel.jar
 * {connection_file}}, message-mode interrupts, and two logos drawn here) and installs it with
 * {@code jupyter kernelspec install}, or straight into Jupyter's kernels folder when no Jupyter
 * command is there. The jar path does not change between builds, so a rebuild needs no reinstall.
 */
@Command(name = "install-kernel", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Installs the MedVLM Java kernel for Jupyter (JupyterLab, Notebook, nbconvert, VS Code).",
            "The kernel runs the jar this checkout builds, so rebuilding needs no reinstall."})
final class InstallKernelCommand implements Callable<Integer> {
    static final String MAIN_CLASS = "org.medvlm.kernel.MedvlmKernel";

    private final Display display;

    @ArgGroup(exclusive = true)
    Where where = new Where();

    static final class Where {
        @Option(names = "--user", description = "Install for the current user (default): ~/.local/share/jupyter/kernels.")
        boolean user;

        @Option(names = "--sys-prefix", description = "Install into the Python environment Jupyter runs in (sys.prefix).")
        boolean sysPrefix;

        @Option(names = "--prefix", paramLabel = "DIR", description = "Install into DIR/share/jupyter/kernels (add DIR/share/jupyter to JUPYTER_PATH).")
        Path prefix;
    }

    @Option(names = "--name", defaultValue = "medvlm", description = "Kernel name (folder name; default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--display-name", defaultValue = "MedVLM (Java)", description = "Name shown in the launcher (default: ${DEFAULT-VALUE}).")
    String displayName;

    @Option(names = "--java", paramLabel = "PATH", description = "The java to run the kernel with (default: the one running this command).")
    Path java;

    @Option(names = "--jvm-option", paramLabel = "OPT", description = "Extra JVM option for the kernel, e.g. --jvm-option=-Xmx8g (repeatable).")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--classpath", hidden = true, description = "Run the kernel from this class path instead of the jar (development and tests).")
    String classpath;

    InstallKernelCommand(Display display) {
        this.display = display;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new UserError("--name " + name + ": use letters, digits, '.', '_' or '-'");
        }
        Path root = home();
        List<String> argv = new ArrayList<>();
        argv.add(javaPath().toString());
        argv.addAll(jvmOptions);
        argv.add("-Dmedvlm.home=" + root);
        if (classpath != null) {
            argv.addAll(List.of("-cp", classpath, MAIN_CLASS));
        } else {
            Path jar = root.resolve("kernel-ext/target/medvlm-kernel.jar");
            if (!Files.isRegularFile(jar)) {
                throw new UserError(jar + ": the kernel jar is not built yet; build it with 'mvn -DskipTests package' (launch/medvlm builds it on its first run)");
            }
            argv.addAll(List.of("-jar", jar.toString()));
        }
        argv.add("{connection_file}");

        Path spec = Files.createTempDirectory("medvlm-kernelspec-");
        try {
            writeSpec(spec, argv);
            Path installed = install(spec);
            display.out().println("installed kernel '" + name + "' (" + displayName + ") in " + installed);
            display.out().println("kernel command: " + String.join(" ", argv));
            display.out().flush();
        } finally {
            deleteTree(spec);
        }
        return Medvlm.EXIT_OK;
    }

    /** The checkout's root: {@code medvlm.home} (set by launch/medvlm), else found from this jar's place. */
    static Path home() {
        String prop = System.getProperty("medvlm.home");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        try {
            // launch/target/medvlm.jar or launch/target/classes -> the checkout root is three levels up
            Path here = Path.of(InstallKernelCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return here.getParent().getParent().getParent().toAbsolutePath().normalize();
        } catch (Exception e) {
            throw new UserError("cannot tell where the toolkit is; run it through launch/medvlm (it sets -Dmedvlm.home)");
        }
    }

    private Path javaPath() {
        if (java != null) {
            if (!Files.isExecutable(java)) {
                throw new UserError("--java " + java + ": not an executable file");
            }
            return java.toAbsolutePath();
        }
        return ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
    }

    void writeSpec(Path dir, List<String> argv) throws IOException {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", displayName);
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        spec.put("metadata", Map.of("debugger", false));
        AtomicFiles.writeString(dir.resolve("kernel.json"), Json.pretty(spec) + "\n");
        for (int size : new int[] {32, 64}) {
            BufferedImage logo = logo(size);
            AtomicFiles.write(dir.resolve("logo-" + size + "x" + size + ".png"), out -> ImageIO.write(logo, "png", out));
        }
    }

    /** The kernel's logo: a teal rounded square with a white "M" and a small medical cross. */
    static BufferedImage logo(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        var g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            float arc = size * 0.3f;
            g.setColor(new Color(0x0E7C86));
            g.fill(new RoundRectangle2D.Float(0, 0, size, size, arc, arc));
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.round(size * 0.62f)));
            var fm = g.getFontMetrics();
            int x = (size - fm.stringWidth("M")) / 2 - size / 16;
            int y = (size - fm.getHeight()) / 2 + fm.getAscent();
            g.drawString("M", x, y);
            // the cross, top right
            float c = size * 0.78f;
            float arm = size * 0.11f;
            g.setStroke(new BasicStroke(Math.max(1.5f, size / 14f)));
            g.setColor(new Color(0xFFD166));
            g.drawLine(Math.round(c - arm), Math.round(size * 0.2f), Math.round(c + arm), Math.round(size * 0.2f));
            g.drawLine(Math.round(c), Math.round(size * 0.2f - arm), Math.round(c), Math.round(size * 0.2f + arm));
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Installs through Jupyter when it is there; writes the kernels folder directly otherwise. */
    private Path install(Path spec) throws IOException, InterruptedException {
        List<String> scope = new ArrayList<>();
        if (where.prefix != null) {
            scope.addAll(List.of("--prefix", where.prefix.toAbsolutePath().toString()));
        } else if (where.sysPrefix) {
            scope.add("--sys-prefix");
        } else {
            scope.add("--user");
        }
        for (List<String> jupyter : List.of(List.of("jupyter", "kernelspec"), List.of("/usr/bin/python3", "-m", "jupyter_client.kernelspecapp"))) {
            List<String> cmd = new ArrayList<>(jupyter);
            cmd.add("install");
            cmd.addAll(scope);
            cmd.addAll(List.of("--name", name, "--replace", spec.toString()));
            Path installed = run(cmd);
            if (installed != null) {
                return installed;
            }
        }
        if (where.sysPrefix) {
            throw new UserError("--sys-prefix needs Jupyter (jupyter kernelspec), which was not found; use --user or --prefix");
        }
        Path kernels = where.prefix != null
                ? where.prefix.resolve("share/jupyter/kernels")
                : userDataDir().resolve("kernels");
        Path target = kernels.resolve(name);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(spec)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                byte[] bytes = Files.readAllBytes(f);
                AtomicFiles.write(target.resolve(f.getFileName().toString()), out -> out.write(bytes));
            }
        }
        return target.toAbsolutePath();
    }

    /** Jupyter's per-user data folder, as jupyter_core computes it on Linux and macOS. */
    static Path userDataDir() {
        String dataDir = System.getenv("JUPYTER_DATA_DIR");
        if (dataDir != null && !dataDir.isBlank()) {
            return Path.of(dataDir);
        }
        String home = System.getProperty("user.home");
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac")) {
            return Path.of(home, "Library", "Jupyter");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home, ".local", "share")).resolve("jupyter");
    }

    /** Runs a Jupyter install command; returns the folder it reports, or null when it is not available. */
    private Path run(List<String> cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException notFound) {
            return null;
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new UserError(String.join(" ", cmd) + ": did not finish in 60 s");
        }
        if (p.exitValue() != 0) {
            if (output.contains("No module named") || output.contains("not found")) {
                return null;
            }
            throw new UserError(String.join(" ", cmd) + " failed: " + Medvlm.oneLine(lastLines(output)));
        }
        // "[InstallKernelSpec] Installed kernelspec NAME in DIR"
        var m = Pattern.compile("Installed kernelspec \\S+ in (.+)").matcher(output);
        return m.find() ? Path.of(m.group(1).strip()) : Path.of("(Jupyter's kernels folder)");
    }

    private static String lastLines(String s) {
        List<String> lines = s.lines().filter(l -> !l.isBlank() && !l.contains("frozen modules") && !l.contains("PYDEVD")
                && !l.contains("debugger") && !l.contains("-Xfrozen")).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
