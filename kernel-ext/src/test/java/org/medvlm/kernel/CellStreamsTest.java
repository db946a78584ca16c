package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cell's streams in-process: coalesced messages, the per-cell bound and its note, UTF-8 kept whole. */
class CellStreamsTest {
    record Sent(String name, String text) {}

    private final ByteArrayOutputStream processOut = new ByteArrayOutputStream();
    private final List<Sent> sent = new ArrayList<>();

    private CellStreams streams(long maxBytes, long maxLines) {
        CellStreams s = new CellStreams(new PrintStream(processOut, true, StandardCharsets.UTF_8),
                new PrintStream(processOut, true, StandardCharsets.UTF_8), maxBytes, maxLines);
        s.begin((name, text) -> {
            synchronized (sent) {
                sent.add(new Sent(name, text));
            }
        });
        return s;
    }

    private String text(String name) {
        StringBuilder sb = new StringBuilder();
        synchronized (sent) {
            sent.stream().filter(m -> m.name.equals(name)).forEach(m -> sb.append(m.text));
        }
        return sb.toString();
    }

    @Test
    void manyLinesBecomeFewMessages() {
        CellStreams s = streams(8 << 20, 1_000_000);
        for (int i = 0; i < 100_000; i++) {
            s.stdout.println("line " + i);
        }
        s.end();
        String out = text("stdout");
        assertEquals(100_000, out.lines().count());
        assertTrue(out.startsWith("line 0\nline 1\n") && out.endsWith("line 99999\n"));
        assertTrue(sent.size() < 100, sent.size() + " messages for 100,000 lines");
    }

    @Test
    void aCellKeepsItsFirstLinesAndSaysHowManyWereLeftOut() {
        CellStreams s = streams(1 << 20, 10);
        for (int i = 0; i < 25; i++) {
            (i % 2 == 0 ? s.stdout : s.stderr).println("line " + i);
        }
        s.end();
        String all = text("stdout") + text("stderr");
        assertEquals(10 + 1, all.lines().count(), all);
        assertTrue(all.contains("[output truncated by the kernel: 15 more lines (" ), all);
        assertTrue(text("stderr").contains("line 9\n"), "stdout and stderr share the budget");
    }

    @Test
    void theByteBoundCutsALongLineAtACharacterBoundary() {
        CellStreams s = streams(1000, 10_000);
        s.stdout.print("é".repeat(2000));
        s.stdout.println();
        s.stdout.println("more");
        s.end();
        String out = text("stdout");
        String kept = out.substring(0, out.indexOf('\n'));
        assertEquals("é".repeat(500), kept, "1000 bytes are 500 two-byte characters, none split");
        assertTrue(out.endsWith("\n[output truncated by the kernel: 2 more lines (3,006 bytes) not shown; a cell shows at most "
                + "10,000 lines or 1,000 bytes (-Dmedvlm.kernel.maxOutputLines / maxOutputBytes); write long output to a file]\n"), out);
    }

    @Test
    void aCharacterSplitAcrossWritesIsSentWhole() {
        CellStreams s = streams(1 << 20, 10_000);
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        s.stdout.write(euro, 0, 1);
        s.flush();
        s.stdout.write(euro, 1, 2);
        s.end();
        assertEquals("€", text("stdout"));
        for (Sent m : sent) {
            assertTrue(!m.text.contains("\uFFFD"), m.text);
        }
    }

    @Test
    void eachCellHasItsOwnBudgetAndBetweenCellsOutputGoesToTheProcess() {
        CellStreams s = streams(1 << 20, 3);
        for (int i = 0; i < 5; i++) {
            s.stdout.println("a" + i);
        }
        s.end();
        s.stdout.println("between cells");
        s.notice("a notice for the next cell");
        assertTrue(processOut.toString(StandardCharsets.UTF_8).contains("between cells"));
        sent.clear();
        s.begin((name, text) -> sent.add(new Sent(name, text)));
        for (int i = 0; i < 3; i++) {
            s.stdout.println("b" + i);
        }
        s.end();
        assertEquals("b0\nb1\nb2\n", text("stdout"), sent.toString());
        assertEquals("a notice for the next cell\n", text("stderr"));
    }

    @Test
    void utf8PrefixNeverEndsInsideACharacter() {
        byte[] b = "aé€😀".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 4 bytes
        int[] expected = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10};
        for (int len = 0; len <= b.length; len++) {
            assertEquals(expected[len], CellStreams.utf8Prefix(b, 0, len), "length " + len);
        }
    }
}
