package org.medvlm.vlm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class AnswerTableTest {

    @Test
    void marksMatchesAfterNormalisingAndKeepsThumbnails() {
        BufferedImage img = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        AnswerTable t = new AnswerTable("phantoms", List.of(
                new AnswerTable.Row("1", img, "Is there a lesion?", List.of("Yes"), "yes."),
                new AnswerTable.Row("2", img, "Which side?", List.of("left", "left side"), "left  side"),
                new AnswerTable.Row("3", null, "Which organ?", List.of("liver"), "lung")));
        assertEquals(2, t.correctCount());
        assertEquals(2.0 / 3, t.accuracy(), 1e-12);
        Table table = t.table();
        assertEquals(List.of("thumbnail", "id", "question", "truth", "answer", "✓/✗"), table.columnNames());
        assertEquals(List.of("✓", "✓", "✗"), table.stringColumn("✓/✗").asList());
        assertTrue(table.stringColumn("thumbnail").get(0).startsWith("data:image/png;base64,"));
        assertEquals("", table.stringColumn("thumbnail").get(2));
        assertFalse(t.toString().contains("base64"));
        assertTrue(t.toString().contains("phantoms: 2/3 correct (66.7%)"), t.toString());
        assertEquals("phantoms: 2/3 correct (66.7%)", table.name());
    }
}
