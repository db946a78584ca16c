package org.medvlm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** The notebook views: counts, frequency tables, thumbnails, bounded printing. */
class ViewsTest {
    @TempDir Path dir;

    private VqaDataset sample(int n) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "" : ",").append("{\"img_name\":\"xmlab").append(i % 3).append("/source.jpg\",")
                    .append("\"question\":\"Question ").append(i).append("?\",\"answer\":\"").append(i % 4 == 0 ? "Yes" : "Lung")
                    .append("\",\"q_lang\":\"").append(i % 2 == 0 ? "en" : "zh").append("\",\"modality\":\"")
                    .append(i % 3 == 0 ? "CT" : "MRI").append("\",\"location\":\"Chest\",\"answer_type\":\"")
                    .append(i % 4 == 0 ? "CLOSED" : "OPEN").append("\",\"qid\":").append(i).append('}');
        }
        Fixtures.write(dir.resolve("train.json"), json.append(']').toString());
        Fixtures.image(dir.resolve("imgs/xmlab0/source.jpg"));
        Fixtures.image(dir.resolve("imgs/xmlab1/source.jpg"));
        return VqaDataset.read().slake(dir);
    }

    @Test
    void countByAndAnswerFrequencies() {
        VqaDataset ds = sample(12);
        Table t = ds.countBy("language", "answer_type");
        assertEquals(List.of("language", "answer_type", "count"), t.columnNames());
        int total = 0;
        for (int c : t.intColumn("count")) {
            total += c;
        }
        assertEquals(12, total);
        // en rows are i = 0,2,...,10; closed where i % 4 == 0: 0, 4, 8
        Table en = ds.where("language", "en").countBy("answer_type");
        assertEquals(List.of("closed", "open"), en.stringColumn("answer_type").asList().stream().sorted().toList());
        assertEquals(List.of(3, 3), en.intColumn("count").asList());

        Table freq = ds.answerFrequencies(5);
        assertEquals("Lung", freq.stringColumn("answer").get(0));
        assertEquals(9, freq.intColumn("count").get(0));
        assertEquals(0.75, freq.doubleColumn("share").get(0), 1e-9);
    }

    @Test
    void summaryAndStatsCountSplitsLanguagesOrgansModalities() {
        DatasetStats s = sample(12).stats();
        assertEquals(Map.of("en", 6, "zh", 6), s.languages());
        assertEquals(Map.of("MRI", 8, "CT", 4), s.modalities());
        assertEquals(Map.of("Chest", 12), s.organs());
        assertEquals(List.of("closed", "open"), List.copyOf(s.answerTypes().keySet()));
        Table summary = sample(12).summary();
        assertEquals("records", summary.stringColumn("field").get(0));
        assertEquals(12, summary.intColumn("count").get(0));
        assertTrue(summary.stringColumn("field").asList().contains("modality"));
        assertTrue(!summary.stringColumn("field").asList().contains("category"), "fields the dataset lacks are left out");
    }

    @Test
    void thumbnailsAreDecodedOnlyForTheRowsShown() {
        VqaDataset ds = sample(9);
        Table t = ds.thumbnails(3);
        assertEquals(3, t.rowCount());
        assertEquals("thumbnail", t.columnNames().get(0));
        String uri = t.stringColumn("thumbnail").get(0);
        assertTrue(uri.startsWith("data:image/png;base64,"), uri);
        byte[] png = Base64.getDecoder().decode(uri.substring("data:image/png;base64,".length()));
        assertEquals((byte) 0x89, png[0]);
        assertEquals("", t.stringColumn("thumbnail").get(2), "xmlab2 is missing: an empty cell, no exception");
        assertEquals(List.of("xmlab2/source.jpg"), ds.report().missingImages());
    }

    @Test
    void toStringIsBoundedForLargeDatasets() {
        List<VqaExample> many = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            many.add(new VqaExample("q" + i, "big", i % 2 == 0 ? "train" : "test", null, "question " + i + "?",
                    List.of("yes"), AnswerType.CLOSED, "en", Map.of()));
        }
        VqaDataset big = VqaDataset.of("big", many, new LoadReport.Builder("big", dir).build());
        String s = big.toString();
        assertTrue(s.length() < 3000, "length " + s.length());
        assertTrue(s.contains("99990 more"), s);
        assertEquals(10, big.first(10).rowCount());
    }

    @Test
    void whereFieldValueAndUnknownSplit() {
        VqaDataset ds = sample(12);
        assertEquals(4, ds.where("modality", "ct").size());
        assertEquals(0, ds.where("no_such_field", "x").size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ds.split("test"));
        assertEquals("split 'test' not found in slake; available: train", e.getMessage());
    }

    @Test
    void normaliseLikeTheHuggingFaceExports() {
        assertEquals("what have lost their nuclei?", VqaExample.normalize("  What have  lost their\tnuclei ? "));
        VqaExample e = new VqaExample("1", "x", "train", null, "Is this  a tumor ?", List.of(" Yes"), AnswerType.CLOSED, "en", Map.of());
        assertEquals("is this a tumor?", e.normalizedQuestion());
        assertEquals("yes", e.normalizedAnswer());
        assertEquals(" Yes", e.answer(), "the record keeps the raw text");
    }

    @Test
    void phantomsSeamSaysItIsNotAvailableYetAndChecksTheSpec() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> VqaDataset.read().format(DatasetFormat.PHANTOMS, "200"));
        assertEquals("phantoms: expected COUNT:SEED such as 200:7, got '200'", bad.getMessage());
        // until the generator is merged the seam refuses in one line; after, it must give COUNT deterministic questions
        try {
            VqaDataset a = VqaDataset.read().format(DatasetFormat.PHANTOMS, "20:7");
            VqaDataset b = VqaDataset.read().format(DatasetFormat.PHANTOMS, "20:7");
            assertEquals(20, a.size());
            assertEquals(a.stats(), b.stats());
            assertEquals(a.examples().stream().map(VqaExample::question).toList(), b.examples().stream().map(VqaExample::question).toList());
        } catch (IllegalStateException e) {
            assertEquals("phantoms: the synthetic dataset generator (org.medvlm.phantoms.Phantoms) is not available yet", e.getMessage());
        }
    }
}
