package org.medvlm.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The few Python string operations the reference evaluators are written in, with Python's semantics:
 * {@code str.split()} splits on Unicode whitespace (no-break space included, which Java's
 * {@link Character#isWhitespace} leaves out), {@code str.lower()} is locale-free.
 */
final class PyText {
    private PyText() {}

    /** Python's {@code str.isspace()} for one char: bidi types WS, B, S, or category Zs. */
    static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** Python's {@code s.split()}: runs of whitespace separate, empty tokens never appear. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); i++) {
            if (isSpace(s.charAt(i))) {
                if (start >= 0) {
                    out.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** Python's {@code s.strip()}. */
    static String strip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isSpace(s.charAt(a))) {
            a++;
        }
        while (b > a && isSpace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
