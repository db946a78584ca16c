package org.medvlm.data.formats;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.medvlm.data.CaptionDataset;
import org.medvlm.data.CaptionPair;
import org.medvlm.data.LoadReport;
import org.medvlm.io.JsonInput;

/**
 * PMC-OA: JSON Lines, one {@code {"image": "PMC212319_Fig3_4.jpg", "caption": "..."}} per line (older
 * releases add {@code pmcid}, {@code url_name}). The file is streamed line by line, so the 1.6M-pair
 * corpus never sits in memory as text; a malformed line is skipped and reported, not fatal.
 * Split: {@code train}/{@code valid}/{@code test} from the file name, else the file's stem
 * ({@code pmc_oa}). Images are {@code images/<image>} beside the file.
 */
public final class PmcOa {
    private PmcOa() {}

    public static CaptionDataset load(Path path) {
        Sources.existing(path);
        List<Path> files = Files.isDirectory(path) ? Sources.list(path, ".jsonl") : List.of(path);
        if (files.isEmpty()) {
            throw new IllegalArgumentException(path + ": no PMC-OA .jsonl file in this folder");
        }
        LoadReport.Builder report = new LoadReport.Builder("pmc-oa", path);
        DatasetRoot root = DatasetRoot.of(path);
        List<CaptionPair> out = new ArrayList<>();
        for (Path f : files) {
            Images images = new Images(root, f.toAbsolutePath().getParent().resolve("images"), report);
            read(f.equals(path) ? f : root.file(f), Sources.relative(path, f), images, report, out);
        }
        return CaptionDataset.of("pmc-oa", out, report.build());
    }

    private static void read(Path file, String name, Images images, LoadReport.Builder report, List<CaptionPair> out) {
        String split = Sources.stem(file).toLowerCase(Locale.ROOT);
        Sources.eachLine(file, report, (n, line) -> {
            String where = "line " + n;
            JsonElement e;
            try {
                e = JsonInput.parse(line);
            } catch (IOException | RuntimeException ex) {
                report.skip(name, where, "malformed JSON line", line.length() > 60 ? line.substring(0, 60) + "..." : line);
                return;
            }
            if (!e.isJsonObject()) {
                report.skip(name, where, "not a JSON object", "");
                return;
            }
            JsonObject o = e.getAsJsonObject();
            String image = Sources.string(o.get("image"));
            String caption = Sources.string(o.get("caption"));
            if (caption == null) {
                report.skip(name, where, "missing caption", "");
                return;
            }
            String refused = images.refusal(image);
            if (refused != null) {
                report.skip(name, where, refused, image == null ? "" : image);
                return;
            }
            Map<String, String> meta = new HashMap<>();
            meta.put("image_name", image);
            for (String k : List.of("pmcid", "url_name")) {
                String v = Sources.string(o.get(k));
                if (v != null) {
                    meta.put(k, v);
                }
            }
            out.add(new CaptionPair(Sources.stem(Path.of(image)), "pmc-oa", split, images.find(image), caption, meta));
        });
    }
}
