package org.medvlm.data.formats;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.medvlm.data.AnswerType;
import org.medvlm.data.LoadReport;
import org.medvlm.data.VqaDataset;
import org.medvlm.data.VqaExample;
import org.medvlm.io.Limit;

/**
 * PMC-VQA's multiple-choice CSV files, read with univocity's RFC-4180 parser (Tablesaw's own CSV
 * engine, so no new dependency): quoted cells with commas and line breaks are kept whole.
 * <ul>
 *   <li>v1 ({@code train.csv}, {@code test.csv}, {@code test_clean.csv}):
 *       {@code Figure_path,Question,Answer,Choice A,Choice B,Choice C,Choice D,Answer_label}.</li>
 *   <li>v2 ({@code train_2.csv}, {@code test_2.csv}): {@code index,Figure_path,Caption,Question,Choice A..D,Answer,split},
 *       where {@code Answer} is the letter.</li>
 * </ul>
 * The answer is the choice's text without its {@code "A:"} prefix; the letter and the four choices are
 * metadata ({@code answer_label}, {@code choice_a}..{@code choice_d}). Choosing among four fixed options
 * is a closed question. Images are {@code images/<Figure_path>} (or {@code figures/}) beside the file.
 */
public final class PmcVqa {
    private static final String[] LETTERS = {"A", "B", "C", "D"};

    private PmcVqa() {}

    public static VqaDataset load(Path path) {
        Sources.existing(path);
        List<Path> files = Files.isDirectory(path) ? Sources.list(path, ".csv") : List.of(path);
        if (files.isEmpty()) {
            throw new IllegalArgumentException(path + ": no PMC-VQA .csv file in this folder");
        }
        LoadReport.Builder report = new LoadReport.Builder("pmc-vqa", path);
        DatasetRoot root = DatasetRoot.of(path);
        List<VqaExample> out = new ArrayList<>();
        for (Path f : files) {
            Path dir = f.toAbsolutePath().getParent();
            Images images = new Images(root, Files.isDirectory(dir.resolve("figures")) && !Files.isDirectory(dir.resolve("images"))
                    ? dir.resolve("figures") : dir.resolve("images"), report);
            read(f.equals(path) ? f : root.file(f), Sources.relative(path, f), images, report, out);
        }
        return VqaDataset.of("pmc-vqa", out, report.build());
    }

