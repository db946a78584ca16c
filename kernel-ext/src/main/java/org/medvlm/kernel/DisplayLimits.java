package org.medvlm.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.lang.reflect.Field;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.medvlm.kernel.render.TextForms;

/**
 * Keeps images out of an output's text form ({@code [image 96x96]} instead of the base64 of a data URI: the text is
 * what a console, a log or a text-only front end shows) and bounds what one output sends: a value whose text is 50 MB (a string built in a loop, a huge list)
 * is shown as its first {@link #MAX_TEXT_CHARS} characters and a note, as front ends truncate long
 * outputs; any other representation over {@link #MAX_DATA_CHARS} (HTML, an image's base64) is left out,
 * and the text says so. A value that size would otherwise be serialised, signed and sent whole, and
 * the front end would stall or drop it.
 */
final class DisplayLimits {
    /** The text of one value: 100,000 characters (about 1,500 lines of 66). */
    static final int MAX_TEXT_CHARS = Integer.getInteger("medvlm.kernel.maxValueChars", 100_000);
    /** Any one representation: 16 MiB of characters (a large PNG as base64 fits). */
    static final int MAX_DATA_CHARS = Integer.getInteger("medvlm.kernel.maxDisplayChars", 16 << 20);

    /** Text up to this much over the limit passes: enough for the note, so bounding twice changes nothing. */
    private static final int NOTE_ROOM = 1000;

    private static final Field DATA = dataField();

    private DisplayLimits() {}

    private static Field dataField() {
        try {
            // jupyter-jvm-basekernel 2.3.0 keeps the MIME bundle private and offers no way to remove an entry
            Field f = DisplayData.class.getDeclaredField("data");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * {@code data} itself when it is within the limits, else a copy cut down to them (the caller's
     * object, perhaps a DisplayData a cell built, is never changed); null stays null.
     */
    static DisplayData bound(DisplayData data) {
        if (data == null) {
            return null;
        }
        Map<String, Object> original = bundle(data);
        if (original == null || (!tooLarge(original) && !imagesInText(original))) {
            return data;
        }
        Map<String, Object> bundle = new LinkedHashMap<>(original);
        if (bundle.get("text/plain") instanceof String t && t.contains("data:image/")) {
            bundle.put("text/plain", TextForms.withoutDataUris(t));
        }
        StringBuilder left = new StringBuilder();
        for (Iterator<Map.Entry<String, Object>> it = bundle.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Object> e = it.next();
            if (e.getKey().equals("text/plain") || !(e.getValue() instanceof CharSequence v) || v.length() <= MAX_DATA_CHARS) {
                continue;
            }
            it.remove();
            left.append(String.format(Locale.ROOT, " %s (%,d characters) was not sent;", e.getKey(), v.length()));
        }
        Object text = bundle.get("text/plain");
        if (text instanceof CharSequence t && t.length() > MAX_TEXT_CHARS + NOTE_ROOM) {
            bundle.put("text/plain", t.subSequence(0, MAX_TEXT_CHARS) + String.format(Locale.ROOT,
                    "\n… [value truncated by the kernel: %,d characters, the first %,d shown]", t.length(), MAX_TEXT_CHARS));
        }
        if (left.length() > 0) {
            String note = "[display too large for the kernel to send:" + left.substring(0, left.length() - 1) + "]";
            Object now = bundle.get("text/plain");
            bundle.put("text/plain", now == null ? note : now + "\n" + note);
        }
        DisplayData copy = new DisplayData(data);
        try {
            DATA.set(copy, bundle);
        } catch (IllegalAccessException e) {
            return data;
        }
        return copy;
    }

    /** A text form with an image's base64 in it (a record whose toString prints its thumbnail column). */
    private static boolean imagesInText(Map<String, Object> bundle) {
        return bundle.get("text/plain") instanceof String t && t.contains("data:image/");
    }

    private static boolean tooLarge(Map<String, Object> bundle) {
        for (Map.Entry<String, Object> e : bundle.entrySet()) {
            if (e.getValue() instanceof CharSequence v
                    && v.length() > (e.getKey().equals("text/plain") ? MAX_TEXT_CHARS + NOTE_ROOM : MAX_DATA_CHARS)) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> bundle(DisplayData data) {
        try {
            return DATA == null ? null : (Map<String, Object>) DATA.get(data);
        } catch (IllegalAccessException e) {
            return null;
        }
    }
}
