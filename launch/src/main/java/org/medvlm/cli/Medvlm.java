package org.medvlm.cli;

import java.io.FileNotFoundException;
import java.lang.reflect.Constructor;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
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
            CommandLine.HelpCommand.class,
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:bad input: a file or value that cannot be used (the message names it)",
            "2:usage: an unknown option, a missing argument, a malformed value",
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
        int code = commandLine(TerminalDisplay.system()).execute(args);
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
            display.err().println(qualifiedName(failed) + ": " + oneLine(ex.getMessage())
                    + " (see '" + qualifiedName(failed) + " --help')");
            display.err().flush();
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, failed, parseResult) -> {
            display.err().println(qualifiedName(failed) + ": " + describe(ex));
            if (System.getenv("MEDVLM_DEBUG") != null) {
                ex.printStackTrace(display.err());
            }
            display.err().flush();
            return exitCode(ex);
        });
        return cl;
    }

    static String qualifiedName(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName(" ");
    }

    static int exitCode(Throwable ex) {
        if (ex instanceof UserError || ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                || ex instanceof java.io.UncheckedIOException || ex instanceof IllegalStateException
                || ex instanceof UnsupportedOperationException) {
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
        } else if (t instanceof FileSystemException e && e.getReason() != null) {
            message = e.getFile() + ": " + e.getReason();
        } else if (t instanceof FileNotFoundException e) {
            message = e.getMessage();
        } else if (t instanceof OutOfMemoryError) {
            message = "out of memory (raise it with MEDVLM_JAVA_OPTS=-Xmx...)";
        } else if (t.getMessage() == null || t.getMessage().isBlank()) {
            message = t.getClass().getSimpleName();
        } else if (t instanceof UserError || t instanceof IllegalArgumentException || t instanceof java.io.IOException
                || t instanceof IllegalStateException) {
            message = t.getMessage();
        } else {
            message = t.getClass().getSimpleName() + ": " + t.getMessage();
        }
        return oneLine(message);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", "; ").strip();
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