    private static void read(Path file, String name, Images images, LoadReport.Builder report, List<VqaExample> out) {
        CsvParserSettings settings = new CsvParserSettings();
        settings.setHeaderExtractionEnabled(true);
        settings.setMaxCharsPerColumn(Limit.LINE_CHARS.intValue());
        settings.setMaxColumns(64); // the layouts have 8 to 10: a row of 512 cells of the maximum would be half a GB
        settings.setLineSeparatorDetectionEnabled(true);
        settings.setSkipEmptyLines(true);
        settings.setNullValue("");
        settings.setEmptyValue("");
        // keep the cells' own spaces: choices look like "  B: Left Anterior Descending "
        settings.setIgnoreLeadingWhitespaces(false);
        settings.setIgnoreTrailingWhitespaces(false);
        CsvParser parser = new CsvParser(settings);
        String fileSplit = splitOf(file);
        try (Reader r = Sources.reader(file)) {
            parser.beginParsing(r);
            String[] header = parser.getContext().parsedHeaders();
            if (header == null) {
                throw new IllegalArgumentException(file + ": empty CSV file (no header line)");
            }
            Map<String, Integer> col = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                if (header[i] != null) {
                    col.putIfAbsent(header[i].strip().toLowerCase(Locale.ROOT), i);
                }
            }
            boolean v2 = !col.containsKey("answer_label") && col.containsKey("answer") && col.containsKey("split");
            // the README spells it "Anwser"; accept both
            if (!col.containsKey("answer") && col.containsKey("anwser")) {
                col.put("answer", col.get("anwser"));
            }
            for (String need : v2 ? List.of("figure_path", "question", "choice a", "choice b", "choice c", "choice d", "answer")
                    : List.of("figure_path", "question", "answer", "choice a", "choice b", "choice c", "choice d")) {
                if (!col.containsKey(need)) {
                    throw new IllegalArgumentException(file + ": missing column '" + original(need) + "' (header: "
                            + String.join(",", nonNull(header)) + ")");
                }
            }
            String[] row;
            int index = 0;
            while ((row = parser.parseNext()) != null) {
                long line = parser.getContext().currentLine();
                String where = "row " + (++index) + " (line " + line + ")"; // the line where the row ends
                report.record(file.toString(), where);
                String figure = cell(row, col, "figure_path").strip();
                String question = cell(row, col, "question");
                if (question.isBlank()) {
                    report.skip(name, where, "missing question", "");
                    continue;
                }
                String[] choices = new String[4];
                for (int c = 0; c < 4; c++) {
                    choices[c] = cell(row, col, "choice " + LETTERS[c].toLowerCase(Locale.ROOT));
                }
                String label = v2 ? cell(row, col, "answer").strip() : cell(row, col, "answer_label").strip();
                String answer;
                int li = "ABCD".indexOf(label.toUpperCase(Locale.ROOT));
                if (v2) {
                    if (label.length() != 1 || li < 0) {
                        report.skip(name, where, "answer is not a letter A-D", label);
                        continue;
                    }
                    answer = choiceText(choices[li]);
                } else {
                    answer = cell(row, col, "answer").strip();
                    if (answer.isEmpty() && label.length() == 1 && li >= 0) {
                        answer = choiceText(choices[li]);
                    }
                }
                if (answer.isEmpty()) {
                    report.skip(name, where, "missing answer", "");
                    continue;
                }
                String refused = images.refusal(figure);
                if (refused != null) {
                    report.skip(name, where, refused, figure);
                    continue;
                }
                Map<String, String> meta = new HashMap<>();
                meta.put("image_name", figure);
                for (int c = 0; c < 4; c++) {
                    meta.put("choice_" + LETTERS[c].toLowerCase(Locale.ROOT), choiceText(choices[c]));
                }
                if (!label.isEmpty()) {
                    meta.put("answer_label", label);
                }
                if (col.containsKey("caption")) {
                    meta.put("caption", cell(row, col, "caption"));
                }
                String split = col.containsKey("split") && !cell(row, col, "split").isBlank()
                        ? cell(row, col, "split").strip() : fileSplit;
                String id = col.containsKey("index") && !cell(row, col, "index").isBlank()
                        ? cell(row, col, "index").strip() : Sources.stem(file) + ":" + index;
                out.add(new VqaExample(id, "pmc-vqa", split, images.find(figure), question, List.of(answer),
                        AnswerType.CLOSED, "en", meta));
            }
        } catch (TextParsingException e) {
            if (e.getCause() instanceof IOException io) {
                throw Sources.io(file, io);
            }
            throw new IllegalArgumentException(file + ": malformed CSV at line " + e.getLineIndex() + ": "
                    + firstLine(e.getMessage()));
        } catch (IOException e) {
            throw Sources.io(file, e);
        } finally {
            parser.stopParsing();
        }
    }

    private static String splitOf(Path file) {
        String stem = Sources.stem(file).toLowerCase(Locale.ROOT);
        if (stem.startsWith("train")) {
            return "train";
        }
        if (stem.startsWith("test")) {
            return stem.contains("clean") ? "test_clean" : "test";
        }
        return stem;
    }

    private static String cell(String[] row, Map<String, Integer> col, String key) {
        Integer i = col.get(key);
        return i == null || i >= row.length || row[i] == null ? "" : row[i];
    }

    /** {@code "  B: Left Anterior Descending "} → {@code "Left Anterior Descending"}. */
    static String choiceText(String cell) {
        String s = cell.replace('\u00A0', ' ').replace('\u200A', ' ').strip();
        if (s.length() >= 2 && "ABCD".indexOf(Character.toUpperCase(s.charAt(0))) >= 0 && s.charAt(1) == ':') {
            return s.substring(2).strip();
        }
        return s;
    }

    private static String original(String key) {
        return switch (key) {
            case "figure_path" -> "Figure_path";
            case "question" -> "Question";
            case "answer" -> "Answer";
            default -> "Choice " + key.substring(key.length() - 1).toUpperCase(Locale.ROOT);
        };
    }

    private static List<String> nonNull(String[] header) {
        List<String> out = new ArrayList<>();
        for (String h : header) {
            out.add(h == null ? "" : h);
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
