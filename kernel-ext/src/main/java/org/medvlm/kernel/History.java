package org.medvlm.kernel;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The cells run in this kernel session, for history requests (tail, range and search). */
final class History {
    /** The one session this kernel process knows; Jupyter numbers sessions from 1. */
    static final int SESSION = 1;

    record Entry(int line, String input, String output) {}

    private final List<Entry> entries = new ArrayList<>();

    synchronized void add(int line, String input, String output) {
        entries.add(new Entry(line, input, output == null ? "" : output));
    }

    synchronized List<Entry> tail(int n) {
        return List.copyOf(entries.subList(Math.max(0, entries.size() - Math.max(n, 0)), entries.size()));
    }

    /** Lines {@code start} (inclusive) to {@code stop} (exclusive); {@code stop <= 0} means "to the end". */
    synchronized List<Entry> range(int start, int stop) {
        return entries.stream().filter(e -> e.line() >= start && (stop <= 0 || e.line() < stop)).toList();
    }

    /** Inputs matching a glob ({@code *} and {@code ?}), the last {@code n}, optionally without repeats. */
    synchronized List<Entry> search(String glob, int n, boolean unique) {
        Pattern p = Pattern.compile(globToRegex(glob), Pattern.DOTALL);
        List<Entry> matches = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (p.matcher(e.input()).matches() && (!unique || seen.add(e.input()))) {
                matches.add(0, e);
                if (n > 0 && matches.size() == n) {
                    break;
                }
            }
        }
        return matches;
    }

    static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
