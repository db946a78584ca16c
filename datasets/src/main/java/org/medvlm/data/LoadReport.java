package org.medvlm.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.medvlm.io.Limit;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What a load did besides returning records: every record it skipped (file, line or index, reason),
 * every image it could not find, every image name it refused because it escapes the dataset root, and
 * notes (filters applied, folders absent). Nothing a loader leaves out goes unmentioned here: the counts are
 * exact, while the details kept are the first {@link #DETAILS_KEPT} (a hostile file may skip millions).
 *
 * @param source the file or folder the user pointed at
 * @param skipped records left out, in file order (the first {@link #DETAILS_KEPT})
 * @param skippedCount how many records were left out
 * @param skippedReasons skipped records per reason, most frequent first
 * @param missingImages distinct image names that do not exist under the dataset root
 * @param recordsWithoutImage how many kept records have no image because it is missing
 * @param notes one-line remarks (an absent image folder, a language filter, duplicates)
 */
public record LoadReport(String dataset, Path source, List<Skipped> skipped, int skippedCount,
        Map<String, Integer> skippedReasons, List<String> missingImages, int recordsWithoutImage, List<String> notes) {

    /** Reason used when an image name points outside the dataset root ({@code ../}, an absolute path, a link). */
    public static final String ESCAPES_ROOT = "image path escapes the dataset root";

    /** How many skipped records are kept with their details. */
    public static final int DETAILS_KEPT = 10_000;

    public LoadReport {
        skipped = List.copyOf(skipped);
        skippedReasons = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(skippedReasons));
        missingImages = List.copyOf(missingImages);
        notes = List.copyOf(notes);
    }

    /**
     * One record left out.
     *
     * @param file the file it was in (relative to the source where possible)
     * @param where {@code line 12}, {@code index 40}, {@code row 3}
     * @param reason a short category, shared by similar skips so they can be counted
     * @param detail the specific value that caused it
     */
    public record Skipped(String file, String where, String reason, String detail) {
        @Override
        public String toString() {
            return file + " " + where + ": " + reason + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    /** Nothing skipped, no image missing, nothing to note: a load that needs no report. */
    public boolean clean() {
        return skippedCount == 0 && missingImages.isEmpty() && recordsWithoutImage == 0 && notes.isEmpty();
    }

    /** The same report with one more note (a filter applied after loading, for instance). */
    public LoadReport withNote(String note) {
        List<String> more = new ArrayList<>(notes);
        more.add(note);
        return new LoadReport(dataset, source, skipped, skippedCount, skippedReasons, missingImages, recordsWithoutImage, more);
    }

    /** The skipped records as a table (file, where, reason, detail). */
    public Table table() {
        Table t = Table.create(dataset + " skipped",
                StringColumn.create("file"), StringColumn.create("where"),
                StringColumn.create("reason"), StringColumn.create("detail"));
        for (Skipped s : skipped) {
            t.stringColumn(0).append(s.file());
            t.stringColumn(1).append(s.where());
            t.stringColumn(2).append(s.reason());
            t.stringColumn(3).append(s.detail());
        }
        return t;
    }

    /** A few lines: counts, the first skips, the first missing images, the notes. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(dataset).append(" from ").append(source).append(": ")
                .append(skippedCount).append(" skipped, ")
                .append(missingImages.size()).append(" missing images (")
                .append(recordsWithoutImage).append(" records without image)");
        skippedReasons.forEach((r, n) -> sb.append("\n  skipped ").append(n).append(": ").append(r));
        skipped.stream().limit(5).forEach(s -> sb.append("\n    e.g. ").append(s));
        if (!missingImages.isEmpty()) {
            sb.append("\n  missing images, e.g. ").append(String.join(", ", missingImages.subList(0, Math.min(5, missingImages.size()))));
        }
        notes.forEach(n -> sb.append("\n  note: ").append(n));
        return sb.toString();
    }

    /**
     * Collects a report while a loader runs, and counts the records read against {@link Limit#RECORDS}. Loaders
     * call it; users receive the finished record.
     */
    public static final class Builder {
        private final String dataset;
        private final Path source;
        private final List<Skipped> skipped = new ArrayList<>();
        private final Map<String, Integer> reasons = new LinkedHashMap<>();
        private int skippedCount;
        private final Set<String> missing = new LinkedHashSet<>();
        private int withoutImage;
        private final List<String> notes = new ArrayList<>();
        private final long maxRecords = Limit.RECORDS.value();
        private long records;

        public Builder(String dataset, Path source) {
            this.dataset = dataset;
            this.source = source;
        }

        /**
         * Counts one record read from {@code file} (kept or skipped); past {@link Limit#RECORDS} the load stops
         * with an error naming the file and where.
         */
        public void record(String file, String where) {
            if (++records > maxRecords) {
                throw new IllegalArgumentException(file + ": more than " + maxRecords + " records in this load, at "
                        + where + " " + Limit.RECORDS.hint());
            }
        }

        public void skip(String file, String where, String reason, String detail) {
            if (skipped.size() < DETAILS_KEPT) {
                String d = detail == null ? "" : detail;
                skipped.add(new Skipped(file, where, reason, d.length() > 200 ? d.substring(0, 200) + "..." : d));
            }
            skippedCount++;
            reasons.merge(reason, 1, Integer::sum);
        }

        public void missingImage(String name) {
            missing.add(name);
            withoutImage++;
        }

        public void note(String note) {
            if (!notes.contains(note)) {
                notes.add(note);
            }
        }

        public LoadReport build() {
            return new LoadReport(dataset, source, skipped, skippedCount, Stats.sortedByCount(reasons),
                    new ArrayList<>(missing), withoutImage, notes);
        }
    }
}
