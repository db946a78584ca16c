package org.medvlm.kernel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.publish.PublishClearOutput;
import io.github.spencerpark.jupyter.messages.publish.PublishUpdateDisplayData;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.medvlm.cli.Display;
import org.medvlm.cli.Medvlm;
import picocli.CommandLine;
import org.medvlm.kernel.jshell.CellResult;
import org.medvlm.kernel.jshell.EvalError;
import org.medvlm.kernel.jshell.JShellEngine;
import org.medvlm.kernel.live.LiveDisplay;
import org.medvlm.kernel.magic.Cell;
import org.medvlm.kernel.magic.CommandMagics;
import org.medvlm.kernel.magic.MagicError;
import org.medvlm.cli.Session;
import org.medvlm.kernel.render.Renderers;

/**
 * The MedVLM notebook kernel: Java cells evaluated by an in-process JShell (IJava's conventions:
 * {@code display(...)}, {@code %classpath}/{@code %jars}), the toolkit's commands as magics, and the
 * toolkit's values rendered as tables, charts and images.
 */
public final class JavaKernel extends BaseKernel {
    static final String VERSION = Objects.requireNonNullElse(JavaKernel.class.getPackage().getImplementationVersion(), "dev");

    /** Evaluated before the first cell: IJava's statics and the toolkit's notebook-facing packages. */
    static final List<String> IMPORTS = List.of(
            "java.util.*", "java.util.stream.*", "java.io.*", "java.nio.file.*", "java.awt.image.BufferedImage",
            "org.medvlm.kernel.live.*", "org.medvlm.cli.Session", "tech.tablesaw.api.*", "org.knowm.xchart.*");
    /** Toolkit packages imported when present (they arrive with their issues). */
    static final List<String> TOOLKIT_PACKAGES = List.of(
            "org.medvlm.data", "org.medvlm.zero", "org.medvlm.dicom", "org.medvlm.vlm", "org.medvlm.metrics",
            "org.medvlm.phantoms", "org.medvlm.imaging", "org.medvlm.train");

