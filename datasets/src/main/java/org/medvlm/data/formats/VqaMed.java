package org.medvlm.data.formats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.medvlm.data.AnswerType;
import org.medvlm.data.LoadReport;
import org.medvlm.data.VqaDataset;
import org.medvlm.data.VqaExample;

/**
 * ImageCLEF VQA-Med 2019, 2020 and 2021: plain text, one record per line, fields separated by {@code |}
 * only (no quoting), so TABs and no-break spaces inside questions stay as they are. The layout of each file
 * follows from its name, as the organisers named them:
 * <ul>
 *   <li>QA pairs {@code image|question|answer} ({@code All_QA_Pairs_train.txt}, {@code VQAnswering_2020_Train_QA_pairs.txt},
 *       {@code VQA-Med-2021-VQAnswering-Task1-New-ValidationSet.txt});</li>
 *   <li>2019 test with answers {@code image|category|question|answer};</li>
 *   <li>test questions {@code image|question}, joined by image id with reference answers {@code image|answer[|answer...]}
 *       (or the mscoco-format questions JSON of the 2021 evaluator) where both are present.</li>
 * </ul>
 * {@code #} separates alternative answers. Per-category files ({@code QAPairsByCategory/C1_Modality_train.txt})
 * give the category of the 2019 train and validation pairs.
 */
public final class VqaMed {
    private enum Layout { QA, TEST_WITH_CATEGORY, QUESTIONS, ANSWERS, CATEGORY, IGNORED }

    private VqaMed() {}

    public static VqaDataset load(int year, Path path) {
        if (year < 2019 || year > 2021) {
            throw new IllegalArgumentException("VQA-Med " + year + ": only 2019, 2020 and 2021 are known");
        }
        Sources.existing(path);
        String name = "vqa-med-" + year;
        LoadReport.Builder report = new LoadReport.Builder(name, path);
        DatasetRoot root = DatasetRoot.of(path);
        List<Path> files = Files.isDirectory(path) ? Sources.find(path, 5, ".txt") : List.of(path);
        Map<String, List<Path>> bySplit = new LinkedHashMap<>();
        Map<String, String> categories = new HashMap<>();
        Map<Path, Layout> layouts = new HashMap<>();
        int ignored = 0;
        for (Path f : files) {
            Layout layout = layout(f);
            if (layout == Layout.IGNORED) {
                ignored++;
                continue;
            }
            if (layout == Layout.CATEGORY) {
                readCategories(root, path, f, categories, report);
                continue;
            }
            layouts.put(f, layout);
            bySplit.computeIfAbsent(split(year, f), k -> new ArrayList<>()).add(f);
        }
        if (bySplit.isEmpty()) {
            throw new IllegalArgumentException(path + ": no VQA-Med question or answer file (image|question|answer lines) found");
        }
        if (ignored > 0) {
            report.note(ignored + " files that hold no questions (READMEs, image id lists) were not read");
        }
        List<VqaExample> out = new ArrayList<>();
        for (Map.Entry<String, List<Path>> e : sortSplits(bySplit).entrySet()) {
            readSplit(name, root, path, e.getKey(), e.getValue(), layouts, categories, report, out);
        }
        Sources.noteDuplicates(out, report);
        return VqaDataset.of(name, out, report.build());
    }

