package org.medvlm.launch;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * POSIX shell quoting, for the only places a command becomes text: the printed (dry-run) commands, the sbatch
 * script, and the command string ssh hands to a remote shell. Every value is single-quoted (a single quote inside
 * becomes '\''), so spaces, quotes, $(...) and backticks stay inert.
 */
public final class Quoting {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,@%+-]+");

    private Quoting() {}

    /** One word for a POSIX shell; words of only safe characters are left as they are, for readability. */
    public static String quote(String word) {
        if (!word.isEmpty() && PLAIN.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** Always single-quoted (values written into the sbatch script). */
    public static String strict(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    public static String join(List<String> argv) {
        return argv.stream().map(Quoting::quote).collect(Collectors.joining(" "));
    }
}
