package org.medvlm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.io.Limit;
import org.medvlm.testing.Limits;

/**
 * Every dataset reader refuses hostile annotation files in one line that starts with the file: nesting past the
 * limit, more records than the budget, lines longer than the limit, empty or truncated files, files that are not
 * regular files; no reader recurses per JSON level, holds a whole file as one tree, or keeps unbounded details.
 */
@SuppressWarnings("try") // the try-with-resources only scope a limit
class HostileDatasetsTest {
    @TempDir Path dir;

    /** The one-line message (through an {@link UncheckedIOException} as the command line unwraps it). */
    private static String refused(Executable load) {
        RuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(RuntimeException.class, load));
        String m = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(e instanceof IllegalArgumentException || e instanceof UncheckedIOException, e.getClass() + ": " + m);
        return m;
    }

    private static void startsWith(Path file, String m) {
        assertTrue(m.startsWith(file + ": ") || m.startsWith(file.toAbsolutePath() + ": "), m);
    }

    private static String deep(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    @Test
    void jsonNestedPastTheLimitInEveryJsonFormat() {
        Path slake = Fixtures.write(dir.resolve("slake/train.json"), deep(100_000));
        startsWith(slake, refused(() -> VqaDataset.read().slake(slake.getParent())));
        Path rad = Fixtures.write(dir.resolve("rad/VQA_RAD Dataset Public.json"), "[{\"question\": " + deep(5000) + "}]");
        String m = refused(() -> VqaDataset.read().vqaRad(rad.getParent()));
        startsWith(rad, m);
        assertTrue(m.contains("malformed JSON: nested deeper than 64 levels at $[0].question"), m);
        Path pvqa = Fixtures.write(dir.resolve("pvqa/pvqa_train.json"), "[{\"img_id\": \"a\", \"sentf\": {\"pvqa\": "
                + "{\"x\":".repeat(70) + "1" + "}".repeat(70) + "}}]");
        startsWith(pvqa, refused(() -> VqaDataset.read().pathVqa(pvqa.getParent())));
        Path med = dir.resolve("med");
        Fixtures.write(med.resolve("Task1-VQAnswering2021-Test-ReferenceAnswers-4Evaluator.txt"), "synpic1|ct\n");
        Path coco = Fixtures.write(med.resolve("Task1-Test-ReferenceQuestions_mscoco_format_vqa.json"),
                "{\"info\": " + deep(100_000) + ", \"questions\": []}");
        // skipped members are walked without being built: only the questions are held
        assertEquals(1, VqaDataset.read().vqaMed(2021, med).size());
        Fixtures.write(coco, "{\"questions\": [" + deep(100) + "]}");
        startsWith(coco, refused(() -> VqaDataset.read().vqaMed(2021, med)));
        // a JSON Lines caption that nests too deep is one malformed line, skipped and counted
        Path oa = Fixtures.write(dir.resolve("oa/pmc_oa.jsonl"), "{\"image\": \"a.jpg\", \"caption\": " + deep(100_000) + "}\n"
                + "{\"image\": \"b.jpg\", \"caption\": \"fine\"}\n");
        CaptionDataset pairs = CaptionDataset.read().pmcOa(oa);
        assertEquals(1, pairs.size());
        assertEquals(1, pairs.report().skippedReasons().get("malformed JSON line"));
    }

    @Test
    void recordsBeyondTheBudgetStopTheLoad() {
        String empties = "[" + String.join(",", java.util.Collections.nCopies(30_000, "{}")) + "]";
        Path slake = Fixtures.write(dir.resolve("slake/train.json"), empties);
        try (var l = Limits.set(Limit.RECORDS, 10_000)) {
            String m = refused(() -> VqaDataset.read().slake(slake.getParent()));
            startsWith(slake, m);
            assertTrue(m.contains("more than 10000 records in this load, at index 10000"), m);
            Path oa = Fixtures.write(dir.resolve("oa/pmc_oa.jsonl"), "{}\n".repeat(10_001));
            assertTrue(refused(() -> CaptionDataset.read().pmcOa(oa)).contains("more than 10000 records"));
            Path med = Fixtures.write(dir.resolve("med/All_QA_Pairs_train.txt"), "a|b|c\n".repeat(10_001));
            startsWith(med, refused(() -> VqaDataset.read().vqaMed(2019, med.getParent())));
            Path csv = Fixtures.write(dir.resolve("pmcvqa/train.csv"),
                    "Figure_path,Question,Answer,Choice A,Choice B,Choice C,Choice D,Answer_label\n" + "a.jpg,q,,A:x,B:y,C:z,D:w,A\n".repeat(10_001));
            startsWith(csv, refused(() -> VqaDataset.read().pmcVqa(csv)));
            Path roco = Fixtures.write(dir.resolve("roco/captions.txt"), "ROCO_1\t c\n".repeat(10_001));
            startsWith(roco, refused(() -> CaptionDataset.read().roco(roco)));
        }
        // within the budget: loaded, every skip counted, details kept to a bounded number
        VqaDataset ds = VqaDataset.read().slake(slake.getParent());
        assertEquals(0, ds.size());
        assertEquals(30_000, ds.report().skippedCount());
        assertEquals(LoadReport.DETAILS_KEPT, ds.report().skipped().size());
        assertEquals(30_000, ds.report().skippedReasons().get("missing question"));
        assertEquals(30_000, ds.stats().skipped());
    }

    @Test
    void linesAndCellsLongerThanTheLimit() {
        try (var l = Limits.set(Limit.LINE_CHARS, 10_000)) {
            String longText = "x".repeat(20_000);
            Path oa = Fixtures.write(dir.resolve("oa/pmc_oa.jsonl"), "{\"image\": \"a.jpg\", \"caption\": \"" + longText + "\"}\n");
            String m = refused(() -> CaptionDataset.read().pmcOa(oa));
            startsWith(oa, m);
            assertTrue(m.contains("line 1 is longer than 10000 characters"), m);
            Path med = Fixtures.write(dir.resolve("med/All_QA_Pairs_train.txt"), "a|b|c\na|" + longText + "|c\n");
            assertTrue(refused(() -> VqaDataset.read().vqaMed(2019, med.getParent())).contains("line 2 is longer than 10000"));
            Path csv = Fixtures.write(dir.resolve("pmcvqa/train.csv"),
                    "Figure_path,Question,Answer,Choice A,Choice B,Choice C,Choice D,Answer_label\na.jpg,\"" + longText + "\",x,A,B,C,D,A\n");
            m = refused(() -> VqaDataset.read().pmcVqa(csv));
            startsWith(csv, m);
            assertTrue(m.contains("malformed CSV"), m);
            Path roco = Fixtures.write(dir.resolve("roco/captions.txt"), "ROCO_1\t " + longText + "\n");
            startsWith(roco, refused(() -> CaptionDataset.read().roco(roco)));
            // one JSON entry is built whole: a string of a gigabyte would be a gigabyte of chars
            Path slake = Fixtures.write(dir.resolve("slake/train.json"), "[{\"question\": \"ok?\", \"answer\": \"yes\", \"img_name\": \"a.jpg\"},"
                    + "{\"question\": \"" + longText + "\", \"answer\": \"no\"}]");
            m = refused(() -> VqaDataset.read().slake(slake.getParent()));
            assertEquals(slake + ": entry 1 is longer than 10000 characters (limit 10000 characters per line of a text or JSON Lines"
                    + " file, per JSON array entry and per CSV cell; change it with -Dmedvlm.limit.line-chars=N)", m);
        }
    }

    @Test
    void emptyCutOrForeignFilesNameTheFile() throws IOException {
        Path empty = Fixtures.write(dir.resolve("a/train.json"), "");
        assertEquals(empty + ": empty file (expected a JSON array of questions)", refused(() -> VqaDataset.read().slake(empty.getParent())));
        Path cut = Fixtures.write(dir.resolve("b/train.json"), "[{\"question\": \"Is");
        String m = refused(() -> VqaDataset.read().slake(cut.getParent()));
        assertTrue(m.startsWith(cut + ": malformed JSON: "), m);
        Path object = Fixtures.write(dir.resolve("c/VQA_RAD Dataset Public.json"), "{\"a\": 1}");
        assertEquals(object + ": expected a JSON array of questions, found an object",
                refused(() -> VqaDataset.read().vqaRad(object.getParent())));
        Path binary = Fixtures.writeBytes(dir.resolve("d/pvqa_train.json"), new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1, 2, '['});
        startsWith(binary, refused(() -> VqaDataset.read().pathVqa(binary)));
        Path parquet = Fixtures.write(dir.resolve("e/train-00000-of-00001.parquet"), "not parquet at all");
        m = refused(() -> VqaDataset.read().vqaRad(parquet));
        assertTrue(m.startsWith(parquet + ": not a readable parquet file"), m);
        Path csv = Fixtures.write(dir.resolve("f/test.csv"), "");
        assertEquals(csv + ": empty CSV file (no header line)", refused(() -> VqaDataset.read().pmcVqa(csv)));
    }

    @Test
    void namedPipesAndFoldersAreNotOpened() throws Exception {
        Path fifo = dir.resolve("train.json");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo is not available");
        for (Supplier<?> load : List.<Supplier<?>>of(() -> VqaDataset.read().slake(fifo), () -> VqaDataset.read().vqaRad(fifo),
                () -> VqaDataset.read().pathVqa(fifo), () -> VqaDataset.read().pmcVqa(fifo), () -> VqaDataset.read().vqaMed(2020, fifo),
                () -> CaptionDataset.read().pmcOa(fifo), () -> CaptionDataset.read().roco(fifo))) {
            String m = refused(load::get);
            assertEquals(fifo + ": not a regular file (a named pipe, device or socket): not read", m);
        }
        Path pq = dir.resolve("x.parquet");
        assumeTrue(new ProcessBuilder("mkfifo", pq.toString()).start().waitFor() == 0);
        assertEquals(pq + ": not a regular file (a named pipe, device or socket): not read", refused(() -> VqaDataset.read().slake(pq)));
    }

    @Test
    void phantomCountsAreChecked() {
        for (String spec : List.of("2000000000:7", "10000000:7", "200001:1", "0:1", "-5:1", "99999999999999:1")) {
            String m = refused(() -> VqaDataset.read().format(DatasetFormat.PHANTOMS, spec));
            assertTrue(m.startsWith("phantoms: the count must be 1 to 200000, got "), m);
            assertTrue(m.contains("-Dmedvlm.limit.phantoms=N") || m.contains("got 0") || m.contains("got -5"), m);
        }
        for (String spec : List.of("1e3:1", "ten:7", "5:x", "1:2:3", "")) {
            assertEquals("phantoms: expected COUNT:SEED such as 200:7, got '" + spec + "'",
                    refused(() -> VqaDataset.read().format(DatasetFormat.PHANTOMS, spec)));
        }
        try (var l = Limits.set(Limit.PHANTOMS, 50)) {
            assertTrue(refused(() -> VqaDataset.read().phantoms(51, 1)).contains("51 examples is too many"));
            assertEquals(50, VqaDataset.read().phantoms(50, 1).size());
        }
        assertEquals(1000, VqaDataset.read().format(DatasetFormat.PHANTOMS, "1000:3").size());
    }

    @Test
    void aCutOrHugeImageInADatasetGivesNoThumbnailAndAOneLineError() throws IOException {
        Path d = dir.resolve("slake");
        Fixtures.write(d.resolve("train.json"), """
                [{"img_name": "cut.jpg", "question": "Cut?", "answer": "yes", "qid": 1},
                 {"img_name": "big.png", "question": "Huge?", "answer": "no", "qid": 2}]
                """);
        byte[] jpg = Fixtures.jpeg("jpg");
        Fixtures.writeBytes(d.resolve("imgs/cut.jpg"), java.util.Arrays.copyOf(jpg, jpg.length / 3));
        Fixtures.writeBytes(d.resolve("imgs/big.png"), org.medvlm.imaging.ImageFilesTestAccess.pngDeclaring(28_000, 28_000));
        VqaDataset ds = VqaDataset.read().slake(d);
        assertEquals(List.of("", ""), ds.thumbnails(2).stringColumn("thumbnail").asList());
        IOException cutError = assertThrows(IOException.class, () -> ds.get(0).image().load());
        assertTrue(cutError.getMessage().contains("cut.jpg: truncated or corrupt image"), cutError.getMessage());
        IOException bigError = assertThrows(IOException.class, () -> ds.get(1).image().load());
        assertTrue(bigError.getMessage().contains("big.png: 28000x28000 pixels is too large to decode"), bigError.getMessage());
        assertTrue(new String(jpg, StandardCharsets.ISO_8859_1).length() > 0);
    }
}
