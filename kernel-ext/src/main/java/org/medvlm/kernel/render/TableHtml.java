package org.medvlm.kernel.render;

import java.awt.image.BufferedImage;
import org.medvlm.imaging.Thumbnails;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * A Tablesaw table as an HTML table for the notebook. Cells that hold an image (a {@code data:image/...} URI or a
 * {@link BufferedImage}) become inline {@code <img>} thumbnails, so a dataset sample table shows its pictures; text
 * is only ever text (a cell that reads like a file name is not opened). Numbers show 4 significant digits. Every row
 * up to {@link #MAX_ROWS} is written (a DICOM header has a few hundred); a table longer than {@link #SCROLL_ROWS}
 * rows scrolls inside a box.
 */
public final class TableHtml {
    static final int MAX_ROWS = 2000;
    static final int SCROLL_ROWS = 25;
    static final int THUMBNAIL = 96;

    private TableHtml() {}

    public static String of(Table table) {
        StringBuilder html = new StringBuilder(4096);
        int rows = Math.min(table.rowCount(), MAX_ROWS);
        boolean scroll = rows > SCROLL_ROWS;
        if (scroll) {
            html.append("<div style=\"max-height:36em;overflow:auto\">");
        }
        html.append("<table class=\"medvlm-table\">");
        if (table.name() != null && !table.name().isBlank()) {
            html.append("<caption>").append(escape(table.name()));
            if (scroll) {
                html.append(" (").append(table.rowCount()).append(" rows)");
            }
            html.append("</caption>");
        }
        html.append("<thead><tr>");
        for (String name : table.columnNames()) {
            html.append("<th>").append(escape(name)).append("</th>");
        }
        html.append("</tr></thead><tbody>");
        for (int r = 0; r < rows; r++) {
            html.append("<tr>");
            for (Column<?> c : table.columns()) {
                html.append("<td>").append(cell(c.get(r))).append("</td>");
            }
            html.append("</tr>");
        }
        html.append("</tbody></table>");
        if (scroll) {
            html.append("</div>");
        }
        if (table.rowCount() > rows) {
            html.append("<p>").append(table.rowCount() - rows).append(" more rows (").append(table.rowCount())
                    .append(" in all)</p>");
        }
        return html.toString();
    }

    static String cell(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof BufferedImage image) {
            return img(Thumbnails.dataUri(image, THUMBNAIL));
        }
        if (value instanceof Double || value instanceof Float) {
            return escape(TextForms.number(((Number) value).doubleValue()));
        }
        String text = value.toString();
        if (text.startsWith("data:image/")) {
            return img(text);
        }
        return escape(text);
    }

    private static String img(String src) {
        return "<img src=\"" + escape(src) + "\" style=\"max-width:" + THUMBNAIL + "px;max-height:" + THUMBNAIL + "px\"/>";
    }


    /** Text as HTML: the characters that could start markup or end an attribute are escaped. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
