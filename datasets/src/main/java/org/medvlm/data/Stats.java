package org.medvlm.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.medvlm.imaging.Thumbnails;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Counting and table building shared by {@link VqaDataset} and {@link CaptionDataset}. */
final class Stats {
    /** Longest side of a thumbnail in pixels: small enough for a 12-row table to stay light in a notebook. */
    static final int THUMBNAIL_SIZE = 96;

    private Stats() {}

    static <T> Map<String, Integer> count(List<T> items, BiFunction<T, String, String> field, String name) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (T item : items) {
            counts.merge(field.apply(item, name), 1, Integer::sum);
        }
        return counts;
    }

    static Map<String, Integer> sortedByCount(Map<String, Integer> counts) {
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()));
        Map<String, Integer> sorted = new LinkedHashMap<>();
        entries.forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** One row per distinct combination of {@code fields}, with its count, most frequent first. */
    static <T> Table countBy(String title, List<T> items, BiFunction<T, String, String> field, String... fields) {
        if (fields.length == 0) {
            throw new IllegalArgumentException("countBy needs at least one field name");
        }
        Map<List<String>, Integer> counts = new LinkedHashMap<>();
        for (T item : items) {
            List<String> key = new ArrayList<>(fields.length);
            for (String f : fields) {
                key.add(field.apply(item, f));
            }
            counts.merge(key, 1, Integer::sum);
        }
        Table t = Table.create(title);
        for (String f : fields) {
            t.addColumns(StringColumn.create(f));
        }
        IntColumn count = IntColumn.create("count");
        t.addColumns(count);
        counts.entrySet().stream()
                .sorted(Map.Entry.<List<String>, Integer>comparingByValue(Comparator.reverseOrder()))
                .forEach(e -> {
                    for (int i = 0; i < fields.length; i++) {
                        t.stringColumn(i).append(e.getKey().get(i));
                    }
                    count.append(e.getValue());
                });
        return t;
    }

    /** The {@code top} most frequent values of a field with their count and share of all records. */
    static <T> Table frequencies(String title, List<T> items, BiFunction<T, String, String> field, String name, int top) {
        Table t = countBy(title, items, field, name);
        Table head = t.first(top);
        DoubleColumn share = DoubleColumn.create("share");
        for (int c : head.intColumn("count")) {
            share.append(items.isEmpty() ? 0 : Math.round(10000.0 * c / items.size()) / 10000.0);
        }
        head.addColumns(share);
        return head;
    }

    /** A table of {@code columns} for the given rows. */
    static <T> Table table(String title, List<T> rows, BiFunction<T, String, String> field, List<String> columns) {
        Table t = Table.create(title);
        for (String c : columns) {
            StringColumn col = StringColumn.create(c);
            for (T row : rows) {
                col.append(field.apply(row, c));
            }
            t.addColumns(col);
        }
        return t;
    }

    /** Summary: one row per (field, value) over the given fields. */
    static <T> Table summary(String title, List<T> items, BiFunction<T, String, String> field, List<String> fields) {
        StringColumn f = StringColumn.create("field");
        StringColumn v = StringColumn.create("value");
        IntColumn n = IntColumn.create("count");
        f.append("records");
        v.append("");
        n.append(items.size());
        for (String name : fields) {
            Map<String, Integer> counts = count(items, field, name);
            if (counts.size() == 1 && counts.containsKey("")) {
                continue; // the dataset has no such field
            }
            Map<String, Integer> shown = name.equals("split") ? counts : sortedByCount(counts);
            shown.forEach((value, c) -> {
                f.append(name);
                v.append(value);
                n.append(c);
            });
        }
        return Table.create(title, f, v, n);
    }

    /**
     * A {@code data:image/png;base64,...} thumbnail, which a notebook renders inside an HTML table; an
     * empty string where there is no image or it cannot be decoded (the table must still show).
     */
    static String thumbnail(ImageSource source) {
        if (source == null) {
            return "";
        }
        try {
            return Thumbnails.dataUri(source.load(), THUMBNAIL_SIZE);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Prints at most {@code max} rows: Tablesaw's own layout, so a big dataset never floods a cell. */
    static String bounded(Table t, int max) {
        return t.rowCount() <= max ? t.printAll() : t.first(max).printAll() + "\n... " + (t.rowCount() - max) + " more rows";
    }
}
