package org.medvlm.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import org.medvlm.io.AtomicFiles;
import picocli.CommandLine.Option;

/**
 * The output options commands share, as a picocli mixin: {@code --json} everywhere a command has a
 * result, and {@code --png FILE} where it also has a picture ({@link WithPng}). Output files are checked
 * before the command computes anything ({@link #checkTargets}), so a bad {@code --png} never leaves
 * another output written.
 *
 * <p>Use: {@code @Mixin OutputOptions output;} or {@code @Mixin OutputOptions.WithPng output;}.
 */
public class OutputOptions {
    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    /** Whether {@code --json} was given. */
    public boolean json() {
        return json;
    }

    /** The picture to write, if any. */
    public Path png() {
        return null;
    }

    /**
     * Refuses output paths that cannot be written as regular files (a folder, a device, a pipe, a symbolic
     * link), naming the option and the file; see {@link AtomicFiles}.
     */
    public void checkTargets() {
        if (png() != null) {
            check("--png", png());
        }
    }

    /** Refuses one output path, naming its option (null for a positional FILE, which the path names). */
    static void check(String option, Path file) {
        Objects.requireNonNull(file);
        try {
            AtomicFiles.checkTarget(file);
        } catch (IOException e) {
            throw new UserError((option == null ? "" : option + " ") + Medvlm.describe(e));
        }
    }

    /** {@code --json} and {@code --png FILE}. */
    public static class WithPng extends OutputOptions {
        @Option(names = "--png", paramLabel = "FILE", description = "Also write the chart or image as a PNG (a regular file; replaced atomically).")
        Path png;

        @Override
        public Path png() {
            return png;
        }
    }
}
