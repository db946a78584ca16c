package org.medvlm.data;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Image-caption pairs (ROCO, PMC-OA) loaded from one dataset, with the {@link LoadReport} of that load.
 * Same verbs as {@link VqaDataset}: {@code CaptionDataset.read().roco(dir).countBy("split", "subset")}.
 */
public final class CaptionDataset implements Iterable<CaptionPair> {
    private static final List<String> COLUMNS = List.of("id", "split", "subset", "caption", "keywords", "licence", "image");

    private final String name;
    private final List<CaptionPair> pairs;
    private final LoadReport report;

    private CaptionDataset(String name, List<CaptionPair> pairs, LoadReport report) {
        this.name = name;
        this.pairs = List.copyOf(pairs);
        this.report = report;
    }

    public static CaptionDataset of(String name, List<CaptionPair> pairs, LoadReport report) {
        return new CaptionDataset(name, pairs, report);
    }

    /** The front door: {@code CaptionDataset.read().roco(dir)}, {@code .pmcOa(jsonl)}. */
    public static CaptionReader read() {
        return new CaptionReader();
    }

    public String name() {
        return name;
    }

    public int size() {
        return pairs.size();
    }

    public CaptionPair get(int index) {
        return pairs.get(index);
    }

    public List<CaptionPair> pairs() {
        return pairs;
    }

    public LoadReport report() {
        return report;
    }

    @Override
    public Iterator<CaptionPair> iterator() {
        return pairs.iterator();
    }

    public CaptionDataset where(Predicate<CaptionPair> test) {
        return new CaptionDataset(name, pairs.stream().filter(test).toList(), report);
    }

    /** The pairs whose {@link CaptionPair#field field} equals {@code value}, ignoring case. */
    public CaptionDataset where(String field, String value) {
        return where(p -> p.field(field).equalsIgnoreCase(value));
    }

    public Map<String, Integer> splits() {
        return Stats.count(pairs, CaptionPair::field, "split");
    }

    public Table countBy(String... fields) {
        return Stats.countBy(name + " by " + String.join(", ", fields), pairs, CaptionPair::field, fields);
    }

    public Table table() {
        return Stats.table(name, pairs, CaptionPair::field, columns());
    }

    public Table first(int n) {
        return Stats.table(name, pairs.subList(0, Math.min(n, pairs.size())), CaptionPair::field, columns());
    }

    /** The first {@code n} pairs with a {@code thumbnail} column of PNG data URIs, decoded only for these rows. */
    public Table thumbnails(int n) {
        List<CaptionPair> rows = pairs.subList(0, Math.min(n, pairs.size()));
        StringColumn thumbs = StringColumn.create("thumbnail");
        rows.forEach(p -> thumbs.append(Stats.thumbnail(p.image())));
        return Stats.table(name, rows, CaptionPair::field, columns()).insertColumn(0, thumbs);
    }

    public Table summary() {
        return Stats.summary(name + " summary", pairs, CaptionPair::field, List.of("split", "subset", "licence"));
    }

    /** Counts; caption corpora have no answer types (both zero) and are English. */
    public DatasetStats stats() {
        Map<String, Integer> languages = pairs.isEmpty() ? Map.of() : Map.of("en", pairs.size());
        Map<String, Integer> types = new java.util.LinkedHashMap<>();
        types.put("closed", 0);
        types.put("open", 0);
        return new DatasetStats(name, pairs.size(), splits(), types,
                languages, Map.of(), Map.of(), report.skippedCount(), report.skippedReasons(),
                report.missingImages().size());
    }

    private List<String> columns() {
        return COLUMNS.stream()
                .filter(c -> List.of("id", "split", "caption", "image").contains(c)
                        || pairs.stream().anyMatch(p -> !p.field(c).isEmpty()))
                .toList();
    }

    @Override
    public String toString() {
        return name + ": " + size() + " image-caption pairs " + splits() + "\n" + Stats.bounded(first(10), 10)
                + (size() > 10 ? "\n... " + (size() - 10) + " more" : "");
    }
}
