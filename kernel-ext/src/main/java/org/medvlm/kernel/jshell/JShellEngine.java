package org.medvlm.kernel.jshell;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Java evaluation for the kernel: one in-process {@link JShell} whose snippets run on the JDK's
 * {@code LocalExecutionControl} through a {@link Trampoline}, so results are real objects and a
 * running cell can be stopped.
 */
public final class JShellEngine implements AutoCloseable {
    /** The JShell value string of every trampolined snippet. */
    private static final String QUOTED_KEY = '"' + Trampoline.KEY + '"';

    /** JShell's name for a snippet's wrapper class, as messages and class names carry it: {@code REPL.$JShell$22.}. */
    private static final java.util.regex.Pattern WRAPPER = java.util.regex.Pattern.compile("(?:REPL\\.)?\\$JShell\\$\\d+[A-Z]?[.$]");

    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    /** Where each snippet's first token is: the cell it came from and that cell's line (stack traces use it). */
    private final java.util.Map<String, Location> locations = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile int cell;

    /** A snippet's place in the notebook: cell number (its execution count; 0 when unknown) and line. */
    record Location(int cell, int line) {}
    private java.nio.file.Path emptyFolder;

    public JShellEngine(List<String> compilerOptions) {
        this.shell = JShell.builder()
                .executionEngine(TrampolineExecutionControl.provider(stopRequested), java.util.Map.of())
                .compilerOptions(compilerOptions.toArray(String[]::new))
                .build();
        this.analysis = shell.sourceCodeAnalysis();
    }

    /** With local variable names compiled in, so a NullPointerException names the variable ({@code -g}). */
    public JShellEngine() {
        this(List.of("-g"));
    }

    /** The cell about to run (its execution count): errors name other cells' lines by it. */
    public void beginCell(int executionCount) {
        cell = executionCount;
    }

    /**
     * Runs a piece of Java (any number of statements, declarations and expressions) and returns the
     * value of the last one if it is an expression or a bare variable.
     */
    public CellResult eval(String code) throws EvalError {
        return eval(code, 1);
    }

