package org.medvlm.data.formats;

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

/**
 * ROCO: {@code data/{train,validation,test}/{radiology,non-radiology}/captions.txt}, each line
 * {@code ROCO_NNNNN<TAB> caption} (the space after the tab is in every line and is dropped). The files
 * beside it add metadata by id: {@code keywords.txt}, {@code semtypes.txt}, {@code cuis.txt} (tab
 * separated, an empty second field) and {@code licences.txt} (CSV {@code ROCO_ID,PMC_ID,CC}). Images are
 * {@code images/ROCO_NNNNN.jpg} in the subset folder, where the repository's download script puts them.
 */
public final class Roco {
    private Roco() {}

    public static CaptionDataset load(Path path) {
        Sources.existing(path);
        List<Path> captions = Files.isDirectory(path)
                ? Sources.find(path, 4, "captions.txt").stream().filter(p -> p.getFileName().toString().equals("captions.txt")).toList()
                : List.of(path);
        if (captions.isEmpty()) {
            throw new IllegalArgumentException(path + ": no ROCO captions.txt in this folder (expected data/<split>/<subset>/captions.txt)");
        }
        LoadReport.Builder report = new LoadReport.Builder("roco", path);
        DatasetRoot root = DatasetRoot.of(path);
        List<CaptionPair> out = new ArrayList<>();
        for (Path f : captions) {
            read(path, root, f, report, out);
        }
        return CaptionDataset.of("roco", out, report.build());
    }

    private static void read(Path source, DatasetRoot root, Path file, LoadReport.Builder report, List<CaptionPair> out) {
        Path dir = file.toAbsolutePath().getParent();
        String subset = dir.getFileName().toString();
        String split = dir.getParent() == null ? "" : dir.getParent().getFileName().toString();
        if (!List.of("train", "validation", "test").contains(split)) {
            split = subset;
            subset = "";
        }
        String rel = Sources.relative(source, file);
        Map<String, String> keywords = tabList(root, dir.resolve("keywords.txt"), ", ", source, report);
        Map<String, String> semtypes = tabList(root, dir.resolve("semtypes.txt"), "; ", source, report);
        Map<String, String> cuis = tabList(root, dir.resolve("cuis.txt"), ", ", source, report);
        Map<String, String> licences = licences(root, dir.resolve("licences.txt"), source, report);
        Images images = new Images(root, dir.resolve("images"), report);
        String fixedSplit = split;
        String fixedSubset = subset;
        Sources.eachLine(file.equals(source) ? file : root.file(file), report, (number, text) -> {
            int tab = text.indexOf('\t');
            String where = "line " + number;
            if (tab <= 0) {
                report.skip(rel, where, "no tab between id and caption", text.length() > 40 ? text.substring(0, 40) : text);
                return;
            }
            String id = text.substring(0, tab).strip();
            String caption = text.substring(tab + 1).strip();
            String refused = images.refusal(id + ".jpg");
            if (refused != null) {
                report.skip(rel, where, refused, id);
                return;
            }
            Map<String, String> meta = new HashMap<>();
            meta.put("image_name", id + ".jpg");
            if (!fixedSubset.isEmpty()) {
                meta.put("subset", fixedSubset);
            }
            putIf(meta, "keywords", keywords.get(id));
            putIf(meta, "semtypes", semtypes.get(id));
            putIf(meta, "cuis", cuis.get(id));
            putIf(meta, "licence", licences.get(id));
            out.add(new CaptionPair(id, "roco", fixedSplit, images.find(id + ".jpg"), caption, meta));
        });
    }

    private static void putIf(Map<String, String> meta, String key, String value) {
        if (value != null && !value.isEmpty()) {
            meta.put(key, value);
        }
    }

    /** {@code ID<TAB><TAB>a<TAB>b...} → id → "a, b"; absent file → empty. */
    private static Map<String, String> tabList(DatasetRoot root, Path file, String joiner, Path source, LoadReport.Builder report) {
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        Sources.eachLine(root.file(file), report, (number, text) -> {
            String[] f = text.split("\t", -1);
            List<String> values = new ArrayList<>();
            for (int i = 1; i < f.length; i++) {
                if (!f[i].isBlank()) {
                    values.add(f[i].strip());
                }
            }
            if (joiner.startsWith(";")) {
                // semtypes come in (code, name) pairs: "T060 Diagnostic Procedure; T047 ..."
                List<String> pairs = new ArrayList<>();
                for (int i = 0; i + 1 < values.size(); i += 2) {
                    pairs.add(values.get(i) + " " + values.get(i + 1));
                }
                values = pairs;
            }
            out.put(f[0].strip(), String.join(joiner, values));
        });
        return out;
    }

    /** {@code licences.txt}: CSV with the header {@code ROCO_ID,PMC_ID,CC}; the licence is the last column. */
    private static Map<String, String> licences(DatasetRoot root, Path file, Path source, LoadReport.Builder report) {
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        Sources.eachLine(root.file(file), report, (number, t) -> {
            int first = t.indexOf(',');
            int last = t.lastIndexOf(',');
            if (first > 0 && last > first && !t.toUpperCase(Locale.ROOT).startsWith("ROCO_ID,")) {
                out.put(t.substring(0, first).strip(), t.substring(last + 1).strip());
            }
        });
        return out;
    }
}
