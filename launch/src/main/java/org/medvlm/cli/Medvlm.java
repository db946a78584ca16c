package org.medvlm.cli;

import java.io.FileNotFoundException;
import java.lang.reflect.Constructor;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code medvlm}: the toolkit's one command grammar. The terminal runs it through {@link #main}; the
 * notebook kernel builds the same {@link CommandLine} with its own {@link Display}, so every magic is a
 * command here with the same options, help and errors.
 */
@Command(name = "medvlm",
        mixinStandardHelpOptions = true,
        versionProvider = Medvlm.Version.class,
        description = "Medical vision-language models in notebooks: ZeRO memory plans, MedVQA data, DICOM, the VLM.",
        subcommands = {
            ZeroCommand.class,
            CheckCommand.class,
            DatasetsCommand.class,
            DicomCommand.class,
            EvaluateCommand.class,
            VlmCommand.class,
            TrainCommand.class,
            ConvertCommand.class,
            InstallKernelCommand.class,
            NotebookCommand.class, RunCommand.class,
            CommandLine.HelpCommand.class,
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:bad input: a file or value that cannot be used (the message names it), or out of memory",
            "2:usage: an unknown option, a missing argument, a malformed or out-of-range value, an option that "
                    + "needs another one",
            "3:the plan does not fit the named GPU (zero --require-fit)",
            "4:a check against a reference failed (check)",
            "70:internal error (a bug: please report it with MEDVLM_DEBUG=1 output)",
        })
