package org.medvlm.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.imaging.ImageFilesTestAccess;
import org.medvlm.testing.ChildJvm;

/**
 * Seeded fuzzing of every dataset reader (SLAKE, VQA-RAD, PathVQA, VQA-Med, PMC-VQA, PMC-OA, ROCO, predictions and
 * reference answers) and of image decoding, in a JVM of 256 MiB: valid files, random JSON of any shape and depth,
 * byte-level mutations and cuts, and the probe's hostile inputs (nesting 100,000 deep, a line of 3 MB, a named
 * pipe, images declaring 28,000 x 28,000 pixels or cut to a third). Each must load or be refused in one line that
 * starts with the path, within 10 s, without a JVM error.
 */
class DatasetFuzzTest {
    private static final long SEED = 7_2026L;

    @TempDir Path dir;

    private final List<Map.Entry<String, Path>> inputs = new ArrayList<>();
    private int n;

    private Path folder(String kind) throws IOException {
        Path d = Files.createDirectories(dir.resolve(kind + "-" + n++));
        return d;
    }

    private void add(String kind, Path p) {
        inputs.add(Map.entry(kind, p));
    }

    /** Random JSON of random shape: what a stranger's annotation file may hold. */
    static String randomJson(Random r, int depth) {
        int pick = depth > 12 ? 4 + r.nextInt(4) : r.nextInt(8);
        return switch (pick) {
            case 0, 1 -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0, k = r.nextInt(5); i < k; i++) {
                    sb.append(i > 0 ? "," : "").append(randomJson(r, depth + 1));
                }
                yield sb.append(']').toString();
            }
            case 2, 3 -> {
                String[] keys = {"question", "answer", "img_name", "image_name", "qid", "q_lang", "answer_type", "sentf", "pvqa",
                        "labelf", "img_id", "image", "caption", "id", "answers", "choices", "location", "triple", "phrase_type"};
                StringBuilder sb = new StringBuilder("{");
                for (int i = 0, k = r.nextInt(6); i < k; i++) {
                    sb.append(i > 0 ? "," : "").append('"').append(keys[r.nextInt(keys.length)]).append("\":").append(randomJson(r, depth + 1));
                }
                yield sb.append('}').toString();
            }
            case 4 -> String.valueOf(r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(100));
            case 5 -> new String[] {"true", "false", "null", "1e999", "-0.0", "NaN"}[r.nextInt(6)];
            default -> '"' + new String[] {"yes", "no", "xmlab1/source.jpg", "../../etc/passwd", "/etc/passwd", "a.jpg", "\\u0000",
                    "Is there a lesion?", "C:\\\\x", "é漢字", ""}[r.nextInt(11)] + '"';
        };
    }

    static byte[] mutate(byte[] b, Random r) {
        if (b.length == 0) {
            return b;
        }
        byte[] m = b.clone();
        switch (r.nextInt(4)) {
            case 0 -> {
                String structural = "[]{}\",:\\\n|\t\u00ff0";
                for (int i = 0, k = 1 + r.nextInt(8); i < k; i++) {
                    m[r.nextInt(m.length)] = (byte) structural.charAt(r.nextInt(structural.length()));
                }
            }
            case 1 -> m = Arrays.copyOf(m, r.nextInt(m.length));
            case 2 -> m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
            default -> {
                int at = r.nextInt(m.length);
                byte[] junk = new byte[1 + r.nextInt(32)];
                r.nextBytes(junk);
                byte[] out = new byte[m.length + junk.length];
                System.arraycopy(m, 0, out, 0, at);
                System.arraycopy(junk, 0, out, at, junk.length);
                System.arraycopy(m, at, out, at + junk.length, m.length - at);
                m = out;
            }
        }
        return m;
    }

    private static final String SLAKE = "[{\"img_name\": \"xmlab1/source.jpg\", \"question\": \"Is this a CT?\", \"answer\": \"Yes\", "
            + "\"q_lang\": \"en\", \"qid\": 1, \"location\": \"Lung\", \"answer_type\": \"CLOSED\", \"triple\": [\"a\", \"b\"]}, "
            + "{\"img_name\": \"xmlab2/source.jpg\", \"question\": \"Which organ?\", \"answer\": \"lung\", \"q_lang\": \"en\", \"qid\": 2}]";
    private static final String PVQA = "[{\"img_id\": \"a\", \"sentf\": {\"pvqa\": [\"what is shown?\", \"is it?\"]}, "
            + "\"labelf\": {\"pvqa\": [{\"liver\": 1}, {\"yes\": 1}]}}]";
    private static final String OA = "{\"image\": \"a.jpg\", \"caption\": \"A CT of the chest.\"}\n{\"image\": \"b.jpg\", \"caption\": \"x\"}\n";
    private static final String CSV = "Figure_path,Question,Answer,Choice A,Choice B,Choice C,Choice D,Answer_label\n"
            + "a.jpg,What is shown?,,A:CT,B:MRI,C:X-ray,D:US,A\n\"b.jpg\",\"Multi, line\nquestion?\",MRI,A:CT,B:MRI,C:X,D:Y,B\n";
    private static final String MED = "synpic1|what modality is shown?|ct\nsynpic2|is this normal?|no\n";
    private static final String ROCO = "ROCO_00001\t CT of the chest\nROCO_00002\t MRI\n";
    private static final String PREDS = "{\"id\": \"1\", \"answer\": \"yes\"}\n{\"id\": 2, \"prediction\": \"no\"}\n";
    private static final String GOLD = "{\"id\": \"1\", \"answers\": [\"yes\"], \"answer_type\": \"closed\"}\n";

    private void dataset(String kind, String fileName, byte[] content, Random r) throws IOException {
        Path d = folder(kind);
        Path f = Fixtures.writeBytes(d.resolve(fileName), content);
        // images beside the files, some of them hostile
        byte[] jpg = Fixtures.jpeg("jpg");
        byte[][] images = {jpg, Arrays.copyOf(jpg, jpg.length / 3), ImageFilesTestAccess.pngDeclaring(28_000, 28_000), mutate(jpg, r)};
        String folder = switch (kind) {
            case "slake" -> "imgs/xmlab1/source.jpg";
            case "vqa-rad" -> "VQA_RAD Image Folder/synpic1.jpg";
            case "pathvqa" -> "images/train/a.jpg";
            case "vqa-med-2019" -> "Train_images/synpic1.jpg";
            case "roco" -> "images/ROCO_00001.jpg";
            default -> "images/a.jpg";
        };
        Fixtures.writeBytes(d.resolve(folder), images[r.nextInt(images.length)]);
        add(kind, r.nextBoolean() ? d : f);
    }

    @Test
    void mutatedRandomAndHostileDatasetsAreLoadedOrRefusedInOneLineWithin256MiB() throws Exception {
        Random r = new Random(SEED);
        Map<String, String[]> valid = Map.of("slake", new String[] {"train.json", SLAKE},
                "vqa-rad", new String[] {"VQA_RAD Dataset Public.json", SLAKE.replace("img_name", "image_name").replace("xmlab1/source", "synpic1")},
                "pathvqa", new String[] {"pvqa_train.json", PVQA}, "pmc-oa", new String[] {"pmc_oa.jsonl", OA},
                "pmc-vqa", new String[] {"train.csv", CSV}, "vqa-med-2019", new String[] {"All_QA_Pairs_train.txt", MED},
                "roco", new String[] {"captions.txt", ROCO}, "predictions", new String[] {"p.jsonl", PREDS},
                "gold", new String[] {"g.jsonl", GOLD});
        for (Map.Entry<String, String[]> e : valid.entrySet()) {
            byte[] base = e.getValue()[1].getBytes(StandardCharsets.UTF_8);
            dataset(e.getKey(), e.getValue()[0], base, r);
            for (int i = 0; i < 14; i++) {
                dataset(e.getKey(), e.getValue()[0], mutate(i % 3 == 2 ? mutate(base, r) : base, r), r);
            }
            boolean json = e.getValue()[0].endsWith(".json");
            boolean lines = e.getValue()[0].endsWith(".jsonl");
            for (int i = 0; i < 6 && (json || lines); i++) {
                String random = json ? randomJson(r, 0) : randomJson(r, 0).replace('\n', ' ') + "\n" + randomJson(r, 0).replace('\n', ' ');
                dataset(e.getKey(), e.getValue()[0], random.getBytes(StandardCharsets.UTF_8), r);
            }
            // the probe's: nesting 100,000 deep, 3 MB on one line, bytes that are not UTF-8, nothing at all
            dataset(e.getKey(), e.getValue()[0], ("[" .repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8), r);
            dataset(e.getKey(), e.getValue()[0], ("{\"caption\": \"" + "x".repeat(3 << 20) + "\"}").getBytes(StandardCharsets.UTF_8), r);
            dataset(e.getKey(), e.getValue()[0], new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, '\n', '{', (byte) 0xA0}, r);
            dataset(e.getKey(), e.getValue()[0], new byte[0], r);
        }
        // images decoded on their own: each format cut, mutated, or declaring a huge size
        for (String format : List.of("jpg", "png", "gif", "bmp")) {
            byte[] whole = org.medvlm.imaging.ImageFilesTestAccess.encoded(format);
            for (int i = 0; i < 8; i++) {
                add("image", Fixtures.writeBytes(dir.resolve("img" + n++ + "." + format), i == 0 ? whole : i == 1
                        ? Arrays.copyOf(whole, whole.length / 3) : mutate(whole, r)));
            }
        }
        add("image", Fixtures.writeBytes(dir.resolve("big.png"), ImageFilesTestAccess.pngDeclaring(28_000, 28_000)));
        add("image", Fixtures.writeBytes(dir.resolve("big.jpg"), ImageFilesTestAccess.jpegDeclaring(20_000, 20_000)));
        add("image", Fixtures.writeBytes(dir.resolve("wide.png"), ImageFilesTestAccess.pngDeclaring(8000, 8000)));
        Path fifo = dir.resolve("pipe");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            for (String kind : List.of("slake", "pmc-oa", "predictions", "image", "pmc-vqa")) {
                add(kind, fifo);
            }
        }
        add("image", Path.of("/dev/zero"));
        add("predictions", Path.of("/dev/zero"));

        List<ChildJvm.Outcome> outcomes = ChildJvm.run(dir, inputs, 10, 150);
        ChildJvm.assertContained(outcomes);
        long loaded = outcomes.stream().filter(o -> o.status().equals("OK")).count();
        long refused = outcomes.stream().filter(o -> o.status().equals("ERROR")).count();
        assertTrue(loaded >= valid.size() && refused >= 60, loaded + " loaded, " + refused + " refused");
    }
}
