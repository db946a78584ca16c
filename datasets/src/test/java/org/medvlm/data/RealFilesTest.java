package org.medvlm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medvlm.testing.Shared;

/**
 * Counts on the real distributed files in {@code ../shared/external/medvqa} (skipped when absent).
 *
 * <p>Every expected number below was computed once, independently of this code, with Python's json/csv
 * modules on the same bytes, e.g. for VQA-RAD:
 * {@code d=json.load(open('VQA_RAD Dataset Public.json')); Counter('test' if r['phrase_type'].startswith('test')
 * else 'train' for r in d); Counter(r['answer_type'].strip().upper() for r in d)}; for SLAKE
 * {@code Counter((r['q_lang'], r['answer_type']) for r in json.load(open(f'{s}.json')))}; for PathVQA the
 * pairs {@code zip(r['sentf']['pvqa'], r['labelf']['pvqa'])} with yes/no answers counted closed; for VQA-Med
 * {@code l.split('|')} over the non-blank lines (answer yes/no → closed); for ROCO the rows of
 * {@code licences.txt} via {@code csv.DictReader}. They agree with the fact sheet's verified tables.
 */
class RealFilesTest {
    private static Path medvqa(String rel) {
        return Shared.path("external/medvqa/" + rel);
    }

    @Test
    void vqaRadPublicJson() {
        VqaDataset ds = VqaDataset.read().vqaRad(medvqa("vqa-rad/Harsh-Toshniwal__MUMC/data_RAD"));
        DatasetStats s = ds.stats();
        assertEquals(2248, s.records());
        assertEquals(Map.of("train", 1797, "test", 451), s.splits());
        // 1297 "CLOSED" + 2 "CLOSED " (trailing space) = 1299
        assertEquals(Map.of("closed", 1299, "open", 949), s.answerTypes());
        assertEquals(Map.of("CHEST", 794, "ABD", 739, "HEAD", 715), s.organs());
        assertEquals(0, s.skipped());
        assertEquals(1027, ds.where("split", "train").where("answer_type", "closed").size());
        assertEquals(272, ds.where("split", "test").where("answer_type", "closed").size());
        // numeric answers are strings; qid "0" is a string, later ones numbers
        assertEquals("4", ds.examples().stream().filter(e -> e.id().equals("1511")).findFirst().orElseThrow().answer());
        assertEquals("0", ds.get(0).id());
        // 3 train-train duplicate triplets (the train/test pair is in different splits)
        assertTrue(ds.report().notes().stream().anyMatch(n -> n.startsWith("3 duplicate")), ds.report().notes().toString());
        // 4 of the 314 referenced images are in the sample folder
        assertEquals(310, ds.report().missingImages().size());
        assertTrue(ds.get(0).image() instanceof ImageSource.File, "qid 0's synpic54610.jpg is present");
    }

    @Test
    void slakeSplitsLanguagesAndAnswerTypes() {
        Path dir = medvqa("slake/xiaoman-zhang__PMC-VQA/Slake1.0");
        DatasetStats all = VqaDataset.read().slake(dir).stats();
        assertEquals(14028, all.records());
        assertEquals(List.of("train", "validate", "test"), List.copyOf(all.splits().keySet()));
        assertEquals(Map.of("train", 9835, "validate", 2099, "test", 2094), all.splits());
        assertEquals(Map.of("en", 7033, "zh", 6995), all.languages());
        assertEquals(Map.of("closed", 5561, "open", 8467), all.answerTypes());
        assertEquals(Map.of("CT", 6639, "X-Ray", 4214, "MRI", 3175), all.modalities());

        DatasetStats enTest = VqaDataset.read().lang("en").split("test").slake(dir).stats();
        assertEquals(1061, enTest.records());
        assertEquals(Map.of("closed", 416, "open", 645), enTest.answerTypes());
        DatasetStats zhTrain = VqaDataset.read().lang("zh").split("train").slake(dir).stats();
        assertEquals(4916, zhTrain.records());
        assertEquals(Map.of("closed", 1938, "open", 2978), zhTrain.answerTypes());
        DatasetStats enVal = VqaDataset.read().lang("en").split("validate").slake(dir.resolve("validate.json")).stats();
        assertEquals(Map.of("closed", 422, "open", 631), enVal.answerTypes());
    }

