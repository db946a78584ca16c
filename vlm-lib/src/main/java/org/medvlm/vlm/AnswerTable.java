package org.medvlm.vlm;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import org.medvlm.imaging.Thumbnails;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The model's answers on dataset examples next to the truth. {@link #table()} has a {@code thumbnail}
 * column of PNG data URIs (the convention of the dataset tables, which the notebook renders as images),
 * the question, the truth, the answer and a ✓/✗ column by normalised exact match.
 *
 * @param name the dataset's name, the table's title
 * @param rows one row per example, in order
 */
public record AnswerTable(String name, List<Row> rows) {
    /** Longest side of a thumbnail: light enough for a 16-row table in a notebook. */
    public static final int THUMBNAIL_SIZE = 96;

    /** One example: its id, image, question, reference answer(s) and the model's answer. */
    public record Row(String id, BufferedImage image, String question, List<String> truth, String answer) {
        public Row {
            truth = List.copyOf(truth);
        }

        /** Exact match after lower-casing and trimming punctuation, against any reference answer. */
        public boolean correct() {
            String a = normalise(answer);
            return truth.stream().anyMatch(t -> normalise(t).equals(a));
        }
    }

    public AnswerTable {
        rows = List.copyOf(rows);
    }

    /** How many answers match the truth. */
    public long correctCount() {
        return rows.stream().filter(Row::correct).count();
    }

    /** The fraction of answers that match (0 for an empty table). */
    public double accuracy() {
        return rows.isEmpty() ? 0 : (double) correctCount() / rows.size();
    }

    /** The table a notebook renders: thumbnail, id, question, truth, answer, ✓/✗. */
    public Table table() {
        StringColumn thumb = StringColumn.create("thumbnail");
        StringColumn id = StringColumn.create("id");
        StringColumn question = StringColumn.create("question");
        StringColumn truth = StringColumn.create("truth");
        StringColumn answer = StringColumn.create("answer");
        StringColumn mark = StringColumn.create("✓/✗");
        for (Row r : rows) {
            thumb.append(r.image() == null ? "" : Thumbnails.dataUri(r.image(), THUMBNAIL_SIZE));
            id.append(r.id());
            question.append(r.question());
            truth.append(String.join(" | ", r.truth()));
            answer.append(r.answer());
            mark.append(r.correct() ? "✓" : "✗");
        }
        return Table.create(summary(), thumb, id, question, truth, answer, mark);
    }

    /** The same table without the thumbnail column (for text output). */
    public Table textTable() {
        return table().rejectColumns("thumbnail");
    }

    /** A one-line summary: {@code 11/16 correct (68.8%)}. */
    public String summary() {
        return String.format(Locale.ROOT, "%s: %d/%d correct (%.1f%%)", name, correctCount(), rows.size(), 100 * accuracy());
    }

    @Override
    public String toString() {
        return textTable().printAll();
    }

    /** Normalises an answer for matching: lower case, inner whitespace collapsed, end punctuation dropped. */
    static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").replaceAll("^[\\p{Punct} ]+|[\\p{Punct} ]+$", "");
    }
}
