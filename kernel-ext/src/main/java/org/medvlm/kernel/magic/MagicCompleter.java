package org.medvlm.kernel.magic;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.medvlm.zero.ModelPresets;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Tab completion after a magic's name, from the command's picocli model: subcommands ({@code %medvqa lo} →
 * {@code load}), options ({@code %train --st} → {@code --steps}), the values of an enum option
 * ({@code --window b} → {@code bone}, {@code brain}), and paths where the command takes a file or folder
 * ({@code %dicom show data/ct} → the files there), including the value of an option that takes one
 * ({@code --png out/}). {@code %zero --model} also offers the planner's model names.
 */
public final class MagicCompleter {
    /** A magic line up to the cursor: {@code %name} then its arguments. */
    private static final Pattern MAGIC_LINE = Pattern.compile("^\\s*%%?([\\w.-]+)[ \\t]+(.*)$");
    /** Most paths offered at once: a folder of thousands of images is not listed whole. */
    static final int MAX_PATHS = 200;

    private MagicCompleter() {}

    /** Replacement texts for the text between {@code start} and {@code end} of the cell. */
    public record Completion(List<String> matches, int start, int end) {}

    /**
     * Completions for the line that ends at {@code cursor}, or null when it is not a command magic's argument list.
     *
     * @param line the cell's line up to the cursor
     * @param root the {@code medvlm} command tree
     * @param cwd where relative paths start (the kernel's working folder)
     */
    public static Completion complete(String line, int cursor, CommandLine root, Path cwd) {
        Matcher m = MAGIC_LINE.matcher(line);
        if (!m.matches()) {
            return null;
        }
        CommandLine command = root.getSubcommands().get(m.group(1));
        if (command == null) {
            return null;
        }
        String args = m.group(2);
        int wordStart = Math.max(args.lastIndexOf(' '), args.lastIndexOf('\t')) + 1;
        String word = args.substring(wordStart);
        List<String> before = ShellWords.split(args.substring(0, wordStart));
        // the deepest subcommand the finished words name; positional arguments counted after it
        int positionals = 0;
        String previous = null;
        for (String w : before) {
            CommandLine sub = command.getSubcommands().get(w);
            if (sub != null && positionals == 0) {
                command = sub;
                previous = null;
                continue;
            }
            OptionSpec takesValue = previous == null ? null : valueOption(command.getCommandSpec(), previous);
            if (takesValue == null && !w.startsWith("-")) {
                positionals++;
            }
            previous = w;
        }
        CommandSpec spec = command.getCommandSpec();
        List<String> matches;
        int start = cursor - word.length();
        OptionSpec option = previous == null ? null : valueOption(spec, previous);
        int eq = word.indexOf('=');
        if (word.startsWith("-") && eq > 0 && valueOption(spec, word.substring(0, eq)) != null) {
            // --png=ou: complete the value after '='
            option = valueOption(spec, word.substring(0, eq));
            start += eq + 1;
            word = word.substring(eq + 1);
            matches = values(option, word, spec, cwd);
        } else if (option != null) {
            matches = values(option, word, spec, cwd);
        } else if (word.startsWith("-")) {
            matches = new ArrayList<>();
            for (OptionSpec o : spec.options()) {
                for (String n : o.names()) {
                    if (n.startsWith("--") && n.startsWith(word)) {
                        matches.add(n);
                    }
                }
            }
        } else {
            matches = new ArrayList<>();
            if (positionals == 0) {
                for (String sub : command.getSubcommands().keySet()) {
                    if (sub.startsWith(word) && !sub.equals("help")) {
                        matches.add(sub);
                    }
                }
            }
            PositionalParamSpec p = positional(spec, positionals);
            if (p != null) {
                matches.addAll(values(p, word, spec, cwd));
            }
        }
        return matches.isEmpty() ? null : new Completion(List.copyOf(new java.util.LinkedHashSet<>(matches)), start, cursor);
    }

    /** The option called {@code name} if it takes a value ({@code --steps N}), else null. */
    private static OptionSpec valueOption(CommandSpec spec, String name) {
        OptionSpec o = spec.findOption(name);
        return o != null && o.arity().max() > 0 && !o.usageHelp() && !o.versionHelp() ? o : null;
    }

    private static PositionalParamSpec positional(CommandSpec spec, int index) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.index().contains(index)) {
                return p;
            }
        }
        return null;
    }

    /** The values an argument can take: its candidates (an enum's constants), or paths for a file or folder. */
    private static List<String> values(ArgSpec arg, String word, CommandSpec spec, Path cwd) {
        List<String> out = new ArrayList<>();
        Iterable<String> candidates = arg.completionCandidates();
        if (candidates != null) {
            for (String c : candidates) {
                String lower = c.toLowerCase(Locale.ROOT);
                if (lower.startsWith(word.toLowerCase(Locale.ROOT))) {
                    out.add(lower); // the commands take enum values in any case; lower case reads as the help does
                }
            }
        }
        if (arg instanceof OptionSpec o && o.longestName().equals("--model") && spec.qualifiedName(" ").endsWith(" zero")) {
            List<String> names = new ArrayList<>(List.of(org.medvlm.launch.InitModel.Preset.names().split(", ")));
            names.addAll(ModelPresets.names());
            for (String name : names) {
                if (name.startsWith(word)) {
                    out.add(name);
                }
            }
        }
        Class<?> type = arg.typeInfo().getType();
        if (type == Path.class || type == java.io.File.class) {
            out.addAll(paths(word, cwd));
        }
        return out;
    }

    /** Files and folders (with a trailing /) whose path starts with {@code word}, relative to {@code cwd}. */
    static List<String> paths(String word, Path cwd) {
        int slash = word.lastIndexOf('/');
        String dirPart = slash >= 0 ? word.substring(0, slash + 1) : "";
        String prefix = word.substring(slash + 1);
        Path dir = dirPart.isEmpty() ? cwd : cwd.resolve(dirPart);
        TreeSet<String> names = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                String name = e.getFileName().toString();
                if (!name.startsWith(prefix) || (name.startsWith(".") && !prefix.startsWith("."))) {
                    continue;
                }
                names.add(dirPart + name + (Files.isDirectory(e) ? "/" : ""));
                if (names.size() > MAX_PATHS) {
                    names.pollLast();
                }
            }
        } catch (IOException | SecurityException e) {
            return List.of(); // an unreadable folder completes to nothing
        }
        return List.copyOf(names);
    }
}
