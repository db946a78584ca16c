package org.medvlm.dicom;

import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** A header as rows of (tag, keyword, VR, value), identifying values masked unless asked for. */
public final class HeaderTable {
    private HeaderTable() {}

    /** One attribute; {@code masked} says its value was replaced by {@link Deidentification#MASK}. */
    public record Row(String tag, String keyword, String vr, String value, boolean masked) {}

    static List<Row> rows(DicomHeader h, boolean showPhi) {
        List<Row> rows = new ArrayList<>(h.elements().size());
        for (DicomElement e : h.elements()) {
            boolean mask = !showPhi && Deidentification.masks(e);
            String keyword = DicomDictionary.keyword(e.tag());
            rows.add(new Row(e.tagString(), keyword, e.vr(), mask ? Deidentification.MASK : h.display(e), mask));
        }
        return rows;
    }

    static Table of(DicomHeader h, boolean showPhi) {
        List<Row> rows = rows(h, showPhi);
        StringColumn tag = StringColumn.create("Tag");
        StringColumn keyword = StringColumn.create("Keyword");
        StringColumn vr = StringColumn.create("VR");
        StringColumn value = StringColumn.create("Value");
        for (Row r : rows) {
            tag.append(r.tag());
            keyword.append(r.keyword());
            vr.append(r.vr());
            value.append(r.value());
        }
        String name = h.fileName() + (showPhi ? " (identifying values shown)" : " (identifying values masked)");
        return Table.create(name, tag, keyword, vr, value);
    }
}
