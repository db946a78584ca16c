package org.medvlm.kernel.magic;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A notebook cell cut into what runs it: Java code, line magics ({@code %name args} on a line of its
 * own) and, when the cell starts with {@code %%name args}, one cell magic that owns the whole body.
 */
public final class Cell {
    private static final Pattern LINE_MAGIC = Pattern.compile("^\\s*%(?!%)([\\w.-]+)(?:[ \\t]+(.*))?$");
    /** {@code %zero?}: IPython's way to open a command's help in the pager. */
    private static final Pattern PAGE = Pattern.compile("^\\s*%(?!%)([\\w.-]+)\\?\\s*$");
    /** The name a {@code %NAME?} line gets: a line magic {@code ?} whose argument is the command. */
    public static final String PAGE_MAGIC = "?";
    private static final Pattern CELL_MAGIC = Pattern.compile("^%%([\\w.-]+)(?:[ \\t]+(.*))?$");

    /** One part of a cell, run in order. */
    public sealed interface Part permits Code, LineMagic, CellMagic {}

    /** Java source for JShell, starting on {@code line} of the cell (1 for the first). */
    public record Code(String source, int line) implements Part {
        /** Source that starts the cell. */
        public Code(String source) {
            this(source, 1);
        }
    }

    /** {@code %name args}: {@code args} is the raw rest of the line, split later like a shell would. */
    public record LineMagic(String name, String args) implements Part {}

    /** {@code %%name args} followed by the cell's body. */
    public record CellMagic(String name, String args, String body) implements Part {}

    private Cell() {}

    public static List<Part> parse(String cell) {
        String[] lines = cell.split("\\R", -1);
        int first = 0;
        while (first < lines.length && lines[first].isBlank()) {
            first++;
        }
        if (first < lines.length) {
            Matcher m = CELL_MAGIC.matcher(lines[first].strip());
            if (m.matches()) {
                String body = String.join("\n", java.util.Arrays.asList(lines).subList(first + 1, lines.length));
                return List.of(new CellMagic(m.group(1), nullToEmpty(m.group(2)), body));
            }
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder code = new StringBuilder();
        int codeLine = 1;
        for (int i = 0; i < lines.length; i++) {
            Matcher m = LINE_MAGIC.matcher(lines[i]);
            Matcher page = PAGE.matcher(lines[i]);
            if (page.matches()) {
                if (!code.toString().isBlank()) {
                    parts.add(new Code(code.toString(), codeLine));
                }
                code.setLength(0);
                codeLine = i + 2;
                parts.add(new LineMagic(PAGE_MAGIC, page.group(1)));
            } else if (m.matches()) {
                if (!code.toString().isBlank()) {
                    parts.add(new Code(code.toString(), codeLine));
                }
                code.setLength(0);
                codeLine = i + 2;
                parts.add(new LineMagic(m.group(1), nullToEmpty(m.group(2)).strip()));
            } else {
                code.append(lines[i]).append('\n');
            }
        }
        if (!code.toString().isBlank()) {
            parts.add(new Code(code.toString(), codeLine));
        }
        return parts;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