public final class Medvlm implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_INPUT = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_DOES_NOT_FIT = 3;
    public static final int EXIT_CHECK_FAILED = 4;
    public static final int EXIT_SOFTWARE = 70;

    @Spec CommandSpec spec;

    private final Display display;

    public Medvlm(Display display) {
        this.display = display;
    }

    /** A bare {@code medvlm} prints its usage. */
    @Override
    public Integer call() {
        spec.commandLine().usage(display.out());
        return EXIT_OK;
    }

    public static void main(String[] args) {
        // nothing is downloaded at run time: weights, tokenizers and engine natives come from local files and Maven
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        TerminalDisplay display = TerminalDisplay.system();
        int code = commandLine(display).execute(args);
        display.session().close();
        System.exit(code);
    }

    /**
     * The whole command tree, writing to {@code display}. Subcommands get the display through their
     * constructor; errors become one line on {@code display.err()} and a documented exit code.
     */
    public static CommandLine commandLine(Display display) {
        CommandLine cl = new CommandLine(new Medvlm(display), new Factory(display));
        cl.setOut(display.out());
        cl.setErr(display.err());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine failed = ex.getCommandLine();
            // a mistyped option or subcommand gets picocli's nearest names, in the same line (terminal and notebook)
            String suggestion = "";
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                List<String> near = u.getSuggestions();
                suggestion = "; did you mean " + String.join(" or ", near.subList(0, Math.min(3, near.size()))) + "?";
            }
            display.err().println(bounded(qualifiedName(failed) + ": " + clipWords(oneLine(ex.getMessage())) + suggestion
                    + " (see '" + qualifiedName(failed) + " --help')"));
            display.err().flush();
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, failed, parseResult) -> {
            Throwable problem = ex instanceof CommandLine.ExecutionException && ex.getCause() instanceof Error e ? e : ex;
            display.err().println(bounded(qualifiedName(failed) + ": " + describe(problem)));
            if (System.getenv("MEDVLM_DEBUG") != null) {
                problem.printStackTrace(display.err());
            }
            display.err().flush();
            return exitCode(problem);
        });
        // picocli hands only Exceptions to the handler above; a JVM Error (out of memory, a stack overflow)
        // would escape execute() as a stack trace, so it is wrapped on the way out
        cl.setExecutionStrategy(parseResult -> {
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } catch (Error e) {
                List<CommandLine> parsed = parseResult.asCommandLineList();
                throw new CommandLine.ExecutionException(parsed.get(parsed.size() - 1), String.valueOf(e), e);
            }
        });
        return cl;
    }

    static String qualifiedName(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName(" ");
    }

    /**
     * The exit code of a failure: bad input (a {@link UserError}, an argument or file a library refused,
     * an I/O error, running out of memory) is {@link #EXIT_INPUT}; anything else, an
     * {@link IllegalStateException} included, is a bug ({@link #EXIT_SOFTWARE}) unless a command turned
     * it into a {@link UserError}.
     */
    static int exitCode(Throwable ex) {
        if (ex instanceof UserError || ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                || ex instanceof org.medvlm.launch.Launches.RunFailed
                || ex instanceof java.io.UncheckedIOException || ex instanceof UnsupportedOperationException
                || ex instanceof OutOfMemoryError) {
            return EXIT_INPUT;
        }
        return EXIT_SOFTWARE;
    }

    /** One line that names the problem; file-system exceptions say which file. */
    public static String describe(Throwable ex) {
        Throwable t = ex;
        while (t instanceof java.io.UncheckedIOException && t.getCause() != null) {
            t = t.getCause();
        }
        String message;
        if (t instanceof NoSuchFileException e) {
            message = e.getFile() + ": no such file or folder";
        } else if (t instanceof AccessDeniedException e) {
            message = e.getFile() + ": permission denied";
        } else if (t instanceof FileSystemException e && e.getFile() != null) {
            message = e.getFile() + ": " + (e.getReason() != null ? e.getReason() : fileProblem(e));
        } else if (t instanceof FileNotFoundException e) {
            message = e.getMessage();
        } else if (t instanceof OutOfMemoryError) {
            message = "out of memory (raise it with MEDVLM_JAVA_OPTS=-Xmx...)";
        } else if (t instanceof StackOverflowError) {
            message = "stack overflow (a bug: please report it with MEDVLM_DEBUG=1 output)";
        } else if (t.getMessage() == null || t.getMessage().isBlank()) {
            message = t.getClass().getSimpleName();
        } else if (t instanceof UserError || t instanceof IllegalArgumentException || t instanceof java.io.IOException
                || t instanceof org.medvlm.launch.Launches.RunFailed) {
            message = t.getMessage();
        } else {
            message = t.getClass().getSimpleName() + ": " + t.getMessage();
        }
        return bounded(oneLine(message));
    }

    /** What a file-system exception without a reason means, in words. */
    private static String fileProblem(FileSystemException e) {
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof java.nio.file.DirectoryNotEmptyException) {
            return "is a folder that is not empty";
        }
        if (e instanceof java.nio.file.NotDirectoryException) {
            return "not a folder";
        }
        if (e instanceof java.nio.file.FileSystemLoopException) {
            return "a loop of symbolic links";
        }
        if (e instanceof java.nio.file.NotLinkException) {
            return "not a symbolic link";
        }
        return e.getClass().getSimpleName();
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", "; ").strip();
    }

    /** The longest error line: enough for two long paths; a hostile value cannot make it megabytes. */
    static final int MAX_ERROR_CHARS = 1000;

    /**
     * picocli's own messages echo arguments in full ({@code Unknown option: '...'}); each word longer than
     * 100 characters is cut to 80, as the converters cut the values they echo.
     */
    static String clipWords(String message) {
        return java.util.regex.Pattern.compile("\\S{101,}").matcher(message)
                .replaceAll(m -> java.util.regex.Matcher.quoteReplacement(m.group().substring(0, 77) + "..."));
    }

    static String bounded(String line) {
        return line.length() <= MAX_ERROR_CHARS ? line : line.substring(0, MAX_ERROR_CHARS - 3) + "...";
    }

    /** Builds subcommands with the display when they take one, with no arguments otherwise. */
    static final class Factory implements CommandLine.IFactory {
        private final Display display;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        Factory(Display display) {
            this.display = display;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                Constructor<K> c = cls.getDeclaredConstructor(Display.class);
                c.setAccessible(true);
                return c.newInstance(display);
            } catch (NoSuchMethodException e) {
                return fallback.create(cls);
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Medvlm.class.getPackage().getImplementationVersion();
            return new String[] {"medvlm " + (v == null ? "dev" : v)};
        }
    }
}
