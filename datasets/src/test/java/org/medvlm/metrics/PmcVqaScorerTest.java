package org.medvlm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PmcVqaScorerTest {

    @Test
    void sequenceMatcherRatiosWorkedByHand() {
        // blocks "bcd": 2 * 3 / 8
        assertEquals(0.75, PmcVqaScorer.similarity("abcd", "bcde"), 1e-15);
        // blocks "ab" and "cd": 2 * 4 / 9
        assertEquals(8.0 / 9.0, PmcVqaScorer.similarity("abxcd", "abcd"), 1e-15);
        assertEquals(1.0, PmcVqaScorer.similarity("", ""));
        assertEquals(0.0, PmcVqaScorer.similarity("abc", ""));
    }

    @Test
    void autojunkIgnoresCharactersFrequentInALongSecondString() {
        // b has 300 'x': more than 300/100 + 1 occurrences, so 'x' cannot start a match...
        assertEquals(0.0, PmcVqaScorer.similarity("axxx", "b" + "x".repeat(300)));
        // ...but an empty match at (0, 0) is still extended over equal characters, as difflib does
        assertEquals(6.0 / 303, PmcVqaScorer.similarity("xxx", "x".repeat(300)), 1e-15);
        assertEquals(6.0 / 202, PmcVqaScorer.similarity("xxx", "x".repeat(199)), 1e-15);
    }

    /** Against Python's own difflib where a python3 is installed (skipped otherwise). */
    @Test
    void agreesWithPythonDifflib() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "no /usr/bin/python3: difflib comparison skipped");
        Random rnd = new Random(3);
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            pairs.add(new String[] {random(rnd, rnd.nextInt(40)), random(rnd, rnd.nextInt(i < 100 ? 40 : 400))});
        }
        StringBuilder in = new StringBuilder();
        for (String[] p : pairs) {
            in.append(p[0]).append('\t').append(p[1]).append('\n');
        }
        Process proc = new ProcessBuilder(python.toString(), "-c",
                "import sys, difflib\nfor l in sys.stdin.read().split('\\n')[:-1]:\n"
                + "    a, b = l.split('\\t')\n    print(repr(difflib.SequenceMatcher(None, a, b).ratio()))")
                .redirectErrorStream(true).start();
        proc.getOutputStream().write(in.toString().getBytes(StandardCharsets.UTF_8));
        proc.getOutputStream().close();
        List<String> out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, proc.waitFor());
        assertEquals(pairs.size(), out.size(), String.join("\n", out));
        for (int i = 0; i < pairs.size(); i++) {
            assertEquals(Double.parseDouble(out.get(i)), PmcVqaScorer.similarity(pairs.get(i)[0], pairs.get(i)[1]),
                    0.0, pairs.get(i)[0] + " | " + pairs.get(i)[1]);
        }
    }

    private static String random(Random rnd, int n) {
        String alphabet = "abcde fgh"; // few letters, so that long strings trigger autojunk
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Test
    void predictionAndLabelMapToTheSameChoice() {
        List<String> choices = List.of(" A: Left anterior descending ", " B: Right coronary artery ",
                " C: Circumflex ", " D: Left main ");
        assertEquals(OptionalInt.of(1), PmcVqaScorer.mostSimilar(choices, "right coronary artery"));
        assertEquals(1.0, PmcVqaScorer.score(choices, "The right coronary artery", "B: Right coronary artery"));
        assertEquals(0.0, PmcVqaScorer.score(choices, "circumflex", "B: Right coronary artery"));
        assertEquals(OptionalInt.empty(), PmcVqaScorer.mostSimilar(choices, "#"));
    }
}
