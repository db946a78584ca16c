package org.medvlm.dicom;

import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A header as rows of (tag, keyword, VR, value), identifying values masked unless asked for; a masked row says
 * why ({@link Deidentification#reason}).
 */
public final class HeaderTable {
    private HeaderTable() {}

    /**
     * One attribute; {@code masked} says its value was replaced by {@link Deidentification#MASK}, {@code why} says
     * which rule covers it (also when shown with {@code showPhi}, so a user sees what is identifying); empty
     * where none does.
     */
    public record Row(String tag, String keyword, String vr, String value, boolean masked, String why) {}

    /**
     * What a reader of an image header looks for first (modality, size, pixel format, window, rescale, spacing), shown
     * in this order above the rest, which keeps the file's order.
     */
    private static final List<Integer> FIRST = List.of(0x00080060, 0x00280010, 0x00280011, 0x00280008, 0x00280002,
            0x00280004, 0x00280100, 0x00280101, 0x00280103, 0x00281050, 0x00281051, 0x00281052, 0x00281053, 0x00280030);

    static List<Row> rows(DicomHeader h, boolean showPhi) {
        List<DicomElement> elements = new ArrayList<>(h.elements());
        elements.sort(java.util.Comparator.comparingInt(e -> {
            int i = FIRST.indexOf(e.tag());
            return i < 0 ? FIRST.size() : i;
        }));
        List<Row> rows = new ArrayList<>(elements.size());
        for (DicomElement e : elements) {
            String why = Deidentification.reason(e).orElse("");
            boolean mask = !showPhi && !why.isEmpty();
            rows.add(new Row(e.tagString(), keyword(e.tag()), e.vr(), mask ? Deidentification.MASK : h.display(e), mask, why));
        }
        return rows;
    }

    /** The PS3.6 keyword, else the confidentiality profile's (retired and range tags), else empty. */
    private static String keyword(int tag) {
        String k = DicomDictionary.keyword(tag);
        if (!k.isEmpty()) {
            return k;
        }
        Deidentification.ProfileRow row = Deidentification.profileRow(tag);
        return row == null || row.tag().startsWith("(gggg") ? k : row.keyword();
    }

    /** How many values {@code rows} masks. */
    public static long maskedCount(List<Row> rows) {
        return rows.stream().filter(Row::masked).count();
    }

    static Table of(DicomHeader h, boolean showPhi) {
        List<Row> rows = rows(h, showPhi);
        StringColumn tag = StringColumn.create("Tag");
        StringColumn keyword = StringColumn.create("Keyword");
        StringColumn vr = StringColumn.create("VR");
        StringColumn value = StringColumn.create("Value");
        StringColumn why = StringColumn.create(showPhi ? "Identifying (shown)" : "Masked because");
        for (Row r : rows) {
            tag.append(r.tag());
            keyword.append(r.keyword());
            vr.append(r.vr());
            value.append(r.value());
            why.append(r.why());
        }
        long masked = rows.stream().filter(r -> !r.why().isEmpty()).count();
        String name = h.fileName() + (showPhi ? " (raw header: " + masked + " identifying values shown)"
                : " (" + masked + " identifying values masked; --show-phi shows them)");
        return Table.create(name, tag, keyword, vr, value, why);
    }
}
