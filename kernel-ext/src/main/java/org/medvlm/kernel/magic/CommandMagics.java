package org.medvlm.kernel.magic;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import org.medvlm.cli.Display;
import org.medvlm.cli.Medvlm;
import org.medvlm.cli.Session;
import org.medvlm.io.AtomicFiles;
import picocli.CommandLine;

/**
 * Runs {@code medvlm} subcommands as magics: {@code %zero --gpus 8} is {@code medvlm zero --gpus 8} with
 * the same parser, help text and errors, but results are shown rich. A cell magic ({@code %%train})
 * passes its body to the command as a settings file ({@code --settings FILE}).
 */
public final class CommandMagics {
    /** Commands that make no sense inside a running kernel ({@code notebook} starts the Jupyter that runs kernels). */
    private static final Set<String> NOT_MAGICS = Set.of("install-kernel", "notebook", "help");

    private final PrintWriter out;
    private final PrintWriter err;
    private final Consumer<Object> renderer;
    private final Function<Display, CommandLine> tree;
    private final Session session = new Session();
    private Object last;
    private boolean hasLast;

    /**
     * @param out the cell's stdout
     * @param err the cell's stderr
     * @param renderer shows one value in the notebook
     */
    public CommandMagics(PrintWriter out, PrintWriter err, Consumer<Object> renderer) {
        this(out, err, renderer, Medvlm::commandLine);
    }

    /** With another command tree than {@code medvlm}'s (tests add commands to it). */
    public CommandMagics(PrintWriter out, PrintWriter err, Consumer<Object> renderer, Function<Display, CommandLine> tree) {
        this.out = out;
        this.err = err;
        this.renderer = renderer;
        this.tree = tree;
    }

    /** The magic names: one per {@code medvlm} subcommand (and alias) usable in a notebook. */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (Map.Entry<String, CommandLine> e : tree(new KernelDisplay(out, err, renderer, session)).getSubcommands().entrySet()) {
            if (!NOT_MAGICS.contains(e.getValue().getCommandName())) {
                names.add(e.getKey());
            }
        }
        return names;
    }

    /** Runs {@code %name args}; returns normally on exit code 0, throws {@link MagicError} otherwise. */
    public void line(String name, String args) {
        run(name, ShellWords.split(args));
    }

    /** Runs {@code %%name args} with {@code body} handed over as {@code --settings <file>}. */
    public void cell(String name, String args, String body) {
        Path settings;
        try {
            settings = Files.createTempFile("medvlm-" + name + "-", ".settings");
            AtomicFiles.writeString(settings, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            List<String> argv = new ArrayList<>(ShellWords.split(args));
            argv.add("--settings");
            argv.add(settings.toString());
            argv.add("--settings-label"); // errors name the cell's body, not the temporary file
            argv.add("%%" + name + " body");
            run(name, argv);
        } finally {
            try {
                Files.deleteIfExists(settings);
            } catch (IOException ignored) {
                // a temp file; the OS cleans up
            }
        }
    }

    private void run(String name, List<String> args) {
        if (NOT_MAGICS.contains(name)) {
            throw new MagicError("%" + name + " is not a notebook magic", List.of("%" + name + " is not a notebook magic; run it in a terminal: launch/medvlm " + name));
        }
        StringWriter captured = new StringWriter();
        PrintWriter capture = new PrintWriter(captured, true);
        KernelDisplay display = new KernelDisplay(out, capture, renderer, session);
        CommandLine root = tree(display);
        CommandLine command = root.getSubcommands().get(name);
        if (command == null) {
            throw new MagicError("unknown magic %" + name, List.of("unknown magic %" + name + "; the magics are: %"
                    + String.join(", %", names()) + ", %classpath, %jars, %help"));
        }
        List<String> argv = new ArrayList<>();
        argv.add(name);
        argv.addAll(args);
        int code = root.execute(argv.toArray(String[]::new));
        out.flush();
        capture.flush();
        if (display.shown()) {
            last = display.last();
            hasLast = true;
        }
        String problems = captured.toString().strip();
        if (code == 0) {
            if (!problems.isEmpty()) {
                err.println(problems);
                err.flush();
            }
            return;
        }
        List<String> lines = new ArrayList<>(problems.lines().toList());
        if (code == Medvlm.EXIT_USAGE) {
            lines.add(usageLine(command, args));
        }
        String first = lines.isEmpty() ? "medvlm " + name + " failed with exit code " + code : lines.get(0);
        throw new MagicError(first, lines);
    }

    /** The synopsis of the deepest subcommand the arguments name, e.g. {@code Usage: medvlm medvqa load ...}. */
    static String usageLine(CommandLine command, List<String> args) {
        CommandLine current = command;
        for (String a : args) {
            CommandLine sub = current.getSubcommands().get(a);
            if (sub == null) {
                break;
            }
            current = sub;
        }
        return "Usage: " + current.getHelp().synopsis(0).strip();
    }

    /** The full help text of a command, as {@code medvlm NAME --help} prints it. */
    public String help(String name) {
        CommandLine root = tree(new KernelDisplay(out, err, renderer, session));
        CommandLine command = name == null || name.isBlank() ? root : root.getSubcommands().get(name.strip());
        if (command == null) {
            throw new MagicError("unknown command " + name, List.of("unknown command " + name + "; the commands are: " + String.join(", ", names())));
        }
        return command.getUsageMessage();
    }

    /** The command tree the magics run (for completion; running it here shows nothing). */
    public CommandLine commandTree() {
        return tree(new KernelDisplay(out, err, renderer, session));
    }

    /** The state the magics share for the kernel's lifetime. */
    public Session session() {
        return session;
    }

    /** Whether a magic has shown a value since the kernel started. */
    public boolean hasLast() {
        return hasLast;
    }

    /** The last value a magic showed. */
    public Object last() {
        return last;
    }

    private CommandLine tree(KernelDisplay display) {
        return tree.apply(display);
    }
}
