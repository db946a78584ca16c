package org.medvlm.data.formats;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.medvlm.data.LoadReport;
import org.medvlm.data.VqaDataset;
import org.medvlm.data.VqaExample;

/**
 * VQA-RAD as published on OSF ({@code VQA_RAD Dataset Public.json} beside {@code VQA_RAD Image Folder/}),
 * or in MEVF's derived {@code trainset.json}/{@code testset.json} beside {@code images/}.
 *
 * <p>The OSF file has no split field: test is {@code phrase_type} {@code test_freeform} or {@code test_para}.
 * Its quirks are tolerated: {@code qid} and {@code answer} are numbers or strings, {@code "CLOSED "} has a
 * trailing space, yes/no casing varies (kept raw), and duplicate triplets are real data, kept and counted.
 */
public final class VqaRad {
    public static final String PUBLIC_JSON = "VQA_RAD Dataset Public.json";
    public static final String IMAGE_FOLDER = "VQA_RAD Image Folder";

    private VqaRad() {}

    public static VqaDataset load(Path path) {
        Sources.existing(path);
        List<Path> files;
        Path dir;
        if (Files.isDirectory(path)) {
            dir = path;
            if (Files.isRegularFile(path.resolve(PUBLIC_JSON))) {
                files = List.of(path.resolve(PUBLIC_JSON));
            } else if (Files.isRegularFile(path.resolve("trainset.json")) || Files.isRegularFile(path.resolve("testset.json"))) {
                files = new ArrayList<>();
                for (String n : List.of("trainset.json", "testset.json")) {
                    if (Files.isRegularFile(path.resolve(n))) {
                        files.add(path.resolve(n));
                    }
                }
            } else {
                throw new IllegalArgumentException(path + ": no '" + PUBLIC_JSON + "' nor trainset.json/testset.json"
                        + " (nor HF parquet files) in this folder");
            }
        } else {
            dir = path.toAbsolutePath().getParent();
            files = List.of(path);
        }
        LoadReport.Builder report = new LoadReport.Builder("vqa-rad", path);
        Path imageDir = Files.isDirectory(dir.resolve(IMAGE_FOLDER)) || !Files.isDirectory(dir.resolve("images"))
                ? dir.resolve(IMAGE_FOLDER) : dir.resolve("images");
        DatasetRoot root = DatasetRoot.of(path);
        Images images = new Images(root, imageDir, report);
        List<VqaExample> out = new ArrayList<>();
        for (Path f : files) {
            String stem = Sources.stem(f).toLowerCase(Locale.ROOT);
            // MEVF files carry the split in their name; the OSF file in phrase_type
            String fileSplit = stem.equals("trainset") ? "train" : stem.equals("testset") ? "test" : null;
            read(f.equals(path) ? f : root.file(f), Sources.relative(path, f), fileSplit, images, report, out);
        }
        Sources.noteDuplicates(out, report);
        return VqaDataset.of("vqa-rad", out, report.build());
    }

    private static void read(Path file, String name, String fileSplit, Images images, LoadReport.Builder report,
            List<VqaExample> out) {
        Sources.jsonArray(file, name, "questions", report, (i, entry) -> {
            Sources.Question q = Sources.question(i, entry, "image_name", images, name, report);
            if (q == null) {
                return;
            }
            JsonObject o = entry.getAsJsonObject();
            String qid = Sources.string(o.get("qid"));
            String phrase = Sources.string(o.get("phrase_type"));
            String split = fileSplit != null ? fileSplit
                    : phrase != null && phrase.strip().toLowerCase(Locale.ROOT).startsWith("test") ? "test" : "train";
            Map<String, String> meta = new HashMap<>();
            put(meta, "organ", o, "image_organ");
            put(meta, "question_type", o, "question_type");
            put(meta, "phrase_type", o, "phrase_type");
            put(meta, "evaluation", o, "evaluation");
            put(meta, "image_case_url", o, "image_case_url");
            meta.put("image_name", q.imageName());
            out.add(new VqaExample(qid == null ? String.valueOf(i) : qid, "vqa-rad", split, images.find(q.imageName()),
                    q.question(), List.of(q.answer()), q.type(), "en", meta));
        });
    }

    static void put(Map<String, String> meta, String key, JsonObject o, String field) {
        String v = Sources.string(o.get(field));
        if (v != null && !v.equals("NULL")) {
            meta.put(key, v.strip());
        }
    }
}
