package org.medvlm.zero;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Byte and count units. The ZeRO paper's "GB" is 10^9 bytes; DeepSpeed divides by 2^30 and still
 * prints "GB", so its unit is GiB. Text written here says which one it means.
 */
public final class Units {
    public static final long GB = 1_000_000_000L;
    public static final long GIB = 1L << 30;

    private Units() {}

    /** Bytes in the paper's GB (10^9). */
    public static double gb(long bytes) {
        return bytes / (double) GB;
    }

    /** Bytes in GiB (2^30), DeepSpeed's "GB". */
    public static double gib(long bytes) {
        return bytes / (double) GIB;
    }

    /** "31.41 GB (29.25 GiB)": both units, because they differ by 7%. */
    public static String both(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB (%.2f GiB)", gb(bytes), gib(bytes));
    }

    /** Longer than this, a number is a mistake or an attack; it is refused before it is parsed. */
    static final int MAX_NUMBER_CHARS = 100;

    /**
     * A count such as {@code 7.5B}, {@code 560M}, {@code 1T} or {@code 559214592}: decimal suffixes
     * K = 10^3, M = 10^6, B = 10^9, T = 10^12. The result must be a positive whole number.
     *
     * @param what names the value in the error message, e.g. {@code --params}
     */
    public static long parseCount(String text, String what) {
        String s = text == null ? "" : text.strip().replace("_", "").replace(",", "");
        if (s.length() > MAX_NUMBER_CHARS) {
            throw new IllegalArgumentException(what + ": " + quote(text) + " is not a count (" + s.length() + " characters)");
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException(what + ": empty value; give a number such as 7.5B or 559214592");
        }
        char last = Character.toUpperCase(s.charAt(s.length() - 1));
        long scale = switch (last) {
            case 'K' -> 1_000L;
            case 'M' -> 1_000_000L;
            case 'B', 'G' -> 1_000_000_000L;
            case 'T' -> 1_000_000_000_000L;
            default -> 1L;
        };
        String digits = scale == 1 ? s : s.substring(0, s.length() - 1);
        BigDecimal value;
        // one way to match each string: no backtracking blow-up on a long run of digits
        if (!digits.matches("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
            throw new IllegalArgumentException(what + ": " + quote(text) + " is not a count (use digits with an optional K, M, B or T suffix, e.g. 7.5B)");
        }
        value = decimal(digits, what, text).multiply(BigDecimal.valueOf(scale));
        if (value.signum() <= 0) {
            throw new IllegalArgumentException(what + ": " + quote(text) + " must be positive");
        }
        BigDecimal whole = value.stripTrailingZeros();
        if (whole.scale() > 0) {
            throw new IllegalArgumentException(what + ": " + quote(text) + " is not a whole number");
        }
        try {
            return whole.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(what + ": " + quote(text) + " is too large");
        }
    }

    /**
     * A memory size such as {@code 24GB} (10^9), {@code 24GiB} (2^30), {@code 512MiB}, or plain bytes.
     */
    public static long parseBytes(String text, String what) {
        String s = text.strip();
        if (s.length() > MAX_NUMBER_CHARS) {
            throw new IllegalArgumentException(what + ": " + quote(text) + " is not a memory size (" + s.length() + " characters)");
        }
        String upper = s.toUpperCase(Locale.ROOT);
        String[][] units = {{"TIB", "1099511627776"}, {"GIB", "1073741824"}, {"MIB", "1048576"}, {"KIB", "1024"},
            {"TB", "1000000000000"}, {"GB", "1000000000"}, {"MB", "1000000"}, {"KB", "1000"}, {"B", "1"}};
        BigDecimal scale = BigDecimal.ONE;
        String number = s;
        for (String[] u : units) {
            if (upper.endsWith(u[0])) {
                scale = new BigDecimal(u[1]);
                number = s.substring(0, s.length() - u[0].length()).strip();
                break;
            }
        }
        try {
            BigDecimal bytes = decimal(number, what, text).multiply(scale).setScale(0, RoundingMode.HALF_UP);
            if (bytes.signum() <= 0) {
                throw new IllegalArgumentException(what + ": " + quote(text) + " must be positive");
            }
            return bytes.longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(what + ": " + quote(text) + " is not a memory size (e.g. 40GB, 24GiB)");
        }
    }

    /**
     * A decimal number whose magnitude is checked before any arithmetic: {@code 1e999999999} would make
     * BigDecimal compute a billion-digit power of ten, and {@code 1e-999999999} print a billion zeros.
     */
    private static BigDecimal decimal(String digits, String what, String text) {
        BigDecimal value;
        try {
            value = new BigDecimal(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": " + quote(text) + " is not a number");
        }
        if (value.signum() == 0) {
            return BigDecimal.ZERO;
        }
        long integerDigits = (long) value.precision() - value.scale();
        if (integerDigits > 30) {
            throw new IllegalArgumentException(what + ": " + quote(text) + " is too large");
        }
        if (integerDigits < -30) {
            throw new IllegalArgumentException(what + ": " + quote(text) + " is too small");
        }
        return value;
    }

    /**
     * A value as error messages echo it: quoted, on one line and at most 80 characters, so that a
     * hostile argument cannot turn a one-line error into megabytes.
     */
    public static String quote(String value) {
        if (value == null) {
            return "''";
        }
        String v = value.replaceAll("[\\r\\n\\t]+", " ");
        return "'" + (v.length() > 80 ? v.substring(0, 77) + "..." : v) + "'";
    }

    /** a·b/c rounded to the nearest byte, exactly (no floating point), for a, b, c ≥ 0. */
    public static long mulDivRound(long a, long b, long c) {
        return BigDecimal.valueOf(a).multiply(BigDecimal.valueOf(b))
                .divide(BigDecimal.valueOf(c), 0, RoundingMode.HALF_UP).longValueExact();
    }
}