    private static Layout layout(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        String parent = f.getParent() == null ? "" : f.getParent().getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.contains("readme") || n.contains("imageids") || n.contains("image_ids")) {
            return Layout.IGNORED;
        }
        if (parent.equals("qapairsbycategory") || n.matches("c\\d_.*")) {
            return Layout.CATEGORY;
        }
        if (n.contains("w_ref_answers")) {
            return Layout.TEST_WITH_CATEGORY;
        }
        if (n.contains("referenceanswers") || n.contains("reference_answers") || n.contains("groundtruth")) {
            return Layout.ANSWERS;
        }
        if (n.contains("questions")) {
            return Layout.QUESTIONS;
        }
        return Layout.QA;
    }

    private static String split(int year, Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (year == 2021 && n.contains("2020")) {
            return "train"; // 2021 trains on the 2020 train and validation sets
        }
        // by whole words of the name, then of the folders above: "4Evaluator" must not read as "val"
        for (Path p = f; p != null && p.getFileName() != null; p = p.getParent()) {
            for (String word : p.getFileName().toString().toLowerCase(Locale.ROOT).split("[^a-z]+")) {
                if (word.startsWith("train")) {
                    return "train";
                }
                if (word.startsWith("val")) {
                    return "val";
                }
                if (word.startsWith("test")) {
                    return "test";
                }
            }
        }
        return Sources.stem(f);
    }

    private static Map<String, List<Path>> sortSplits(Map<String, List<Path>> bySplit) {
        Map<String, List<Path>> sorted = new LinkedHashMap<>();
        for (String s : List.of("train", "val", "test")) {
            if (bySplit.containsKey(s)) {
                sorted.put(s, bySplit.get(s));
            }
        }
        bySplit.forEach(sorted::putIfAbsent);
        return sorted;
    }

    private static void readCategories(DatasetRoot root, Path source, Path f, Map<String, String> categories,
            LoadReport.Builder report) {
        String n = f.getFileName().toString();
        String[] parts = n.split("_");
        String category = parts.length > 1 ? parts[1].toLowerCase(Locale.ROOT) : Sources.stem(f);
        Sources.eachLine(f.equals(source) ? f : root.file(f), report, (number, text) -> {
            String[] fields = text.split("\\|", -1);
            if (fields.length == 3) {
                categories.put(fields[0] + "|" + fields[1] + "|" + fields[2], category);
            }
        });
    }

    private static void readSplit(String dataset, DatasetRoot root, Path source, String split, List<Path> files,
            Map<Path, Layout> layouts, Map<String, String> categories, LoadReport.Builder report, List<VqaExample> out) {
        List<Path> complete = files.stream()
                .filter(f -> layouts.get(f) == Layout.QA || layouts.get(f) == Layout.TEST_WITH_CATEGORY).toList();
        Map<String, Integer> perImage = new HashMap<>();
        if (!complete.isEmpty()) {
            for (Path f : complete) {
                readComplete(dataset, root, source, split, f, layouts.get(f), categories, perImage, report, out);
            }
            long partial = files.size() - complete.size();
            if (partial > 0) {
                report.note(split + ": " + partial + " question-only or answer-only files were not read, "
                        + "because a file with both questions and answers covers the split");
            }
            return;
        }
        // questions and answers in separate files: join by image id
        Map<String, String> questions = new LinkedHashMap<>();
        Map<String, List<String>> answers = new LinkedHashMap<>();
        Map<String, String> origin = new HashMap<>();
        Path imageHome = files.get(0);
        for (Path f : files) {
            String rel = Sources.relative(source, f);
            Sources.eachLine(f.equals(source) ? f : root.file(f), report, (number, text) -> {
                String[] fields = text.split("\\|", -1);
                String where = "line " + number;
                if (layouts.get(f) == Layout.QUESTIONS) {
                    if (fields.length != 2) {
                        report.skip(rel, where, "wrong field count: expected image|question", fields.length + " fields");
                        return;
                    }
                    questions.put(fields[0].strip(), fields[1]);
                    origin.putIfAbsent(fields[0].strip(), rel + " " + where);
                } else {
                    if (fields.length < 2) {
                        report.skip(rel, where, "wrong field count: expected image|answer[|answer...]", fields.length + " fields");
                        return;
                    }
                    List<String> alts = new ArrayList<>();
                    for (int i = 1; i < fields.length; i++) {
                        alts.addAll(alternatives(fields[i], true));
                    }
                    answers.put(fields[0].strip(), alts);
                    origin.putIfAbsent(fields[0].strip(), rel + " " + where);
                }
            });
        }
        if (questions.isEmpty() && !answers.isEmpty()) {
            mscocoQuestions(root, files, questions, report);
        }
        List<String> ids = new ArrayList<>(questions.keySet());
        answers.keySet().stream().filter(id -> !questions.containsKey(id)).forEach(ids::add);
        Images images = images(root, imageHome, split, report);
        int noAnswer = 0;
        int noQuestion = 0;
        for (String id : ids) {
            String q = questions.getOrDefault(id, "");
            List<String> a = answers.getOrDefault(id, List.of());
            noAnswer += a.isEmpty() ? 1 : 0;
            noQuestion += q.isEmpty() ? 1 : 0;
            String refused = images.refusal(id + ".jpg");
            if (refused != null) {
                String[] at = origin.get(id).split(" ", 2);
                report.skip(at[0], at[1], refused, id);
                continue;
            }
            Map<String, String> meta = new HashMap<>();
            meta.put("image_name", id + ".jpg");
            out.add(new VqaExample(id, dataset, split, images.find(id + ".jpg"), q, a,
                    a.isEmpty() ? AnswerType.OPEN : AnswerType.fromAnswer(a.get(0)), "en", meta));
        }
        if (noAnswer > 0) {
            report.note(split + ": " + noAnswer + " questions have no reference answer in the files read");
        }
        if (noQuestion > 0) {
            report.note(split + ": " + noQuestion + " reference answers have no question in the files read");
        }
    }

    private static void readComplete(String dataset, DatasetRoot root, Path source, String split, Path f, Layout layout,
            Map<String, String> categories, Map<String, Integer> perImage, LoadReport.Builder report, List<VqaExample> out) {
        String rel = Sources.relative(source, f);
        int expected = layout == Layout.QA ? 3 : 4;
        Images images = images(root, f, split, report);
        Sources.eachLine(f.equals(source) ? f : root.file(f), report, (number, text) -> {
            String[] fields = text.split("\\|", -1);
            String where = "line " + number;
            if (fields.length != expected) {
                report.skip(rel, where, "wrong field count: expected " + (expected == 3 ? "image|question|answer"
                        : "image|category|question|answer"), fields.length + " fields");
                return;
            }
            String imageId = fields[0].strip();
            String question = fields[expected - 2];
            String answer = fields[expected - 1];
            if (question.isBlank()) {
                report.skip(rel, where, "missing question", "");
                return;
            }
            String refused = images.refusal(imageId + ".jpg");
            if (refused != null) {
                report.skip(rel, where, refused, imageId);
                return;
            }
            List<String> answers = alternatives(answer, false);
            Map<String, String> meta = new HashMap<>();
            meta.put("image_name", imageId + ".jpg");
            String category = layout == Layout.TEST_WITH_CATEGORY ? fields[1].strip()
                    : categories.get(fields[0] + "|" + fields[1] + "|" + fields[2]);
            if (category != null) {
                meta.put("category", category);
            }
            int k = perImage.merge(imageId, 1, Integer::sum) - 1;
            out.add(new VqaExample(k == 0 ? imageId : imageId + "#" + k, dataset, split, images.find(imageId + ".jpg"),
                    question, answers, answers.isEmpty() ? AnswerType.OPEN : AnswerType.fromAnswer(answers.get(0)), "en", meta));
        });
    }

    /** {@code a#b} lists alternative correct answers; the evaluator strips each one. */
    private static List<String> alternatives(String field, boolean strip) {
        List<String> out = new ArrayList<>();
        for (String a : field.split("#", -1)) {
            String v = strip ? a.strip() : a;
            if (!v.isBlank()) {
                out.add(v);
            }
        }
        return out;
    }

    /** The 2021 evaluator keeps its questions in an mscoco-format JSON beside the answers. */
    private static void mscocoQuestions(DatasetRoot root, List<Path> files, Map<String, String> questions,
            LoadReport.Builder report) {
        for (Path f : files) {
            Path dir = f.toAbsolutePath().getParent();
            for (Path j : Sources.list(dir, ".json")) {
                String n = j.getFileName().toString().toLowerCase(Locale.ROOT);
                if (!n.contains("question")) {
                    continue;
                }
                boolean found = Sources.jsonMemberArray(root.file(j), "questions", report, (i, q) -> {
                    if (q.isJsonObject()) {
                        String id = Sources.string(q.getAsJsonObject().get("question_id"));
                        String text = Sources.string(q.getAsJsonObject().get("question"));
                        if (id != null && text != null) {
                            questions.put(id.strip(), text);
                        }
                    }
                });
                if (found) {
                    report.note("questions taken from " + j.getFileName());
                    return;
                }
            }
        }
    }

    /**
     * The image folder beside a file: the organisers put {@code Train_images/}, {@code Val_images/},
     * {@code VQAMed2019_Test_Images/} next to the text files; one whose name mentions the split wins.
     */
    private static Images images(DatasetRoot root, Path file, String split, LoadReport.Builder report) {
        Path dir = file.toAbsolutePath().getParent();
        List<Path> candidates = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isDirectory)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith("images"))
                    .sorted().forEach(candidates::add);
        } catch (IOException e) {
            throw Sources.io(dir, e);
        }
        Path chosen = candidates.stream()
                .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).contains(split))
                .findFirst().orElse(candidates.isEmpty() ? dir.resolve("images") : candidates.get(0));
        return new Images(root, chosen, report);
    }
}