    @Test
    void pathVqaLxmertJson() {
        VqaDataset ds = VqaDataset.read().pathVqa(medvqa("pathvqa/UCSD-AI4H__PathVQA/baselines/method1/saved/lxmert"));
        assertEquals(Map.of("val", 6279, "test", 6761), ds.splits());
        assertEquals(Map.of("closed", 3135, "open", 3144), ds.split("val").stats().answerTypes());
        assertEquals(Map.of("closed", 3391, "open", 3370), ds.split("test").stats().answerTypes());
        // val: 1,721 yes / 1,414 no (fact sheet §3.2)
        assertEquals(1721, ds.split("val").where("answer", "yes").size());
        assertEquals(0, ds.report().skipped().size());
    }

    @Test
    void vqaMed2019TrainValAndTest() {
        VqaDataset trainVal = VqaDataset.read().vqaMed(2019, medvqa("vqa-med-2019/thiliniprr__AquaNet_VQA"));
        assertEquals(Map.of("train", 12792, "val", 2000), trainVal.splits());
        assertEquals(Map.of("closed", 1294, "open", 11498), trainVal.split("train").stats().answerTypes());
        assertEquals(Map.of("closed", 202, "open", 1798), trainVal.split("val").stats().answerTypes());
        // validation categories come from QAPairsByCategory/C1..C4_*_val.txt, 500 each
        assertEquals(500, trainVal.split("val").where("category", "modality").size());
        assertEquals(500, trainVal.split("val").where("category", "abnormality").size());
        // 71 train questions hold a TAB, kept inside the question
        assertEquals(71, trainVal.split("train").where(e -> e.question().contains("\t")).size());

        VqaDataset test = VqaDataset.read().vqaMed(2019, medvqa("vqa-med-2019/abachaa__VQA-Med-2019/VQAMed2019Test"));
        assertEquals(Map.of("test", 500), test.splits());
        assertEquals(Map.of("closed", 64, "open", 436), test.stats().answerTypes());
        assertEquals(125, test.where("category", "plane").size());
        // 12 reference answers list '#' alternatives
        assertEquals(12, test.where(e -> e.answers().size() > 1).size());
        assertTrue(test.report().notes().stream().anyMatch(n -> n.contains("question-only")));
    }

    @Test
    void vqaMed2021ReferenceAnswersJoinTheMscocoQuestions() {
        VqaDataset ds = VqaDataset.read().vqaMed(2021, medvqa("vqa-med-2021/abachaa__VQA-Med-2021"));
        assertEquals(Map.of("test", 500), ds.splits());
        // answers per line: 425 one, 74 two, 1 three
        assertEquals(74, ds.where(e -> e.answers().size() == 2).size());
        assertEquals(1, ds.where(e -> e.answers().size() == 3).size());
        assertEquals(0, ds.where(e -> e.question().isEmpty()).size());
        assertEquals(122, ds.where("question", "what is the primary abnormality in this image?").size());
    }

    @Test
    void rocoCaptionsWithMetadata() {
        CaptionDataset ds = CaptionDataset.read().roco(medvqa("roco/razorx89__roco-dataset/data"));
        assertEquals(Map.of("test", 8179, "validation", 611), ds.splits());
        CaptionPair first = ds.where("split", "validation").get(0);
        assertEquals("ROCO_81834", first.id());
        assertEquals("Case #1 right gaze reveals right lateral rectus underaction.", first.caption());
        assertEquals("NO-CC CODE", first.field("licence"));
        assertEquals("case, reveal, lateral, gaze, rectu, underaction", first.field("keywords"));
        assertEquals("non-radiology", first.field("subset"));
    }
}