    private final JShellEngine engine;
    private final CommandMagics magics;
    private final CellStreams streams;
    private final PrintWriter out;
    private final PrintWriter err;
    /** Magics waiting for the JShell call that runs them: their text never goes into Java source. */
    private final Map<Integer, Cell.Part> pendingMagics = new ConcurrentHashMap<>();
    private final AtomicInteger magicIds = new AtomicInteger();
    private volatile Runnable abortCell;
    private final History history = new History();
    private final List<LiveDisplay> liveDisplays = new ArrayList<>();
    private final JsonArray payloads = new JsonArray();
    private final CompletableFuture<Void> warm = new CompletableFuture<>();
    private volatile ShellReplyEnvironment cellEnv;
    /**
     * The cell each recent display was shown in: an update that comes after its cell ended (a background run's
     * view) goes out with that cell as parent, as ipykernel's threads do; the oldest are forgotten.
     */
    private final Map<String, ShellReplyEnvironment> displayOrigins = Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ShellReplyEnvironment> eldest) {
                    return size() > 512;
                }
            });
    /** Whether a magic (a toolkit command) runs on the cell's thread now. */
    private volatile boolean magicRunning;
    /** Interrupts received during the running cell. */
    private final AtomicInteger interrupts = new AtomicInteger();
    private volatile MagicError magicError;
    private Object lastDeclared;

    public JavaKernel() {
        this(Medvlm::commandLine);
    }

    /** A kernel whose magics come from {@code tree} (tests add commands to {@code medvlm}'s). */
    JavaKernel(Function<Display, CommandLine> tree) {
        super(StandardCharsets.UTF_8);
        Renderers.register(getRenderer());
        this.engine = new JShellEngine();
        this.streams = CellStreams.fromProperties(System.out, System.err);
        this.out = new PrintWriter(new OutputStreamWriter(streams.stdout, StandardCharsets.UTF_8), true);
        this.err = new PrintWriter(new OutputStreamWriter(streams.stderr, StandardCharsets.UTF_8), true);
        this.magics = new CommandMagics(out, err, value -> display(getRenderer().render(value)), tree);
        Notebook.bind(this);
    }

    /**
     * Compiles the imports and a first expression on a background thread, started before the kernel
     * connects: javac's first compile costs about a second, which would otherwise land on the first cell.
     */
    public void warmUpInBackground() {
        Thread t = new Thread(() -> {
            try {
                engine.eval(importsSource());
                engine.eval("1 + 1");
                magics.names();
                warm.complete(null);
            } catch (Throwable e) {
                warm.completeExceptionally(e);
            }
        }, "medvlm-warmup");
        t.setDaemon(true);
        t.start();
    }

    static String importsSource() {
        StringBuilder code = new StringBuilder("import static org.medvlm.kernel.Notebook.*;\n");
        for (String i : IMPORTS) {
            code.append("import ").append(i).append(";\n");
        }
        for (String p : TOOLKIT_PACKAGES) {
            if (JavaKernel.class.getClassLoader().getResource(p.replace('.', '/')) != null) {
                code.append("import ").append(p).append(".*;\n");
            }
        }
        return code.toString();
    }

    void awaitWarm() throws EvalError {
        try {
            warm.get();
        } catch (ExecutionException e) {
            throw new EvalError("KernelError", "the kernel failed to start: " + e.getCause(), List.of("the kernel failed to start: " + e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EvalError("Interrupted", "interrupted", List.of("interrupted"));
        }
    }

    /** Runs one notebook cell; returns what it shows as its result, or null. */
    DisplayData executeCell(String code) throws EvalError {
        awaitWarm();
        CellResult last = null;
        for (Cell.Part part : Cell.parse(code)) {
            last = null;
            if (part instanceof Cell.Code c) {
                last = engine.eval(c.source(), c.line());
            } else if (part instanceof Cell.LineMagic m) {
                if (!kernelMagic(m.name(), m.args())) {
                    evalMagic(m);
                }
            } else if (part instanceof Cell.CellMagic m) {
                evalMagic(m);
            }
        }
        return last != null && last.hasValue() ? getRenderer().render(last.value()) : null;
    }

    /**
     * Runs a command magic inside JShell, so an interrupt stops it like any cell; then makes the value it
     * showed the notebook variable {@code last}, typed when its class is public.
     */
    private void evalMagic(Cell.Part magic) throws EvalError {
        // the magic's arguments and body stay Java objects: as a string literal in the call they would be
        // capped at 64 KiB by the class file format
        int id = magicIds.incrementAndGet();
        pendingMagics.put(id, magic);
        magicError = null;
        try {
            engine.eval("org.medvlm.kernel.Notebook.runPendingMagic(" + id + ");");
        } catch (EvalError e) {
            MagicError m = magicError;
            if (m != null && e.name().equals(MagicError.class.getName())) {
                throw new EvalError("UsageError", m.getMessage(), m.lines());
            }
            throw e;
        } finally {
            pendingMagics.remove(id);
        }
        if (magics.hasLast() && magics.last() != lastDeclared) {
            lastDeclared = magics.last();
            String type = visibleType(lastDeclared);
            try {
                engine.eval("var last = (" + type + ") org.medvlm.kernel.Notebook.last();");
            } catch (EvalError e) {
                engine.eval("var last = org.medvlm.kernel.Notebook.last();");
            }
        }
    }

    private static String visibleType(Object value) {
        if (value == null) {
            return "Object";
        }
        Class<?> c = value.getClass();
        while (c != null && !accessible(c)) {
            c = c.getSuperclass();
        }
        return c == null ? "Object" : c.getCanonicalName();
    }

    /** Whether cell code can name the class: it and every class around it are public. */
    private static boolean accessible(Class<?> c) {
        if (c.getCanonicalName() == null) {
            return false;
        }
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    /** {@code %classpath}, {@code %jars}, {@code %help} and {@code %NAME?} act on the kernel itself, outside JShell. */
    private boolean kernelMagic(String name, String args) throws EvalError {
        try {
            return kernelMagicOrFalse(name, args);
        } catch (MagicError | IllegalArgumentException e) {
            List<String> lines = e instanceof MagicError m ? m.lines() : List.of(e.getMessage());
            throw new EvalError("UsageError", e.getMessage(), lines);
        }
    }

    private boolean kernelMagicOrFalse(String name, String args) {
        switch (name) {
            case "classpath", "jars" -> {
                List<String> added = org.medvlm.kernel.magic.ClasspathMagic.add(args, engine::addToClasspath);
                out.println("added to the classpath: " + String.join(", ", added));
                out.flush();
                return true;
            }
            case "help" -> {
                // an output, not the pager: nbconvert and saved notebooks keep outputs, and drop pager payloads
                String text = magics.help(args);
                DisplayData help = new DisplayData(text);
                help.putHTML("<pre>" + org.medvlm.kernel.render.TableHtml.escape(text) + "</pre>");
                display(help);
                return true;
            }
            case Cell.PAGE_MAGIC -> {
                // %zero? opens the help in the front end's pager, as IPython's ? does
                String text = magics.help(args);
                JsonObject page = new JsonObject();
                page.addProperty("source", "page");
                JsonObject data = new JsonObject();
                data.addProperty("text/plain", text);
                page.add("data", data);
                page.addProperty("start", 0);
                synchronized (payloads) {
                    payloads.add(page);
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** Runs the magic {@link #evalMagic} parked under {@code id} (called from JShell, so an interrupt stops it). */
    void runPendingMagic(int id) {
        Cell.Part magic = pendingMagics.remove(id);
        if (magic instanceof Cell.LineMagic m) {
            runLineMagic(m.name(), m.args());
        } else if (magic instanceof Cell.CellMagic m) {
            runCellMagic(m.name(), m.args(), m.body());
        } else {
            throw new IllegalStateException("no pending magic " + id);
        }
    }

    void runLineMagic(String name, String args) {
        boolean was = magicRunning; // a magic may run another one (Notebook.magic)
        magicRunning = true;
        try {
            magics.line(name, args);
        } catch (MagicError e) {
            magicError = e;
            throw e;
        } finally {
            magicRunning = was;
        }
    }

    void runCellMagic(String name, String args, String body) {
        boolean was = magicRunning; // a magic may run another one (Notebook.magic)
        magicRunning = true;
        try {
            magics.cell(name, args, body);
        } catch (MagicError e) {
            magicError = e;
            throw e;
        } finally {
            magicRunning = was;
        }
    }

    Object magicLast() {
        return magics.last();
    }

    Session session() {
        return magics.session();
    }

    History history() {
        return history;
    }

    int executionCount() {
        return executionCount.get();
    }

    int nextExecutionCount() {
        return executionCount.getAndIncrement();
    }

    void beginCell(ShellReplyEnvironment env, int count) {
        engine.resetStop();
        engine.beginCell(count);
        interrupts.set(0);
        cellEnv = env;
        streams.begin((name, text) -> {
            if (name.equals("stderr")) {
                env.writeToStdErr(text);
            } else {
                env.writeToStdOut(text);
            }
        });
    }

    /** The cell's stdout and stderr while it runs (System.out and System.err point here). */
    CellStreams streams() {
        return streams;
    }

    /**
     * What {@link #reportExit} sends if the JVM ends during this cell: set by the execute handler, which
     * holds the request to reply to; null between cells.
     */
    void onAbort(Runnable abort) {
        abortCell = abort;
    }

    /**
     * Called by a shutdown hook: where the exit guard is not available (Java 24 and later), a cell that
     * calls {@code System.exit} still gets its error and its reply before the JVM ends.
     */
    void reportExit() {
        Runnable abort = abortCell;
        if (abort != null && !ExitGuard.installed()) {
            abort.run();
        }
    }

    /** A line about something a finished cell's thread did; shown in the running cell or the next one. */
    void notice(String line) {
        streams.notice(line);
    }

    /** Sends the last state of every live display made in the cell, then forgets them. */
    void endCell() {
        List<LiveDisplay> live;
        synchronized (liveDisplays) {
            live = List.copyOf(liveDisplays);
            liveDisplays.clear();
        }
        for (LiveDisplay d : live) {
            try {
                d.flush();
            } catch (RuntimeException e) {
                err.println("could not update a live display: " + e);
            }
        }
        out.flush();
        err.flush();
        streams.end();
        cellEnv = null;
    }

    /** Shows a display_data after the text printed before it, cut to the kernel's display limits. */
    @Override
    public void display(DisplayData data) {
        out.flush();
        err.flush();
        streams.flush();
        DisplayData bounded = DisplayLimits.bound(data);
        ShellReplyEnvironment env = cellEnv;
        if (env != null && bounded != null && bounded.hasDisplayId()) {
            displayOrigins.put(bounded.getDisplayId(), env);
        }
        super.display(bounded);
    }

    /**
     * Replaces what display {@code id} shows ({@code update_display_data}), from any thread, also after the cell
     * that showed it ended (a run in the background). While a cell runs the message has that cell as parent:
     * nbclient applies an update to whichever cell shows the id, and JupyterLab routes it by display id to the
     * cells that showed it. With no cell running it goes out with the parent of the cell that showed it. The
     * message is sent directly on iopub (whose send is synchronized): the base library's reply environment
     * has a one-shot "defer" flag that a concurrent publish from another thread would consume.
     */
    void updateDisplay(String id, DisplayData data) {
        ShellReplyEnvironment env = cellEnv;
        if (env == null) {
            env = displayOrigins.get(id);
        }
        if (env == null) {
            return; // shown before this kernel remembered it: nowhere to send it
        }
        DisplayData bounded = new DisplayData(DisplayLimits.bound(data));
        bounded.setDisplayId(id);
        env.getIopub().sendMessage(new Message<>(env.getContext(), PublishUpdateDisplayData.MESSAGE_TYPE,
                new PublishUpdateDisplayData(bounded)));
    }

    void live(LiveDisplay display) {
        synchronized (liveDisplays) {
            liveDisplays.add(display);
        }
    }

    JsonArray takePayloads() {
        synchronized (payloads) {
            JsonArray copy = payloads.deepCopy();
            while (payloads.size() > 0) {
                payloads.remove(0);
            }
            return copy;
        }
    }

    void clearOutput(boolean wait) {
        ShellReplyEnvironment env = cellEnv;
        if (env == null) {
            throw new IllegalStateException("clearOutput() works only while a cell runs");
        }
        env.publish(wait ? PublishClearOutput.BEFORE_NEXT_OUTPUT : PublishClearOutput.NOW);
    }

    @Override
    public DisplayData eval(String expr) throws Exception {
        return executeCell(expr);
    }

    @Override
    public LanguageInfo getLanguageInfo() {
        return new LanguageInfo.Builder("java")
                .version(Runtime.version().toString())
                .mimetype("text/x-java-source")
                .fileExtension(".jshell")
                .pygments("java")
                .codemirror("text/x-java")
                .build();
    }

    JsonObject languageInfoJson() {
        JsonObject info = new JsonObject();
        info.addProperty("name", "java");
        info.addProperty("version", Runtime.version().toString());
        info.addProperty("mimetype", "text/x-java-source");
        info.addProperty("file_extension", ".jshell");
        info.addProperty("pygments_lexer", "java");
        info.addProperty("codemirror_mode", "text/x-java");
        return info;
    }

    @Override
    public String getBanner() {
        return "MedVLM kernel " + VERSION + " (Java " + Runtime.version() + "): Java cells, and the toolkit's magics ("
                + "%help lists them)";
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int lineStart = code.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
        String line = code.substring(lineStart, at);
        if (line.matches("\\s*%%?[\\w-]*")) {
            String typed = line.strip().replaceFirst("^%+", "");
            List<String> names = new ArrayList<>();
            for (String n : allMagicNames()) {
                if (n.startsWith(typed)) {
                    names.add(n);
                }
            }
            return names.isEmpty() ? null : new ReplacementOptions(names, at - typed.length(), at);
        }
        if (line.matches("\\s*%%?[\\w.-]+[ \\t].*")) {
            org.medvlm.kernel.magic.MagicCompleter.Completion c = org.medvlm.kernel.magic.MagicCompleter.complete(
                    line, at, magics.commandTree(), java.nio.file.Path.of("").toAbsolutePath());
            return c == null ? null : new ReplacementOptions(c.matches(), c.start(), c.end());
        }
        if (!warm.isDone()) {
            return null;
        }
        JShellEngine.Completions c = engine.complete(code, at);
        return c.matches().isEmpty() ? null : new ReplacementOptions(c.matches(), c.start(), c.end());
    }

    private List<String> allMagicNames() {
        List<String> names = new ArrayList<>(magics.names());
        names.addAll(List.of("classpath", "jars", "help"));
        return names;
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        if (!warm.isDone()) {
            return null;
        }
        String doc = engine.inspect(code, at);
        return doc.isEmpty() ? null : new DisplayData(doc);
    }

    /**
     * Jupyter's is_complete: {@code complete}, {@code invalid}, or, for code that goes on, the whitespace to start
     * the next line with (the base library sends any other string as the {@code indent} of an {@code incomplete}
     * reply, and {@code jupyter console} types it).
     */
    @Override
    public String isComplete(String code) {
        List<Cell.Part> parts = Cell.parse(code);
        for (Cell.Part p : parts) {
            if (p instanceof Cell.Code c) {
                String status = engine.isComplete(c.source());
                if (status.equals("incomplete")) {
                    return nextIndent(c.source());
                }
                if (!status.equals("complete")) {
                    return status;
                }
            }
        }
        return "complete";
    }

    /**
     * The indent of the line after {@code code}: the last line's own, four spaces more unless that line ended a
     * statement or a block ({@code ;} or {@code }}): after {@code void f() {} or a continued expression.
     */
    static String nextIndent(String code) {
        String last = "";
        for (String line : code.split("\\R")) {
            if (!line.isBlank()) {
                last = line;
            }
        }
        int n = 0;
        while (n < last.length() && (last.charAt(n) == ' ' || last.charAt(n) == '\t')) {
            n++;
        }
        String base = last.substring(0, n).replace("\t", "    ");
        String end = last.strip();
        return end.endsWith(";") || end.endsWith("}") ? base : base + "    ";
    }

    /**
     * ■. Java code is stopped by the JDK's engine (even {@code while (true) {}}). A magic is a toolkit command
     * running on the cell's thread: the first ■ interrupts that thread only, so the command ends cleanly
     * ({@code %%train} stops its run after the current update and writes a checkpoint); the JDK's stop would
     * unwind it mid-way. A second ■ in the same cell stops it at once.
     */
    @Override
    public void interrupt() {
        if (magicRunning && interrupts.getAndIncrement() == 0) {
            engine.requestStop();
            engine.interruptCellThread();
            notice("interrupt: asking the running magic to stop (■ again stops it at once)");
            return;
        }
        engine.stop();
    }

    private final java.util.concurrent.atomic.AtomicBoolean shutDown = new java.util.concurrent.atomic.AtomicBoolean();

    /** Frees the session (the model's native memory, the datasets) and JShell; once, however often it is called. */
    @Override
    public void onShutdown(boolean isRestarting) {
        if (!shutDown.compareAndSet(false, true)) {
            return;
        }
        try {
            // the loaded model's native memory and the datasets
            magics.session().close();
        } catch (RuntimeException e) {
            err.println("closing the session failed: " + e);
        } finally {
            engine.close();
        }
    }
}
