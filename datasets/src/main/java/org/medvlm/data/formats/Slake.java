package org.medvlm.data.formats;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.medvlm.data.LoadReport;
import org.medvlm.data.VqaDataset;
import org.medvlm.data.VqaExample;

/**
 * SLAKE 1.0: {@code train.json}, {@code validate.json} (or {@code validation.json}) and {@code test.json}
 * beside {@code imgs/xmlabN/source.jpg}. English and Chinese questions share the files ({@code q_lang}).
 * The split is the file's name.
 */
public final class Slake {
    private static final List<String> FILES = List.of("train.json", "validate.json", "validation.json", "test.json");

    private Slake() {}

    public static VqaDataset load(Path path) {
        Sources.existing(path);
        List<Path> files = new ArrayList<>();
        Path dir;
        if (Files.isDirectory(path)) {
            dir = path;
            for (String n : FILES) {
                if (Files.isRegularFile(path.resolve(n))) {
                    files.add(path.resolve(n));
                }
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException(path + ": no SLAKE split file (train.json, validate.json, test.json) in this folder");
            }
        } else {
            dir = path.toAbsolutePath().getParent();
            files.add(path);
        }
        LoadReport.Builder report = new LoadReport.Builder("slake", path);
        DatasetRoot root = DatasetRoot.of(path);
        Images images = new Images(root, dir.resolve("imgs"), report);
        List<VqaExample> out = new ArrayList<>();
        for (Path f : files) {
            read(f.equals(path) ? f : root.file(f), Sources.relative(path, f), Sources.stem(f), images, report, out);
        }
        Sources.noteDuplicates(out, report);
        return VqaDataset.of("slake", out, report.build());
    }

    private static void read(Path file, String name, String split, Images images, LoadReport.Builder report,
            List<VqaExample> out) {
        Sources.jsonArray(file, name, "questions", report, (i, entry) -> {
            Sources.Question q = Sources.question(i, entry, "img_name", images, name, report);
            if (q == null) {
                return;
            }
            JsonObject o = entry.getAsJsonObject();
            String lang = Sources.string(o.get("q_lang"));
            String qid = Sources.string(o.get("qid"));
            Map<String, String> meta = new HashMap<>();
            // SLAKE's "location" is the body region; it is the organ column of tables and stats
            VqaRad.put(meta, "organ", o, "location");
            VqaRad.put(meta, "modality", o, "modality");
            VqaRad.put(meta, "content_type", o, "content_type");
            VqaRad.put(meta, "base_type", o, "base_type");
            VqaRad.put(meta, "img_id", o, "img_id");
            JsonElement triple = o.get("triple");
            if (triple != null && triple.isJsonArray()) {
                List<String> parts = new ArrayList<>();
                triple.getAsJsonArray().forEach(t -> parts.add(t.isJsonPrimitive() ? t.getAsString() : org.medvlm.io.JsonInput.preview(t, 200)));
                meta.put("triple", String.join(", ", parts));
            }
            meta.put("image_name", q.imageName());
            out.add(new VqaExample(qid == null ? split + ":" + i : qid, "slake", split, images.find(q.imageName()),
                    q.question(), List.of(q.answer()), q.type(), lang == null ? "en" : lang.strip(), meta));
        });
    }
}
