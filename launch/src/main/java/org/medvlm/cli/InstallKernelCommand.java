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
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import com.google.gson.JsonParser;
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

    @Option(names = "--name", defaultValue = "medvlm", converter = KernelName.class,
            description = "Kernel name: letters, digits, '.', '_', '-' (Jupyter lower-cases it; default: ${DEFAULT-VALUE}).")
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

    /**
     * Jupyter's own rule for kernel names (jupyter_client's {@code _kernel_name_pat}, applied after it
     * lower-cases the name), minus the names that are folders already: {@code .} is the kernels folder
     * itself and {@code ..} its parent, so installing "them" would delete every kernel or all of
     * {@code share/jupyter}.
     */
    static final Pattern KERNEL_NAME = Pattern.compile("[a-z0-9._-]{1,100}");

    /** Checks a name while parsing, so nothing is written or removed for a bad one; returns it lower-cased. */
    static final class KernelName implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String n = value.toLowerCase(Locale.ROOT);
            if (!KERNEL_NAME.matcher(n).matches() || n.equals(".") || n.equals("..")) {
                throw new picocli.CommandLine.TypeConversionException(org.medvlm.zero.Units.quote(value)
                        + " is not a kernel name: 1 to 100 letters, digits, '.', '_' or '-', and not '.' or '..'");
            }
            return n;
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (where.prefix != null && Files.exists(where.prefix) && !Files.isDirectory(where.prefix)) {
            throw new UserError("--prefix " + where.prefix + ": not a folder");
        }
        Path root = home();
        List<String> argv = new ArrayList<>();
        Path javaPath = javaPath();
        argv.add(javaPath.toString());
        argv.addAll(jvmOptions);
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Djava.security.manager")) && needsSecurityManagerFlag(javaPath)) {
            // Java 18 to 23 allow the kernel's exit guard (a SecurityManager that turns System.exit in a cell into
            // an error) only with this flag; 17 allows it by default, 24 and later refuse the flag at start-up
            argv.add("-Djava.security.manager=allow");
        }
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

        warnIfReplacingAnotherCheckout(root);
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

    /**
     * Reinstalling after a rebuild is silent; replacing a kernel of the same name that runs another
     * checkout (or is not a MedVLM kernel at all) says so on one line, naming what it ran.
     */
    private void warnIfReplacingAnotherCheckout(Path root) {
        Optional<Path> existing = installedSpec();
        if (existing.isEmpty()) {
            return;
        }
        Path kernelJson = existing.get().resolve("kernel.json");
        List<String> oldArgv = new ArrayList<>();
        try {
            if (Files.isRegularFile(kernelJson) && Files.size(kernelJson) < (1 << 20)) {
                var json = JsonParser.parseString(Files.readString(kernelJson)).getAsJsonObject();
                json.getAsJsonArray("argv").forEach(a -> oldArgv.add(a.getAsString()));
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: it is replaced all the same, and said so below
        }
        String oldHome = oldArgv.stream().filter(a -> a.startsWith("-Dmedvlm.home=")).map(a -> a.substring("-Dmedvlm.home=".length()))
                .findFirst().orElse(null);
        if (oldHome != null && Path.of(oldHome).toAbsolutePath().normalize().equals(root)) {
            return;
        }
        String ran = oldHome != null ? "the checkout " + oldHome
                : oldArgv.isEmpty() ? "an unreadable kernel.json" : "'" + Medvlm.bounded(String.join(" ", oldArgv)) + "'";
        display.err().println("install-kernel: replacing kernel '" + name + "' in " + existing.get() + ", which ran " + ran);
        display.err().flush();
    }

    /** Where a kernel of this name is installed now, in the place this install writes to. */
    private Optional<Path> installedSpec() {
        Path dir;
        if (where.prefix != null) {
            dir = where.prefix.toAbsolutePath().resolve("share/jupyter/kernels").resolve(name);
        } else if (where.sysPrefix) {
            dir = sysPrefixSpec().orElse(null);
        } else {
            dir = userDataDir().resolve("kernels").resolve(name);
        }
        return dir != null && Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    /** The kernel Jupyter finds under this name outside the user's own folder (where --sys-prefix writes). */
    private Optional<Path> sysPrefixSpec() {
        try {
            Process p = new ProcessBuilder("jupyter", "kernelspec", "list", "--json").redirectErrorStream(false).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readNBytes(1 << 20), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return Optional.empty();
            }
            var spec = JsonParser.parseString(out).getAsJsonObject().getAsJsonObject("kernelspecs").getAsJsonObject(name);
            if (spec == null) {
                return Optional.empty();
            }
            Path dir = Path.of(spec.get("resource_dir").getAsString());
            return dir.startsWith(userDataDir()) ? Optional.empty() : Optional.of(dir);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Whether {@code java} is a Java 18 to 23, which allows a SecurityManager only with a start-up flag. */
    static boolean needsSecurityManagerFlag(Path java) {
        int feature = javaFeatureVersion(java);
        return feature >= 18 && feature <= 23;
    }

    /** The feature version of a java (17, 21, ...): this JVM's own, or asked of another one; 0 if unknown. */
    static int javaFeatureVersion(Path java) {
        Path self = Path.of(System.getProperty("java.home"), "bin", "java");
        try {
            if (Files.isSameFile(java, self)) {
                return Runtime.version().feature();
            }
        } catch (IOException | SecurityException e) {
            // not this JVM's: ask it
        }
        try {
            Process p = new ProcessBuilder(java.toString(), "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readNBytes(1 << 20), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return 0;
            }
            var m = Pattern.compile("java\\.specification\\.version = (\\d+)").matcher(out);
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
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
        // as launch/medvlm sets them: MKL's products independent of memory alignment (runs repeat bit for bit) and
        // OpenMP threads that sleep while waiting (spinning ones starve the data loader on small machines)
        spec.put("env", Map.of("MKL_CBWR", "AUTO,STRICT", "OMP_WAIT_POLICY", "PASSIVE"));
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
            // --name=NAME: a name starting with '-' must not read as an option
            cmd.addAll(List.of("--name=" + name, "--replace", spec.toString()));
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
