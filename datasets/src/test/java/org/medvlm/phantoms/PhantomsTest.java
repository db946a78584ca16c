package org.medvlm.phantoms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.medvlm.data.AnswerType;
import org.medvlm.data.ImageSource;
import org.medvlm.data.VqaExample;

class PhantomsTest {

    private static byte[] pixels(BufferedImage img) {
        return ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    }

    @Test
    void sameSeedSameQuestionsAndPixelsOtherSeedOtherData() throws Exception {
        List<VqaExample> a = Phantoms.generate(20, 7);
        List<VqaExample> b = Phantoms.generate(20, 7);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).question(), b.get(i).question());
            assertEquals(a.get(i).answers(), b.get(i).answers());
            assertEquals(a.get(i).metadata(), b.get(i).metadata());
        }
        for (int i : new int[] {0, 1, 2, 3, 4, 13}) {
            assertArrayEquals(pixels(a.get(i).image().load()), pixels(b.get(i).image().load()));
            // and drawing twice from the same example is the same too (lazy, no shared state)
            assertArrayEquals(pixels(a.get(i).image().load()), pixels(a.get(i).image().load()));
        }
        // a longer dataset with the same seed starts with the same examples
        assertEquals(a.get(9).metadata(), Phantoms.generate(40, 7).get(9).metadata());
        List<VqaExample> c = Phantoms.generate(20, 8);
        long differing = java.util.stream.IntStream.range(0, 20)
                .filter(i -> !a.get(i).metadata().equals(c.get(i).metadata())).count();
        assertTrue(differing >= 15, "seed 8 should differ from seed 7, got " + differing + " differing of 20");
    }

    @Test
    void kindsAndAnswersAreBalancedAndTheVocabularyIsSmall() {
        List<VqaExample> ds = Phantoms.generate(2000, 3);
        Map<String, Map<String, Integer>> byKind = new HashMap<>();
        for (VqaExample e : ds) {
            byKind.computeIfAbsent(e.metadata().get("question_type"), k -> new HashMap<>()).merge(e.answer(), 1, Integer::sum);
        }
        assertEquals(5, byKind.size());
        Map<String, Set<String>> expected = Map.of(
                "PRESENCE", Set.of("yes", "no"),
                "SIDE", Set.of("left", "right"),
                "MODALITY", Set.of("ct", "mri", "x-ray"),
                "ORGAN", Set.of("brain", "lung", "liver", "kidney"),
                "COUNT", Set.of("0", "1", "2", "3"));
        for (var e : byKind.entrySet()) {
            assertEquals(expected.get(e.getKey()), e.getValue().keySet(), e.getKey());
            int total = e.getValue().values().stream().mapToInt(Integer::intValue).sum();
            assertEquals(400, total);
            double fair = (double) total / e.getValue().size();
            for (var a : e.getValue().entrySet()) {
                assertTrue(Math.abs(a.getValue() - fair) < 0.25 * fair, e.getKey() + " " + a + " vs " + fair);
            }
        }
        Set<String> vocabulary = ds.stream().map(VqaExample::answer).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(15, vocabulary.size(), vocabulary.toString());
        Map<String, Long> splits = ds.stream().collect(Collectors.groupingBy(VqaExample::split, Collectors.counting()));
        assertEquals(Map.of("train", 1600L, "test", 400L), splits);
        // every kind is in the test split
        assertEquals(5, ds.stream().filter(e -> e.split().equals("test")).map(e -> e.metadata().get("question_type")).distinct().count());
    }

    @Test
    void answersAgreeWithWhatIsDrawn() {
        for (VqaExample e : Phantoms.generate(500, 11)) {
            Map<String, String> m = e.metadata();
            int index = Integer.parseInt(e.id().substring("phantom-".length()));
            PhantomCase c = Phantoms.caseOf(index, 11);
            assertEquals(m.get("count"), Integer.toString(c.lesions().size()));
            switch (m.get("question_type")) {
                case "PRESENCE" -> assertEquals(c.lesions().isEmpty() ? "no" : "yes", e.answer());
                case "SIDE" -> {
                    assertEquals(m.get("side"), e.answer());
                    for (Lesion l : c.lesions()) {
                        // radiological convention: the patient's left is drawn on the image's right
                        assertTrue(e.answer().equals("left") ? l.x() > 128 : l.x() < 128, e.id() + " " + l);
                    }
                }
                case "MODALITY" -> assertEquals(m.get("modality"), e.answer());
                case "ORGAN" -> assertEquals(m.get("organ"), e.answer());
                case "COUNT" -> assertEquals(m.get("count"), e.answer());
                default -> throw new AssertionError(m.get("question_type"));
            }
            assertEquals(e.metadata().get("question_type").equals("ORGAN") || e.metadata().get("question_type").equals("COUNT")
                    ? AnswerType.OPEN : AnswerType.CLOSED, e.answerType());
            for (int i = 0; i < c.lesions().size(); i++) {
                for (int j = i + 1; j < c.lesions().size(); j++) {
                    Lesion a = c.lesions().get(i);
                    Lesion b = c.lesions().get(j);
                    assertTrue(Math.hypot(a.x() - b.x(), a.y() - b.y()) >= a.radius() + b.radius() + 4, "lesions touch in " + e.id());
                }
            }
        }
    }

    /** Lesions are the only difference between a case and the same case without them, and a clear one. */
    @Test
    void lesionsAreVisibleInEveryModality() {
        Set<String> seen = new TreeSet<>();
        for (int index = 0; index < 200 && seen.size() < 4; index++) {
            PhantomCase c = Phantoms.caseOf(index, 5);
            if (c.lesions().isEmpty() || !seen.add(c.modality() + "/" + c.organ())) {
                continue;
            }
            byte[] with = pixels(PhantomPainter.paint(c, 256));
            byte[] without = pixels(PhantomPainter.paint(new PhantomCase(c.modality(), c.organ(), List.of(), c.large(), c.seed()), 256));
            for (Lesion l : c.lesions()) {
                double inside = 0;
                int n = 0;
                for (int y = (int) (l.y() - l.radius() / 2); y <= l.y() + l.radius() / 2; y++) {
                    for (int x = (int) (l.x() - l.radius() / 2); x <= l.x() + l.radius() / 2; x++) {
                        inside += Math.abs((with[y * 256 + x] & 0xff) - (without[y * 256 + x] & 0xff));
                        n++;
                    }
                }
                assertTrue(inside / n > 25, c.modality() + "/" + c.organ() + " lesion contrast " + inside / n);
            }
            int far = 0;
            for (int y = 0; y < 256; y++) {
                for (int x = 0; x < 256; x++) {
                    final int fx = x;
                    final int fy = y;
                    boolean near = c.lesions().stream().anyMatch(l -> Math.hypot(fx - l.x(), fy - l.y()) < l.radius() * 2 + 8);
                    if (!near && with[y * 256 + x] != without[y * 256 + x]) {
                        far++;
                    }
                }
            }
            assertEquals(0, far, "pixels changed away from the lesions in " + c.modality() + "/" + c.organ());
        }
        assertEquals(Set.of("CT/KIDNEY", "CT/LIVER", "CT/LUNG", "MRI/BRAIN", "XRAY/LUNG").containsAll(seen), true);
        assertTrue(seen.size() >= 4, seen.toString());
    }

    @Test
    void imagesAreLazyGreyAndOfTheAskedSize() throws Exception {
        VqaExample e = Phantoms.generate(1, 1, 128).get(0);
        assertTrue(e.image() instanceof ImageSource.Generated);
        BufferedImage img = e.image().load();
        assertEquals(128, img.getWidth());
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, img.getType());
        assertEquals("phantoms", e.dataset());
        assertEquals("phantom-00000", e.id());
    }

    @Test
    void specParsing() {
        assertEquals(Phantoms.generate(12, 7).get(3).metadata(), Phantoms.fromSpec("12:7").get(3).metadata());
        assertEquals(5, Phantoms.fromSpec("5").size());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> Phantoms.fromSpec("many:7"));
        assertEquals("phantoms: expected COUNT:SEED such as 200:7, got 'many:7'", ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Phantoms.fromSpec("-3:1"));
        assertNotEquals(Phantoms.fromSpec("10:1").get(0).metadata(), Phantoms.fromSpec("10:2").get(0).metadata());
    }
}
