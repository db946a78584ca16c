package org.medvlm.data.formats;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
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
import org.medvlm.io.JsonInput;

/**
 * PathVQA in the LXMERT form of the official repository: {@code pvqa_{train,val,test}.json}, one record
 * per image, {@code sentf.pvqa[i]} the i-th question and {@code labelf.pvqa[i]} its {@code {answer: score}}.
 * Images are looked up in {@code images/{split}/{img_id}.jpg} beside the files. Yes/no answers are closed,
 * as in the official {@code yes/no} answer type; the rest are open.
 */
public final class PathVqa {
    private PathVqa() {}

    public static VqaDataset load(Path path) {
        Sources.existing(path);
        if (path.toString().toLowerCase(Locale.ROOT).endsWith(".pkl")) {
            throw new IllegalArgumentException(path + ": PathVQA pickles are Python objects and are not read; use the "
                    + "LXMERT pvqa_{split}.json files or the Hugging Face parquet export");
        }
        List<Path> files;
        Path dir;
        if (Files.isDirectory(path)) {
            dir = path;
            files = Sources.list(path, ".json").stream()
                    .filter(p -> p.getFileName().toString().startsWith("pvqa_")).toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException(path + ": no PathVQA pvqa_{train,val,test}.json in this folder");
            }
            files = order(files);
        } else {
            dir = path.toAbsolutePath().getParent();
            files = List.of(path);
        }
        LoadReport.Builder report = new LoadReport.Builder("pathvqa", path);
        DatasetRoot root = DatasetRoot.of(path);
        Images images = new Images(root, dir.resolve("images"), report);
        List<VqaExample> out = new ArrayList<>();
        for (Path f : files) {
            String stem = Sources.stem(f);
            String split = stem.startsWith("pvqa_") ? stem.substring(5) : stem;
            read(f.equals(path) ? f : root.file(f), Sources.relative(path, f), split, images, report, out);
        }
        Sources.noteDuplicates(out, report);
        return VqaDataset.of("pathvqa", out, report.build());
    }

    private static List<Path> order(List<Path> files) {
        List<String> order = List.of("pvqa_train.json", "pvqa_val.json", "pvqa_test.json");
        List<Path> sorted = new ArrayList<>(files);
        sorted.sort((a, b) -> Integer.compare(rank(order, a), rank(order, b)));
        return sorted;
    }

    private static int rank(List<String> order, Path p) {
        int i = order.indexOf(p.getFileName().toString());
        return i < 0 ? order.size() : i;
    }

    private static void read(Path file, String name, String split, Images images, LoadReport.Builder report,
            List<VqaExample> out) {
        Sources.jsonArray(file, name, "image records", report, (i, entry) -> {
            if (!entry.isJsonObject()) {
                report.skip(name, "index " + i, "not a JSON object", JsonInput.preview(entry, 60));
                return;
            }
            JsonObject o = entry.getAsJsonObject();
            String imgId = Sources.string(o.get("img_id"));
            JsonArray questions = nested(o, "sentf");
            JsonArray labels = nested(o, "labelf");
            if (questions == null || labels == null) {
                report.skip(name, "index " + i, "no sentf.pvqa/labelf.pvqa lists", imgId == null ? "" : imgId);
                return;
            }
            String imageName = imgId == null ? null : split + "/" + imgId + ".jpg";
            String refused = images.refusal(imageName);
            for (int q = 0; q < questions.size(); q++) {
                String where = "index " + i + " question " + q;
                if (q > 0) {
                    report.record(file.toString(), where); // the entry counted as one record, each further question counts too
                }
                if (refused != null) {
                    report.skip(name, where, refused, imageName == null ? "" : imageName);
                    continue;
                }
                String question = Sources.string(questions.get(q));
                if (question == null || question.isBlank()) {
                    report.skip(name, where, "missing question", "");
                    continue;
                }
                List<String> answers = q < labels.size() ? answers(labels.get(q)) : List.of();
                if (answers.isEmpty()) {
                    report.skip(name, where, "missing answer", question);
                    continue;
                }
                Map<String, String> meta = new HashMap<>();
                meta.put("image_name", imageName);
                out.add(new VqaExample(imgId + "#" + q, "pathvqa", split, images.find(imageName), question, answers,
                        AnswerType.fromAnswer(answers.get(0)), "en", meta));
            }
            for (int q = questions.size(); q < labels.size(); q++) {
                report.record(file.toString(), "index " + i + " label " + q);
                report.skip(name, "index " + i + " label " + q, "answer without question", JsonInput.preview(labels.get(q), 60));
            }
        });
    }

    private static JsonArray nested(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonObject()) {
            return null;
        }
        JsonElement list = e.getAsJsonObject().get("pvqa");
        return list != null && list.isJsonArray() ? list.getAsJsonArray() : null;
    }

    /** The label's answers, highest score first (the files have one answer with score 1). */
    private static List<String> answers(JsonElement label) {
        if (label == null || !label.isJsonObject()) {
            return List.of();
        }
        List<Map.Entry<String, JsonElement>> entries = new ArrayList<>(label.getAsJsonObject().entrySet());
        entries.sort((a, b) -> Double.compare(score(b.getValue()), score(a.getValue())));
        return entries.stream().map(Map.Entry::getKey).toList();
    }

    private static double score(JsonElement e) {
        try {
            return e.getAsDouble();
        } catch (RuntimeException ex) {
            return 0;
        }
    }
}
