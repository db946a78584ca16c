package org.medvlm.kernel.render;

import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How values read as text in the notebook: numbers with 4 significant digits (a score is 0.3333, not
 * 0.3333333333333333; whole numbers keep every digit), and images as {@code [image 96x96]} instead of their base64
 * (a front end that shows the text/plain form, a console or a log, gets a line, not 20 KB per thumbnail).
 */
public final class TextForms {
    /** A data URI of an image, up to the end of its base64. */
    private static final Pattern DATA_URI = Pattern.compile("data:image/([a-z+.-]+);base64,([A-Za-z0-9+/=]+)");
    private static final MathContext FOUR = new MathContext(4);

    private TextForms() {}

    /** A number as a table or a line shows it: integral values whole, others to 4 significant digits. */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        if (Math.abs(v) >= 1000 && Math.abs(v) < 1e15) {
            return Long.toString(Math.round(v)); // 4 significant digits would hide the units
        }
        if (Math.abs(v) >= 1e15 || Math.abs(v) < 1e-6) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        return new BigDecimal(v).round(FOUR).stripTrailingZeros().toPlainString();
    }

    /** A cell value as text: numbers by {@link #number}, images as {@code [image WxH]}. */
    public static String value(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double || v instanceof Float) {
            return number(((Number) v).doubleValue());
        }
        if (v instanceof BufferedImage image) {
            return "[image " + image.getWidth() + "x" + image.getHeight() + "]";
        }
        return withoutDataUris(v.toString());
    }

    /** The text with every image data URI in it replaced by {@code [image WxH]} (or {@code [image]}). */
    public static String withoutDataUris(String text) {
        if (!text.contains("data:image/")) {
            return text;
        }
        Matcher m = DATA_URI.matcher(text);
        return m.replaceAll(r -> Matcher.quoteReplacement(imageLabel(r.group(1), r.group(2))));
    }

    /** {@code [image WxH]} for a PNG (its header says the size), {@code [image]} otherwise. */
    static String imageLabel(String subtype, String base64) {
        if (subtype.equals("png") && base64.length() >= 32) {
            try {
                byte[] head = Base64.getDecoder().decode(base64.substring(0, 32)); // 24 bytes: signature and IHDR size
                int width = ((head[16] & 0xFF) << 24) | ((head[17] & 0xFF) << 16) | ((head[18] & 0xFF) << 8) | (head[19] & 0xFF);
                int height = ((head[20] & 0xFF) << 24) | ((head[21] & 0xFF) << 16) | ((head[22] & 0xFF) << 8) | (head[23] & 0xFF);
                if (head[12] == 'I' && head[13] == 'H' && head[14] == 'D' && head[15] == 'R' && width > 0 && height > 0) {
                    return "[image " + width + "x" + height + "]";
                }
            } catch (IllegalArgumentException e) {
                // not base64 after all: say only what it is
            }
        }
        return "[image]";
    }
}