    /** {@link #eval(String)} of code that starts on line {@code firstLine} of its cell (errors give cell lines). */
    public CellResult eval(String code, int firstLine) throws EvalError {
        CellResult last = CellResult.NONE;
        String remaining = code;
        while (!remaining.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == Completeness.EMPTY) {
                break;
            }
            int offset = code.length() - remaining.length();
            int line = firstLine + newlines(code, 0, offset);
            String source = info.completeness().isComplete() ? info.source() : remaining;
            remaining = info.completeness().isComplete() ? info.remaining() : "";
            last = evalSnippet(source, line);
            if (stopRequested.get()) {
                throw interrupted();
            }
        }
        return last;
    }

    private static int newlines(String s, int from, int to) {
        int n = 0;
        for (int i = Math.max(0, from); i < Math.min(to, s.length()); i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    /**
     * Where JShell's line 1 of a snippet is: its first token, after blank lines and comments (measured: JShell counts
     * stack trace lines from there).
     */
    static int firstTokenLine(String source, int line) {
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? source.length() : end;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? source.length() : end + 2;
            } else {
                break;
            }
        }
        return line + newlines(source, 0, i);
    }

    private CellResult evalSnippet(String source, int line) throws EvalError {
        List<SnippetEvent> events = shell.eval(source);
        for (SnippetEvent e : events) {
            if (e.causeSnippet() == null && e.snippet() != null) {
                locations.put(e.snippet().id(), new Location(cell, firstTokenLine(source, line)));
            }
        }
        Object value = Trampoline.hasValue() ? Trampoline.take() : null;
        CellResult result = CellResult.NONE;
        for (SnippetEvent e : events) {
            if (e.causeSnippet() != null) {
                continue; // an update of a dependent snippet, not this one
            }
            if (stopRequested.get()) {
                throw interrupted();
            }
            if (e.exception() != null) {
                throw fromException(e.exception());
            }
            Snippet s = e.snippet();
            if (e.status() == Snippet.Status.REJECTED) {
                throw compileError(s, source, line);
            }
            if (broken(e)) {
                // JShell keeps such a snippet as "recoverable" and compiles it again with every later one, so
                // every later cell would fail silently: drop it and say why
                EvalError error = compileError(s, source, line);
                shell.drop(s);
                throw error;
            }
            if (QUOTED_KEY.equals(e.value()) && showsValue(s.subKind())) {
                result = CellResult.of(value);
            }
        }
        return result;
    }

    /**
     * A snippet JShell calls recoverable that nothing can recover: no undefined name is missing, yet it
     * did not compile (javac failed while writing the class, e.g. a string constant over 64 KiB). A
     * declaration that only waits for a later definition ({@code void f() { g(); }}) is not broken.
     */
    private boolean broken(SnippetEvent e) {
        Snippet.Status status = e.status();
        if (status != Snippet.Status.RECOVERABLE_NOT_DEFINED && status != Snippet.Status.RECOVERABLE_DEFINED) {
            return false;
        }
        Snippet s = e.snippet();
        if (s instanceof DeclarationSnippet d && shell.unresolvedDependencies(d).findAny().isPresent()) {
            return false;
        }
        return shell.diagnostics(s).anyMatch(Diag::isError);
    }

    private static boolean showsValue(Snippet.SubKind kind) {
        return kind == Snippet.SubKind.VAR_VALUE_SUBKIND
                || kind == Snippet.SubKind.OTHER_EXPRESSION_SUBKIND
                || kind == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
    }

    /**
     * Forgets an interrupt that arrived while no cell ran. The kernel calls it when a cell starts, not
     * per {@link #eval}, so an interrupt that lands between two parts of a cell still stops it.
     */
    public void resetStop() {
        stopRequested.set(false);
    }

    /**
     * Marks the running cell as interrupted without stopping its code: it ends with the "Interrupted" error once
     * its code returns (the caller interrupts the code's thread, see {@link #interruptCellThread}).
     */
    public void requestStop() {
        stopRequested.set(true);
    }

    /** Interrupts the thread running the cell's snippet now, if any (a blocking wait there ends). */
    public void interruptCellThread() {
        Thread t = Trampoline.cellThread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Stops the running cell; the JDK engine stops CPU-bound snippet code too, not only sleeps. */
    public void stop() {
        stopRequested.set(true);
        try {
            shell.stop();
        } catch (IllegalStateException e) {
            // the shell is closing: nothing is running any more
        }
    }

    /** Completions at {@code cursor}: replacement texts and the start of the text they replace. */
    public Completions complete(String code, int cursor) {
        int[] anchor = new int[1];
        Set<String> seen = new LinkedHashSet<>();
        for (SourceCodeAnalysis.Suggestion s : analysis.completionSuggestions(code, cursor, anchor)) {
            seen.add(s.continuation());
        }
        return new Completions(List.copyOf(seen), anchor[0], cursor);
    }

    /** Replacement texts for the code between {@code start} and {@code end}. */
    public record Completions(List<String> matches, int start, int end) {}

    /** Signatures (and Javadoc where the JDK has it) of what the cursor is on; empty when nothing. */
    public String inspect(String code, int cursor) {
        StringBuilder text = new StringBuilder();
        for (SourceCodeAnalysis.Documentation d : analysis.documentation(code, cursor, true)) {
            if (text.length() > 0) {
                text.append("\n\n");
            }
            text.append(d.signature());
            if (d.javadoc() != null && !d.javadoc().isBlank()) {
                text.append('\n').append(d.javadoc());
            }
        }
        return text.toString();
    }

    /** Jupyter's is_complete answer: {@code complete}, {@code incomplete} or {@code invalid}. */
    public String isComplete(String code) {
        String remaining = code;
        while (!remaining.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            switch (info.completeness()) {
                case EMPTY:
                    return "complete";
                case DEFINITELY_INCOMPLETE:
                case CONSIDERED_INCOMPLETE:
                    return "incomplete";
                case UNKNOWN:
                    // JShell calls UNKNOWN "complete"; it is code that cannot parse (IJava reports it as complete)
                    return "invalid";
                default:
                    remaining = info.remaining();
            }
        }
        return "complete";
    }

    /** Whether the calling thread is the one running a cell's code (not a thread the cell started). */
    public static boolean onCellThread() {
        return Thread.currentThread() == Trampoline.cellThread;
    }

    /** Makes classes in {@code path} (a jar or a folder) visible to later cells. */
    public void addToClasspath(String path) {
        shell.addToClasspath(path);
    }

    @Override
    public void close() {
        shell.close();
    }

    private static EvalError interrupted() {
        return new EvalError("Interrupted", "the cell was interrupted", List.of("Interrupted: the cell was stopped"));
    }

    private EvalError compileError(Snippet snippet, String source, int line) {
        List<String> lines = new ArrayList<>();
        String first = null;
        boolean limit = false;
        for (Diag d : (Iterable<Diag>) shell.diagnostics(snippet)::iterator) {
            if (!d.isError()) {
                continue;
            }
            String message = d.getMessage(Locale.ROOT);
            if (d.getCode() != null && d.getCode().startsWith("compiler.err.limit.")) {
                limit = true;
            }
            if (first == null) {
                first = message;
            }
            int at = (int) d.getStartPosition();
            lines.add(at >= 0 && at <= source.length() ? "line " + (line + newlines(source, 0, at)) + ": " + message : message);
            lines.addAll(excerpt(source, at, (int) d.getEndPosition()));
        }
        if (first == null) {
            first = snippet.kind() == Snippet.Kind.ERRONEOUS ? "the code cannot be parsed" : "the code was rejected";
            lines.add(first);
        }
        if (limit) {
            resetCompiler();
            lines.add("A class file caps a string constant at 65,535 bytes and a method at 64 KiB of bytecode: read long text "
                    + "from a file (Files.readString) or build it at run time, and split long methods.");
        }
        return new EvalError("CompilationException", first, lines);
    }

    /**
     * Gives JShell fresh javac contexts. A class-file limit error leaves the failed constant in javac's
     * reused constant pool (JDK 17 to 25: {@code PoolWriter} is not reset when {@code writePool} throws), so
     * every later snippet would fail with the same error; {@link JShell#addToClasspath} is the public call
     * that makes JShell drop its pooled contexts. The folder added is empty.
     */
    private void resetCompiler() {
        try {
            if (emptyFolder == null) {
                emptyFolder = java.nio.file.Files.createTempDirectory("medvlm-jshell-");
                emptyFolder.toFile().deleteOnExit();
            }
            shell.addToClasspath(emptyFolder.toString());
        } catch (java.io.IOException | RuntimeException e) {
            // without it later cells may fail with the same message; the kernel still answers them
        }
    }

    /** The source line that holds the error, with carets under the offending part. */
    private static List<String> excerpt(String source, int start, int end) {
        if (start < 0 || start > source.length()) {
            return List.of();
        }
        int lineStart = source.lastIndexOf('\n', Math.max(0, start - 1)) + 1;
        if (start == 0) {
            lineStart = 0;
        }
        int lineEnd = source.indexOf('\n', start);
        if (lineEnd < 0) {
            lineEnd = source.length();
        }
        String line = source.substring(lineStart, lineEnd);
        int caretEnd = Math.max(start + 1, Math.min(end, lineEnd));
        return List.of("    " + line, "    " + " ".repeat(start - lineStart) + "^".repeat(caretEnd - start));
    }

    private EvalError fromException(JShellException ex) {
        if (ex instanceof UnresolvedReferenceException u) {
            String msg = "attempted to use " + u.getSnippet().source().strip() + ", which cannot be used until it compiles";
            return new EvalError("UnresolvedReferenceException", msg, List.of(msg));
        }
        EvalException e = (EvalException) ex;
        String name = clean(e.getExceptionClassName());
        String message = e.getMessage() == null ? null : clean(e.getMessage());
        List<String> lines = new ArrayList<>();
        lines.add(name + (message == null ? "" : ": " + message));
        lines.addAll(userFrames(e));
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            String causeName = clean(cause instanceof EvalException c ? c.getExceptionClassName() : cause.getClass().getName());
            lines.add("Caused by: " + causeName + (cause.getMessage() == null ? "" : ": " + clean(cause.getMessage())));
            lines.addAll(userFrames(cause));
        }
        return new EvalError(name, message == null ? "" : message, lines);
    }

    /** Text without JShell's wrapper class names: {@code "REPL.$JShell$22.s" is null} becomes {@code "s" is null}. */
    static String clean(String text) {
        return WRAPPER.matcher(text).replaceAll("");
    }

    /**
     * The frames a notebook user wrote or called: everything up to the last frame of a cell snippet
     * (JShell names their file {@code #<snippet id>}); the trampoline, reflection and the JDK engine
     * below it are the kernel's.
     */
    List<String> userFrames(Throwable t) {
        StackTraceElement[] frames = t.getStackTrace();
        int last = -1;
        for (int i = 0; i < frames.length; i++) {
            if (isSnippet(frames[i])) {
                last = i;
            }
        }
        int end = last >= 0 ? last + 1 : Math.min(frames.length, 8);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < end; i++) {
            StackTraceElement f = frames[i];
            if (f.getClassName().startsWith("org.medvlm.kernel.jshell.") || f.getClassName().startsWith("jdk.internal.reflect.")) {
                break;
            }
            lines.add("\tat " + describe(f));
        }
        return lines;
    }

    /**
     * A frame in the notebook's words: a cell's statement is "line 3" (of this cell) or "cell [4], line 3"; a method
     * declared at a cell's top level is named with the line it is declared on (JShell numbers every line inside such a
     * method 1, measured on Java 17 and 25); a method of a class declared in a cell gets its own line.
     */
    private String describe(StackTraceElement f) {
        if (!isSnippet(f)) {
            return f.toString();
        }
        String id = f.getFileName() != null && f.getFileName().startsWith("#") ? f.getFileName().substring(1) : null;
        Location at = id == null ? null : locations.get(id);
        String className = clean(f.getClassName());
        boolean statement = f.getMethodName().isEmpty() || f.getMethodName().startsWith("do_it$");
        boolean topLevelMethod = !statement && (className.isEmpty() || className.startsWith("REPL."));
        String method = statement ? "" : (className.isEmpty() || topLevelMethod ? "" : className + ".") + f.getMethodName();
        if (at == null) {
            return (method.isEmpty() ? "" : method + ", ") + "snippet " + f.getFileName() + ", line " + f.getLineNumber();
        }
        String where = at.cell() == 0 || at.cell() == cell ? "" : "cell [" + at.cell() + "], ";
        if (topLevelMethod) {
            return method + " (declared at " + where + "line " + at.line() + ")";
        }
        String place = where + "line " + (at.line() + Math.max(0, f.getLineNumber() - 1));
        return method.isEmpty() ? place : method + " (" + place + ")";
    }

    private static boolean isSnippet(StackTraceElement f) {
        return f.getClassName().startsWith("REPL.") || (f.getFileName() != null && f.getFileName().startsWith("#"));
    }

}
