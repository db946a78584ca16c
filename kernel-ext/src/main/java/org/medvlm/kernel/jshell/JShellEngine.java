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

    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private java.nio.file.Path emptyFolder;

    public JShellEngine(List<String> compilerOptions) {
        this.shell = JShell.builder()
                .executionEngine(TrampolineExecutionControl.provider(stopRequested), java.util.Map.of())
                .compilerOptions(compilerOptions.toArray(String[]::new))
                .build();
        this.analysis = shell.sourceCodeAnalysis();
    }

    public JShellEngine() {
        this(List.of());
    }

    /**
     * Runs a piece of Java (any number of statements, declarations and expressions) and returns the
     * value of the last one if it is an expression or a bare variable.
     */
    public CellResult eval(String code) throws EvalError {
        CellResult last = CellResult.NONE;
        String remaining = code;
        while (!remaining.isBlank()) {
            CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == Completeness.EMPTY) {
                break;
            }
            String source = info.completeness().isComplete() ? info.source() : remaining;
            remaining = info.completeness().isComplete() ? info.remaining() : "";
            last = evalSnippet(source);
            if (stopRequested.get()) {
                throw interrupted();
            }
        }
        return last;
    }

    private CellResult evalSnippet(String source) throws EvalError {
        List<SnippetEvent> events = shell.eval(source);
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
                throw compileError(s, source);
            }
            if (broken(e)) {
                // JShell keeps such a snippet as "recoverable" and compiles it again with every later one, so
                // every later cell would fail silently: drop it and say why
                EvalError error = compileError(s, source);
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

    private EvalError compileError(Snippet snippet, String source) {
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
            lines.add(message);
            lines.addAll(excerpt(source, (int) d.getStartPosition(), (int) d.getEndPosition()));
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

    private static EvalError fromException(JShellException ex) {
        if (ex instanceof UnresolvedReferenceException u) {
            String msg = "attempted to use " + u.getSnippet().source().strip() + ", which cannot be used until it compiles";
            return new EvalError("UnresolvedReferenceException", msg, List.of(msg));
        }
        EvalException e = (EvalException) ex;
        String name = e.getExceptionClassName();
        List<String> lines = new ArrayList<>();
        lines.add(name + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        lines.addAll(userFrames(e));
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            String causeName = cause instanceof EvalException c ? c.getExceptionClassName() : cause.getClass().getName();
            lines.add("Caused by: " + causeName + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
            lines.addAll(userFrames(cause));
        }
        return new EvalError(name, e.getMessage() == null ? "" : e.getMessage(), lines);
    }

    /**
     * The frames a notebook user wrote or called: everything up to the last frame of a cell snippet
     * (JShell names their file {@code #<snippet id>}); the trampoline, reflection and the JDK engine
     * below it are the kernel's.
     */
    static List<String> userFrames(Throwable t) {
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

    private static boolean isSnippet(StackTraceElement f) {
        return f.getClassName().startsWith("REPL.") || (f.getFileName() != null && f.getFileName().startsWith("#"));
    }

    private static String describe(StackTraceElement f) {
        if (isSnippet(f)) {
            String method = f.getMethodName().isEmpty() || f.getMethodName().startsWith("do_it$") ? "" : f.getMethodName() + ", ";
            return method + "snippet " + f.getFileName() + ", line " + f.getLineNumber();
        }
        return f.toString();
    }
}
