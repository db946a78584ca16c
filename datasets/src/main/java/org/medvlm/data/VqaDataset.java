package org.medvlm.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Visual questions loaded from one dataset, with the {@link LoadReport} of that load. Immutable: the
 * filtering verbs return new datasets that share the records and the report.
 *
 * <pre>{@code
 * VqaDataset slake = VqaDataset.read().lang("en").slake(Path.of("Slake1.0"));
 * slake.countBy("split", "answer_type");
 * slake.where("modality", "CT").thumbnails(12);
 * }</pre>
 */
public final class VqaDataset implements Iterable<VqaExample> {
    /** Columns of {@link #table()}; metadata columns the dataset lacks are left out. */
    private static final List<String> COLUMNS = List.of("id", "split", "question", "answer", "answer_type",
            "language", "organ", "modality", "content_type", "question_type", "category", "image");
    private static final List<String> SUMMARY_FIELDS = List.of("split", "answer_type", "language", "organ",
            "modality", "content_type", "question_type", "category");

    private final String name;
    private final List<VqaExample> examples;
    private final LoadReport report;

    private VqaDataset(String name, List<VqaExample> examples, LoadReport report) {
        this.name = name;
        this.examples = List.copyOf(examples);
        this.report = report;
    }

    /** Wraps loaded records with their report (the loaders' way in). */
    public static VqaDataset of(String name, List<VqaExample> examples, LoadReport report) {
        return new VqaDataset(name, examples, report);
    }

    /** The front door: {@code VqaDataset.read().slake(dir)}, {@code .format(DatasetFormat.VQA_RAD, path)}. */
    public static VqaReader read() {
        return new VqaReader();
    }

    public String name() {
        return name;
    }

    public int size() {
        return examples.size();
    }

    public VqaExample get(int index) {
        return examples.get(index);
    }

    public List<VqaExample> examples() {
        return examples;
    }

    /** What the load skipped or could not find. */
    public LoadReport report() {
        return report;
    }

    @Override
    public Iterator<VqaExample> iterator() {
        return examples.iterator();
    }

    /** The examples that pass {@code test}: {@code ds.where(q -> q.answerType() == AnswerType.CLOSED)}. */
    public VqaDataset where(Predicate<VqaExample> test) {
        return new VqaDataset(name, examples.stream().filter(test).toList(), report);
    }

    /** The examples whose {@link VqaExample#field field} equals {@code value}, ignoring case. */
    public VqaDataset where(String field, String value) {
        return where(e -> e.field(field).equalsIgnoreCase(value));
    }

    /** One split; an unknown name lists the ones there are. */
    public VqaDataset split(String split) {
        if (examples.stream().noneMatch(e -> e.split().equals(split))) {
            throw new IllegalArgumentException("split '" + split + "' not found in " + name + "; available: "
                    + String.join(", ", splits().keySet()));
        }
        return where("split", split);
    }

    /** Record count per split, in file order. */
    public Map<String, Integer> splits() {
        return Stats.count(examples, VqaExample::field, "split");
    }

    /** A table with one row per distinct combination of the fields and its count, most frequent first. */
    public Table countBy(String... fields) {
        return Stats.countBy(name + " by " + String.join(", ", fields), examples, VqaExample::field, fields);
    }

    /** The {@code top} most frequent answers with their count and share. */
    public Table answerFrequencies(int top) {
        return Stats.frequencies(name + " answers", examples, VqaExample::field, "answer", top);
    }

    /** All records as a table (one row per question, image names not pixels). */
    public Table table() {
        return Stats.table(name, examples, VqaExample::field, columns());
    }

    /** The first {@code n} records as a table. */
    public Table first(int n) {
        return Stats.table(name, examples.subList(0, Math.min(n, examples.size())), VqaExample::field, columns());
    }

    /**
     * The first {@code n} records with a {@code thumbnail} column of PNG data URIs (96 px), decoded
     * only for these rows; a missing image shows as an empty cell.
     */
    public Table thumbnails(int n) {
        List<VqaExample> rows = examples.subList(0, Math.min(n, examples.size()));
        Table t = Stats.table(name, rows, VqaExample::field, columns());
        StringColumn thumbs = StringColumn.create("thumbnail");
        rows.forEach(e -> thumbs.append(Stats.thumbnail(e.image())));
        return t.insertColumn(0, thumbs);
    }

    /** Counts per split, answer type, language, organ, modality, content and question type. */
    public Table summary() {
        return Stats.summary(name + " summary", examples, VqaExample::field, SUMMARY_FIELDS);
    }

    /** The counts as a value (the CLI's {@code --json} prints them). */
    public DatasetStats stats() {
        Map<String, Integer> types = new LinkedHashMap<>();
        types.put("closed", 0);
        types.put("open", 0);
        for (VqaExample e : examples) {
            types.merge(e.answerType().name().toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        return new DatasetStats(name, examples.size(), splits(), types,
                Stats.sortedByCount(Stats.count(examples, VqaExample::field, "language")),
                nonEmpty(Stats.count(examples, VqaExample::field, "organ")),
                nonEmpty(Stats.count(examples, VqaExample::field, "modality")),
                report.skippedCount(), report.skippedReasons(), report.missingImages().size());
    }

    private static Map<String, Integer> nonEmpty(Map<String, Integer> counts) {
        counts.remove("");
        return Stats.sortedByCount(counts);
    }

    private List<String> columns() {
        List<String> cols = new ArrayList<>();
        for (String c : COLUMNS) {
            boolean core = List.of("id", "split", "question", "answer", "answer_type", "language", "image").contains(c);
            if (core || examples.stream().anyMatch(e -> !e.field(c).isEmpty())) {
                cols.add(c);
            }
        }
        return cols;
    }

    /** The name, the counts per split and at most ten rows: safe to evaluate in a cell. */
    @Override
    public String toString() {
        return name + ": " + size() + " questions " + splits() + "\n" + Stats.bounded(first(10), 10)
                + (size() > 10 ? "\n... " + (size() - 10) + " more" : "");
    }
}
