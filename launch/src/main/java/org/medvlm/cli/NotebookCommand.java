package org.medvlm.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code medvlm notebook}: everything between a fresh clone and the tutorials open in a browser. {@code
 * launch/medvlm} has built the toolkit before this runs; this command finds Jupyter (on Debian, as root,
 * it installs the distribution's packages when they are missing; elsewhere it prints the one command to
 * run), installs the MedVLM kernel for the user, and starts Jupyter on 127.0.0.1 serving {@code
 * notebooks/} with a fresh token. It prints the URL and waits; Ctrl-C stops Jupyter and its kernels.
 */
@Command(name = "notebook", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sets up Jupyter with the MedVLM kernel and serves the tutorial notebooks on 127.0.0.1.",
            "Installs Debian's Jupyter packages when they are missing (as root; otherwise it prints the command),",
            "installs the kernel, starts Jupyter with a fresh token and prints the URL. Ctrl-C stops it."})
final class NotebookCommand implements Callable<Integer> {
    /**
     * What the notebooks need, as Debian packages: the notebook server and its web front end
     * ({@code jupyter-notebook}: {@code jupyter notebook}), {@code jupyter kernelspec} ({@code jupyter-client}),
     * nbconvert's command and HTML export ({@code jupyter-nbconvert}) and nbclient ({@code python3-nbclient}:
     * {@code jupyter execute}, which {@code medvlm run} uses). {@code python3-notebook} alone brings none of the
     * commands, and {@code jupyter-notebook} alone neither kernelspec nor nbconvert's command.
     */
    static final List<String> DEBIAN_PACKAGES = List.of("jupyter-notebook", "jupyter-client", "jupyter-nbconvert", "python3-nbclient");

    /** The commands those packages put on PATH, one per package, in the same order. */
    static final List<String> COMMANDS = List.of("jupyter-notebook", "jupyter-kernelspec", "jupyter-nbconvert", "jupyter-execute");

    /** Elsewhere (pip): the notebook package brings the server, kernelspec, nbconvert and nbclient. */
    static final String PIP_COMMAND = "python3 -m pip install --user notebook";

    private final Display display;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", description = "Port on 127.0.0.1 (default: 8888, or a free one when 8888 is taken).")
    Integer port;

    @Option(names = "--dir", paramLabel = "DIR", description = "The folder to serve (default: the checkout's notebooks/).")
    Path dir;

    @Option(names = "--no-install", description = "Never install Jupyter packages; say what is missing instead.")
    boolean noInstall;

    @Option(names = "--kernel-classpath", hidden = true, description = "Install the kernel to run from this class path (tests).")
    String kernelClasspath;

