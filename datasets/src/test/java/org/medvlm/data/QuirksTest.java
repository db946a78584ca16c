package org.medvlm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each format's quirks (fact sheet §1.4, §2.4, §4.1, §5, §7, §10) on small files written here. */
class QuirksTest {
    @TempDir Path dir;

    private static final String RAD = """
            [
               {"qid": "0", "phrase_type": "freeform", "image_name": "synpic1.jpg", "image_organ": "CHEST",
                "question": "Is there a pneumothorax?", "answer": "Yes", "answer_type": "CLOSED"},
               {"qid": 1, "phrase_type": "test_para", "image_name": "synpic1.jpg", "image_organ": "CHEST",
                "question": "How many ribs are fractured?", "answer": 4, "answer_type": "OPEN"},
               {"qid": 2, "phrase_type": "test_freeform", "image_name": "synpic2.jpg", "image_organ": "HEAD",
                "question": "Is this normal?", "answer": "Maybe", "answer_type": "CLOSED "},
               {"qid": 3, "phrase_type": "para", "image_name": "../../etc/passwd", "image_organ": "HEAD",
                "question": "Escaping?", "answer": "no", "answer_type": "CLOSED"},
               {"qid": 4, "phrase_type": "para", "image_name": "/abs/synpic3.jpg", "image_organ": "HEAD",
                "question": "Absolute?", "answer": "YES", "answer_type": "CLOSED"},
               {"qid": 5, "phrase_type": "freeform", "image_name": "synpic1.jpg", "image_organ": "CHEST",
                "question": "No answer here?", "answer_type": "OPEN"},
               {"qid": 6, "phrase_type": "freeform", "image_name": "synpic1.jpg", "image_organ": "CHEST",
                "question": "is there a pneumothorax?", "answer": "yes", "answer_type": "CLOSED"},
               "not an object"
            ]
            """;

