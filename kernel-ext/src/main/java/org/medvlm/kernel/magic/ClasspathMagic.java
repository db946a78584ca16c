package org.medvlm.kernel.magic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * IJava's {@code %classpath} / {@code %jars}: each argument is a jar, a class folder, or a glob in its
 * last segment ({@code lib/*.jar}); what matches is added to the classpath of later cells.
 */
public final class ClasspathMagic {
    private ClasspathMagic() {}

    /** Adds every match to {@code sink}; returns what was added. Throws when an argument matches nothing. */
    public static List<String> add(String args, Consumer<String> sink) {
        List<String> added = new ArrayList<>();
        for (String arg : ShellWords.split(args)) {
            for (String entry : arg.split(java.io.File.pathSeparator)) {
                if (entry.isBlank()) {
                    continue;
                }
                List<Path> matches = expand(entry);
                if (matches.isEmpty()) {
                    throw new MagicError(entry + ": no such file or folder", List.of(entry + ": no such file or folder"));
                }
                for (Path p : matches) {
                    String abs = p.toAbsolutePath().normalize().toString();
                    sink.accept(abs);
                    added.add(abs);
                }
            }
        }
        if (added.isEmpty()) {
            throw new MagicError("%classpath needs a jar, a folder or a glob", List.of("usage: %classpath PATH... (a jar, a class folder, or dir/*.jar)"));
        }
        return added;
    }

    static List<Path> expand(String entry) {
        Path p = Path.of(entry);
        String last = p.getFileName() == null ? "" : p.getFileName().toString();
        if (!last.contains("*") && !last.contains("?")) {
            return Files.exists(p) ? List.of(p) : List.of();
        }
        Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, last)) {
            s.forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }
}