    NotebookCommand(Display display) {
        this.display = display;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path root = InstallKernelCommand.home();
        Path served = (dir != null ? dir : root.resolve("notebooks")).toAbsolutePath().normalize();
        if (!Files.isDirectory(served)) {
            throw new UserError("--dir " + served + ": not a folder");
        }
        if (port != null && (port < 1 || port > 65535)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--port " + port + ": not a port (1 to 65535)");
        }
        if (port != null && !isFree(port)) {
            throw new UserError("--port " + port + ": already in use on 127.0.0.1 (leave --port out for a free one)");
        }
        Path server = ensureJupyter();
        installKernel();

        int chosen = port != null ? port : freePort(8888);
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        List<String> argv = new ArrayList<>(List.of(server.toString(), "--no-browser", "--ip=127.0.0.1", "--port=" + chosen,
                "--port-retries=0", "--notebook-dir=" + served, "--log-level=WARN"));
        if (isRoot()) {
            argv.add("--allow-root"); // Jupyter refuses to start as root without it
        }
        ProcessBuilder pb = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))  // no tty: Ctrl-C stops it without asking
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("JUPYTER_TOKEN", token); // not on the command line, where `ps` would show it
        pb.environment().put("PYDEVD_DISABLE_FILE_VALIDATION", "1"); // the debugger's frozen-modules warning
        Process jupyter = pb.start();
        Thread stopper = new Thread(() -> stop(jupyter), "stop-jupyter");
        Runtime.getRuntime().addShutdownHook(stopper);

        String url = "http://127.0.0.1:" + chosen + "/tree?token=" + token;
        if (!awaitServer(jupyter, chosen, token)) {
            stop(jupyter);
            throw new UserError(server + " did not start serving on 127.0.0.1:" + chosen
                    + (jupyter.isAlive() ? " within 120 s" : " (it exited with " + jupyter.exitValue() + "; its messages are above)"));
        }
        display.out().println("MedVLM notebooks: " + served);
        display.out().println("  " + url);
        display.out().println("Open the URL in a browser on this machine (from another one: ssh -L " + chosen + ":127.0.0.1:" + chosen
                + " THIS-HOST, then the same URL). Ctrl-C stops Jupyter.");
        display.out().flush();
        int code = jupyter.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stopper);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is running already
        }
        return code == 0 || code == 130 || code == 143 ? Medvlm.EXIT_OK : Medvlm.EXIT_INPUT;
    }

    /** The notebook server's command, after installing the Debian packages when that is possible and needed. */
    private Path ensureJupyter() throws IOException, InterruptedException {
        List<String> missing = missingPackages();
        if (missing.isEmpty()) {
            return which("jupyter-notebook").orElseThrow();
        }
        boolean debian = Files.isRegularFile(Path.of("/etc/debian_version")) && which("apt-get").isPresent();
        if (!debian) {
            throw new UserError("Jupyter is missing (" + String.join(", ", missingCommands()) + " not on PATH); install it with: " + PIP_COMMAND);
        }
        String install = "apt-get install -y --no-install-recommends " + String.join(" ", missing);
        if (!isRoot() || noInstall) {
            throw new UserError("Jupyter is missing (" + String.join(", ", missingCommands()) + " not on PATH); install it with: "
                    + (isRoot() ? "" : "sudo ") + install);
        }
        display.err().println("notebook: installing Debian's Jupyter packages: " + String.join(" ", missing));
        display.err().flush();
        for (List<String> cmd : List.of(List.of("apt-get", "update", "-qq"),
                concat(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends"), missing))) {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new UserError(String.join(" ", cmd) + " failed: " + Medvlm.oneLine(tail(out, 3)));
            }
        }
        List<String> still = missingCommands();
        if (!still.isEmpty()) {
            throw new UserError("Jupyter is installed but " + String.join(", ", still) + " is still not on PATH (PATH=" + System.getenv("PATH") + ")");
        }
        return which("jupyter-notebook").orElseThrow();
    }

    /** The Debian packages whose commands are not on PATH. */
    static List<String> missingPackages() {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < COMMANDS.size(); i++) {
            if (which(COMMANDS.get(i)).isEmpty()) {
                missing.add(DEBIAN_PACKAGES.get(i));
            }
        }
        return missing;
    }

    static List<String> missingCommands() {
        return COMMANDS.stream().filter(c -> which(c).isEmpty()).toList();
    }

    /** Installs (or refreshes) the MedVLM kernel for this user, through the install-kernel command. */
    private void installKernel() {
        List<String> args = new ArrayList<>(List.of("install-kernel", "--user"));
        if (kernelClasspath != null) {
            args.addAll(List.of("--classpath", kernelClasspath));
        }
        int code = Medvlm.commandLine(display).execute(args.toArray(String[]::new));
        if (code != Medvlm.EXIT_OK) {
            throw new UserError("the MedVLM kernel could not be installed (install-kernel said why above)");
        }
    }

    /** {@code preferred} when nothing listens there, else a free port the system picks (both on 127.0.0.1). */
    static int freePort(int preferred) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket s = new ServerSocket(preferred, 1, loopback)) {
            return s.getLocalPort();
        } catch (IOException taken) {
            try (ServerSocket s = new ServerSocket(0, 1, loopback)) {
                return s.getLocalPort();
            }
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** Waits until Jupyter answers its status API with this token; false if it exits or 120 s pass. */
    private static boolean awaitServer(Process jupyter, int port, String token) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest status = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/status"))
                .header("Authorization", "token " + token).timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && jupyter.isAlive()) {
            try {
                if (http.send(status, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** Stops Jupyter as Ctrl-C would (it shuts its kernels down), forcibly after 15 s. */
    private static void stop(Process jupyter) {
        if (!jupyter.isAlive()) {
            return;
        }
        jupyter.destroy(); // SIGTERM: Jupyter's clean stop
        try {
            if (!jupyter.waitFor(15, TimeUnit.SECONDS)) {
                jupyter.descendants().forEach(ProcessHandle::destroyForcibly);
                jupyter.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            jupyter.destroyForcibly();
        }
    }

    /** An executable named {@code name} on PATH. */
    static Optional<Path> which(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Whether this process runs as root (uid 0), where Jupyter needs --allow-root and apt-get works. */
    static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String tail(String s, int lines) {
        List<String> all = s.lines().filter(l -> !l.isBlank()).toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