    @Test
    void vqaRadQuirksAndReport() {
        Fixtures.write(dir.resolve("VQA_RAD Dataset Public.json"), RAD);
        Fixtures.image(dir.resolve("VQA_RAD Image Folder/synpic1.jpg"));
        VqaDataset ds = VqaDataset.read().vqaRad(dir);

        assertEquals(List.of("0", "1", "2", "6"), ds.examples().stream().map(VqaExample::id).toList());
        assertEquals(Map.of("train", 2, "test", 2), ds.splits());
        assertEquals("4", ds.get(1).answer(), "a JSON number answer becomes its text");
        assertEquals(AnswerType.CLOSED, ds.get(2).answerType(), "\"CLOSED \" with a trailing space");
        assertEquals("Yes", ds.get(0).answer(), "answers stay raw; normalising is separate");
        assertEquals("CHEST", ds.get(0).organ());

        LoadReport r = ds.report();
        assertEquals(Map.of(LoadReport.ESCAPES_ROOT, 2, "missing answer", 1, "not a JSON object", 1), r.skippedReasons());
        LoadReport.Skipped escape = r.skipped().get(0);
        assertEquals("VQA_RAD Dataset Public.json", escape.file());
        assertEquals("index 3", escape.where());
        assertEquals("../../etc/passwd", escape.detail());
        assertEquals("index 4", r.skipped().get(1).where());
        // synpic2.jpg is not there: reported once, the record kept without image, no exception
        assertEquals(List.of("synpic2.jpg"), r.missingImages());
        assertNull(ds.get(2).image());
        assertInstanceOf(ImageSource.File.class, ds.get(0).image());
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("1 duplicate")), r.notes().toString());
        assertEquals(8, ds.size() + r.skipped().size(), "nothing dropped silently: 8 entries = 4 kept + 4 skipped");
    }

    @Test
    void mevfTrainsetAndTestsetCarryTheSplitInTheirName() {
        String rec = "[{\"qid\": 1, \"image_name\": \"a.jpg\", \"question\": \"q?\", \"answer\": \"no\", \"answer_type\": \"CLOSED\","
                + " \"phrase_type\": \"freeform\"}]";
        Fixtures.write(dir.resolve("trainset.json"), rec);
        Fixtures.write(dir.resolve("testset.json"), rec.replace("freeform", "test_freeform"));
        assertEquals(Map.of("train", 1, "test", 1), VqaDataset.read().vqaRad(dir).splits());
    }

    @Test
    void slakeLanguageFilterAndImagesUnderImgs() {
        String json = "[{\"img_id\":0,\"img_name\":\"xmlab0/source.jpg\",\"question\":\"Which organ?\",\"answer\":\"Lung\","
                + "\"q_lang\":\"en\",\"location\":\"Lung\",\"modality\":\"CT\",\"answer_type\":\"OPEN\",\"base_type\":\"vqa\","
                + "\"content_type\":\"Organ\",\"triple\":[\"vhead\",\"_\",\"_\"],\"qid\":0},"
                + "{\"img_id\":0,\"img_name\":\"xmlab0/source.jpg\",\"question\":\"这是什么器官?\",\"answer\":\"肺\","
                + "\"q_lang\":\"zh\",\"location\":\"Lung\",\"modality\":\"CT\",\"answer_type\":\"OPEN\",\"qid\":1},"
                + "{\"img_id\":1,\"img_name\":\"../xmlab1/source.jpg\",\"question\":\"Is it CT?\",\"answer\":\"Yes\","
                + "\"q_lang\":\"en\",\"answer_type\":\"CLOSED\",\"qid\":2}]";
        Fixtures.write(dir.resolve("train.json"), json);
        Fixtures.image(dir.resolve("imgs/xmlab0/source.jpg"));

        VqaDataset all = VqaDataset.read().slake(dir);
        assertEquals(2, all.size());
        assertEquals("肺", all.get(1).answer());
        assertEquals("Organ", all.get(0).field("content_type"));
        assertEquals(1, all.report().skippedReasons().get(LoadReport.ESCAPES_ROOT));
        assertEquals(0, all.report().missingImages().size());

        VqaDataset zh = VqaDataset.read().lang("zh").slake(dir);
        assertEquals(1, zh.size());
        assertEquals("zh", zh.get(0).language());
        assertTrue(zh.report().notes().stream().anyMatch(n -> n.contains("kept 1 of 2")));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VqaDataset.read().split("test").slake(dir));
        assertEquals("split 'test' not found in slake; available: train", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VqaDataset.read().lang("fr"));
    }

    @Test
    void vqaMedTextQuirks() {
        Path train = dir.resolve("ImageClef-2019-VQA-Med-Training");
        // BOM, CRLF, a TAB inside the question, no final newline, a malformed line, a blank line
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        String text = "synpic1|is \tthis a t1 weighted image?|yes\r\n"
                + "synpic1|what organ system is shown?|lung, mediastinum, pleura\r\n"
                + "\r\n"
                + "synpic2|broken line without answer\r\n"
                + "synpic2|what is abnormal?|patients a and b: \u00a0acute hematoma";
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, all, 0, bom.length);
        System.arraycopy(body, 0, all, bom.length, body.length);
        Fixtures.writeBytes(train.resolve("All_QA_Pairs_train.txt"), all);
        Fixtures.write(train.resolve("QAPairsByCategory/C1_Modality_train.txt"), "synpic1|is \tthis a t1 weighted image?|yes\n");
        Fixtures.image(train.resolve("Train_images/synpic1.jpg"));
        Path test = dir.resolve("VQAMed2019Test");
        Fixtures.write(test.resolve("VQAMed2019_Test_Questions_w_Ref_Answers.txt"),
                "synpic9|abnormality|what is the primary abnormality?|anaplastic oligodendroglioma#multi-cystic complex mass\n");
        Fixtures.write(test.resolve("VQAMed2019_Test_Questions.txt"), "synpic9|what is the primary abnormality?\n");
        Fixtures.write(test.resolve("README-VQA-Med-2019-TestSet.txt"), "a readme | with pipes\n");

        VqaDataset ds = VqaDataset.read().vqaMed(2019, dir);
        assertEquals(Map.of("train", 3, "test", 1), ds.splits());
        VqaExample first = ds.get(0);
        assertEquals("synpic1", first.id(), "the BOM is not part of the first image id");
        assertEquals("is \tthis a t1 weighted image?", first.question());
        assertEquals("yes", first.answer(), "no CR left at the line end");
        assertEquals(AnswerType.CLOSED, first.answerType());
        assertEquals("modality", first.field("category"));
        assertEquals("synpic1#1", ds.get(1).id());
        assertEquals("patients a and b: \u00a0acute hematoma", ds.get(2).answer(), "no final newline, NBSP kept");
        VqaExample t = ds.split("test").get(0);
        assertEquals(List.of("anaplastic oligodendroglioma", "multi-cystic complex mass"), t.answers());
        assertEquals("abnormality", t.field("category"));

        LoadReport r = ds.report();
        assertEquals(1, r.skipped().size());
        assertEquals("line 4", r.skipped().get(0).where(), "line numbers count blank lines too");
        assertTrue(r.skipped().get(0).reason().startsWith("wrong field count"));
        assertEquals(List.of("synpic2.jpg", "synpic9.jpg"), r.missingImages());
    }

    @Test
    void vqaMed2020AnswersWithAlternativesJoinQuestionsById() {
        Fixtures.write(dir.resolve("VQAnswering_2020_Test_Questions.txt"), "synpic5|what abnormality is seen?\nsynpic6|what is abnormal?\n");
        Fixtures.write(dir.resolve("VQAnswering_2020_Test_ReferenceAnswers.txt"), "synpic5|cyst # abscess\nsynpic6|glioma\n");
        VqaDataset ds = VqaDataset.read().vqaMed(2020, dir);
        assertEquals(2, ds.size());
        assertEquals(List.of("cyst", "abscess"), ds.get(0).answers());
        assertEquals("what abnormality is seen?", ds.get(0).question());
    }

    @Test
    void pmcVqaV1AndV2WithQuotedCells() {
        Fixtures.write(dir.resolve("test_clean.csv"), """
                Figure_path,Question,Answer,Choice A,Choice B,Choice C,Choice D,Answer_label
                PMC1_F1.jpg,"What is seen, mostly?",Focal uptake pattern,A:Diffuse uptake,B:Focal uptake pattern,C:No uptake,D:Cannot tell,B
                ../PMC2_F1.jpg,Which side?,Left,A:Left,B:Right,C:Both,D:None,A
                """);
        Fixtures.write(dir.resolve("sub/test_2.csv"), """
                index,Figure_path,Caption,Question,Choice A,Choice B,Choice C,Choice D,Answer,split
                7,PMC3_F2.jpg,"A caption, with a comma
                and a line break",Which artery?,"  A: Right Coronary ","  B: Left Anterior Descending ",C: Circumflex,D: None,B,test
                8,PMC3_F3.jpg,c,Which?,A: x,B: y,C: z,D: w,E,test
                """);
        VqaDataset v1 = VqaDataset.read().pmcVqa(dir.resolve("test_clean.csv"));
        assertEquals(1, v1.size());
        assertEquals("What is seen, mostly?", v1.get(0).question());
        assertEquals("Focal uptake pattern", v1.get(0).answer());
        assertEquals("Diffuse uptake", v1.get(0).field("choice_a"));
        assertEquals("test_clean", v1.get(0).split());
        assertEquals(Map.of(LoadReport.ESCAPES_ROOT, 1), v1.report().skippedReasons());

        VqaDataset v2 = VqaDataset.read().pmcVqa(dir.resolve("sub/test_2.csv"));
        assertEquals(1, v2.size());
        assertEquals("Left Anterior Descending", v2.get(0).answer());
        assertEquals("B", v2.get(0).field("answer_label"));
        assertEquals("A caption, with a comma\nand a line break", v2.get(0).field("caption"));
        assertEquals("row 2 (line 4)", v2.report().skipped().get(0).where());
        assertEquals("answer is not a letter A-D", v2.report().skipped().get(0).reason());
    }

    @Test
    void pmcVqaMissingColumnIsOneLine() {
        Path f = Fixtures.write(dir.resolve("train.csv"), "Figure_path,Answer,Choice A,Choice B,Choice C,Choice D,Answer_label\nx.jpg,a,A:a,B:b,C:c,D:d,A\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VqaDataset.read().pmcVqa(f));
        assertEquals(f + ": missing column 'Question' (header: Figure_path,Answer,Choice A,Choice B,Choice C,Choice D,Answer_label)",
                e.getMessage());
    }

    @Test
    void pmcOaJsonlSkipsMalformedLines() {
        Path f = Fixtures.write(dir.resolve("pmc_oa.jsonl"), """
                {"image": "PMC1_Fig1_1.jpg", "caption": "A. Real time image of ARF1-GFP."}
                {"image": "PMC1_Fig1_2.jpg", "caption": truncated
                {"image": "/etc/x.jpg", "caption": "absolute"}
                {"image": "PMC1_Fig1_3.jpg"}""");
        Fixtures.image(dir.resolve("images/PMC1_Fig1_1.jpg"));
        CaptionDataset ds = CaptionDataset.read().pmcOa(f);
        assertEquals(1, ds.size());
        assertEquals("PMC1_Fig1_1", ds.get(0).id());
        assertEquals("pmc_oa", ds.get(0).split());
        assertEquals(List.of("line 2", "line 3", "line 4"), ds.report().skipped().stream().map(LoadReport.Skipped::where).toList());
        assertEquals(Map.of("malformed JSON line", 1, LoadReport.ESCAPES_ROOT, 1, "missing caption", 1), ds.report().skippedReasons());
        assertFalse(ds.report().missingImages().contains("PMC1_Fig1_1.jpg"));
    }

    @Test
    void rocoLeadingSpaceAndSideFiles() {
        Path sub = dir.resolve("data/train/radiology");
        Fixtures.write(sub.resolve("captions.txt"), "ROCO_00001\t CT scan of the chest.\nROCO_00002\t MRI of the brain.\nbroken line\n");
        Fixtures.write(sub.resolve("keywords.txt"), "ROCO_00001\t\tscan\tchest\nROCO_00002\t\n");
        Fixtures.write(sub.resolve("semtypes.txt"), "ROCO_00001\t\tT060\tDiagnostic Procedure\tT047\tDisease or Syndrome\n");
        Fixtures.write(sub.resolve("licences.txt"), "ROCO_ID,PMC_ID,CC\nROCO_00001,PMC1_a.jpg,CC BY\n");
        Fixtures.image(sub.resolve("images/ROCO_00001.jpg"));
        CaptionDataset ds = CaptionDataset.read().roco(dir);
        assertEquals(2, ds.size());
        assertEquals("CT scan of the chest.", ds.get(0).caption());
        assertEquals("scan, chest", ds.get(0).field("keywords"));
        assertEquals("T060 Diagnostic Procedure; T047 Disease or Syndrome", ds.get(0).field("semtypes"));
        assertEquals("CC BY", ds.get(0).field("licence"));
        assertEquals("", ds.get(1).field("keywords"));
        assertEquals(List.of("ROCO_00002.jpg"), ds.report().missingImages());
        assertEquals("line 3", ds.report().skipped().get(0).where());
    }

    @Test
    void pathVqaLxmertRecordsOnePerImage() {
        Fixtures.write(dir.resolve("pvqa_val.json"), """
                [{"img_id": "val_0001", "labelf": {"pvqa": [{"neutrophils": 1}, {"yes": 1}]},
                  "sentf": {"pvqa": ["What have lost their nuclei ?", "Is this  a tumor?"]}},
                 {"img_id": "val_0002", "labelf": {"pvqa": []}, "sentf": {"pvqa": []}}]""");
        Fixtures.image(dir.resolve("images/val/val_0001.jpg"));
        VqaDataset ds = VqaDataset.read().pathVqa(dir);
        assertEquals(2, ds.size());
        assertEquals("val_0001#0", ds.get(0).id());
        assertEquals("What have lost their nuclei ?", ds.get(0).question(), "raw text, spaces kept");
        assertEquals(AnswerType.OPEN, ds.get(0).answerType());
        assertEquals(AnswerType.CLOSED, ds.get(1).answerType());
        assertInstanceOf(ImageSource.File.class, ds.get(0).image());
        Path pkl = Fixtures.write(dir.resolve("train_qa.pkl"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VqaDataset.read().pathVqa(pkl));
        assertTrue(e.getMessage().contains("pickles"), e.getMessage());
    }

    @Test
    void badInputIsOneLineNamingTheFile() {
        Path bad = Fixtures.write(dir.resolve("train.json"), "[{\"qid\": 1,");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VqaDataset.read().slake(bad));
        assertTrue(e.getMessage().startsWith(bad + ": malformed JSON: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());

        Path none = dir.resolve("absent");
        assertEquals(none + ": no such file or folder",
                assertThrows(IllegalArgumentException.class, () -> VqaDataset.read().vqaRad(none)).getMessage());
        Path obj = Fixtures.write(dir.resolve("x/VQA_RAD Dataset Public.json"), "{\"questions\": []}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> VqaDataset.read().vqaRad(obj)).getMessage()
                .startsWith(obj + ": expected a JSON array"));
        assertEquals("unknown dataset format 'mimic'; known: " + DatasetFormat.names(),
                assertThrows(IllegalArgumentException.class, () -> DatasetFormat.of("mimic")).getMessage());
    }
}
