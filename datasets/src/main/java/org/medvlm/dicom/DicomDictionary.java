package org.medvlm.dicom;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Keyword and VR of the public attributes this package meets (a PS3.6 subset in {@code dictionary.tsv}). Implicit
 * VR files carry no VR, so reading their values needs this; unknown tags read as {@code UN} bytes.
 */
final class DicomDictionary {
    record Entry(String vr, String keyword) {}

    private static final Map<Integer, Entry> ENTRIES = load();

    private DicomDictionary() {}

    static Entry find(int tag) {
        Entry e = ENTRIES.get(tag);
        if (e != null) {
            return e;
        }
        int group = tag >>> 16;
        int element = tag & 0xFFFF;
        if (element == 0) {
            return new Entry("UL", "GroupLength");
        }
        if ((group & 1) == 1) {
            // private group: (gggg,0010-00FF) are the private creator strings
            return element >= 0x10 && element <= 0xFF ? new Entry("LO", "PrivateCreator") : new Entry("UN", "");
        }
        return new Entry("UN", "");
    }

    static String vr(int tag) {
        return find(tag).vr();
    }

    static String keyword(int tag) {
        return find(tag).keyword();
    }

    private static Map<Integer, Entry> load() {
        Map<Integer, Entry> map = new HashMap<>(4096);
        try (InputStream in = DicomDictionary.class.getResourceAsStream("dictionary.tsv")) {
            if (in == null) {
                throw new IllegalStateException("dictionary.tsv is missing from the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                map.put((int) Long.parseLong(f[0], 16), new Entry(f[1], f[2]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(map);
    }
}
