package org.medvlm.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CellTest {

    @Test
    void cutsCodeAndLineMagicsInOrder() {
        List<Cell.Part> parts = Cell.parse("int x = 1;\n%zero --gpus 8\nx + 1\n  %vlm ask a.png \"why?\"");
        assertEquals(List.of(
                new Cell.Code("int x = 1;\n"),
                new Cell.LineMagic("zero", "--gpus 8"),
                new Cell.Code("x + 1\n", 3),
                new Cell.LineMagic("vlm", "ask a.png \"why?\"")), parts);
    }

    @Test
    void aCellMagicOwnsTheWholeBody() {
        assertEquals(List.of(new Cell.CellMagic("train", "--name r1", "model = tiny\n%not-a-line-magic")),
                Cell.parse("\n%%train --name r1\nmodel = tiny\n%not-a-line-magic"));
        assertEquals(List.of(new Cell.CellMagic("train", "", "")), Cell.parse("%%train"));
    }

    @Test
    void percentInsideCodeIsNotAMagic() {
        assertEquals(List.of(new Cell.Code("int r = 7 % 3;\nString s = \"%d\";\n")), Cell.parse("int r = 7 % 3;\nString s = \"%d\";"));
    }

    @Test
    void aQuestionMarkAfterAMagicNamePagesItsHelp() {
        assertEquals(List.of(new Cell.Code("int x = 1;\n"), new Cell.LineMagic(Cell.PAGE_MAGIC, "zero")),
                Cell.parse("int x = 1;\n%zero?"));
        assertEquals(List.of(new Cell.Code("boolean b = x > 1 ? true : false;\n")), Cell.parse("boolean b = x > 1 ? true : false;"));
    }
}
