package org.medvlm.kernel.render;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.medvlm.imaging.Thumbnails;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * A Tablesaw table as an HTML table for the notebook. Cells that hold an image (a {@code data:image/...}
 * URI, a {@link BufferedImage}, or the path of an existing PNG/JPEG file) become inline {@code <img>}
 * thumbnails, so a dataset sample table shows its pictures. At most {@link #MAX_ROWS} rows are written.
 */
public final class TableHtml {
    static final int MAX_ROWS = 50;
    static final int THUMBNAIL = 96;

    private TableHtml() {}

    public static String of(Table table) {
        StringBuilder html = new StringBuilder(4096);
        html.append("<table class=\"medvlm-table\">");
        if (table.name() != null && !table.name().isBlank()) {
            html.append("<caption>").append(escape(table.name())).append("</caption>");
        }
        html.append("<thead><tr>");
        for (String name : table.columnNames()) {
            html.append("<th>").append(escape(name)).append("</th>");
        }
        html.append("</tr></thead><tbody>");
        int rows = Math.min(table.rowCount(), MAX_ROWS);
        for (int r = 0; r < rows; r++) {
            html.append("<tr>");
            for (Column<?> c : table.columns()) {
                html.append("<td>").append(cell(c.get(r))).append("</td>");
            }
            html.append("</tr>");
        }
        html.append("</tbody></table>");
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
        String text = value.toString();
        if (text.startsWith("data:image/")) {
            return img(text);
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if ((lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg")) && text.length() < 4096) {
            try {
                Path p = Path.of(text);
                if (Files.isRegularFile(p) && Files.size(p) < 64L << 20) {
                    BufferedImage image = ImageIO.read(p.toFile());
                    if (image != null) {
                        return img(Thumbnails.dataUri(image, THUMBNAIL));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not a readable picture: show the text
            }
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
