package org.medvlm.kernel.render;

import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * A Tablesaw table's text/plain form in the notebook: the first {@link #MAX_ROWS} rows in aligned columns, each
 * cell cut to {@link #MAX_CELL} characters, numbers to 4 significant digits and images as {@code [image 96x96]}.
 * Tablesaw's own {@code print()} writes every cell whole, so a thumbnail table's text was its base64 (158 KB for
 * 8 rows) and long questions wrapped into unreadable lines.
 */
public final class TableText {
    static final int MAX_ROWS = 20;
    static final int MAX_CELL = 40;

    private TableText() {}

    public static String of(Table table) {
        int rows = Math.min(table.rowCount(), MAX_ROWS);
        List<Column<?>> columns = table.columns();
        String[][] cells = new String[rows + 1][columns.size()];
        int[] width = new int[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            cells[0][c] = cut(columns.get(c).name());
            for (int r = 0; r < rows; r++) {
                cells[r + 1][c] = cut(TextForms.value(columns.get(c).get(r)).replaceAll("\\s+", " "));
            }
            for (String[] row : cells) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder text = new StringBuilder();
        String name = table.name() == null || table.name().isBlank() ? "table" : table.name();
        text.append(name).append(" (").append(table.rowCount()).append(table.rowCount() == 1 ? " row" : " rows")
                .append(")\n");
        List<String> lines = new ArrayList<>();
        for (int r = 0; r <= rows; r++) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns.size(); c++) {
                if (c > 0) {
                    line.append("  ");
                }
                String cell = cells[r][c];
                boolean number = r > 0 && columns.get(c).type().name().matches("DOUBLE|FLOAT|INTEGER|LONG|SHORT");
                line.append(number ? " ".repeat(width[c] - cell.length()) + cell : cell + " ".repeat(width[c] - cell.length()));
            }
            lines.add(line.toString().stripTrailing());
        }
        text.append(String.join("\n", lines));
        if (table.rowCount() > rows) {
            text.append("\n... ").append(table.rowCount() - rows).append(" more rows");
        }
        return text.toString();
    }

    private static String cut(String s) {
        return s.length() <= MAX_CELL ? s : s.substring(0, MAX_CELL - 1) + "…";
    }
}
