package org.medvlm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Asks NLTK itself, when Debian's python3-nltk is installed (skipped otherwise): Lucene's Snowball English stemmer,
 * lower-cased first, must give {@code SnowballStemmer("english").stem} for every distinct word of the MedVQA sample
 * files in ../shared (26,183 words there) and for words that exercise each rule and exception.
 */
class NltkSnowballLiveTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String SCRIPT = "import sys\nfrom nltk.stem.snowball import SnowballStemmer\n"
            + "s = SnowballStemmer('english')\n"
            + "for w in sys.stdin.read().split('\\n'):\n    print(s.stem(w) if w else '')\n";

    @Test
    void luceneAgreesWithNltk() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3: live NLTK comparison skipped");
        assumeTrue(python("import nltk.stem.snowball", "") != null, "python3-nltk not installed: live NLTK comparison skipped");
        TreeSet<String> words = new TreeSet<>(List.of("skies", "dying", "lying", "tying", "news", "howe", "atlas", "cosmos",
                "bias", "andes", "only", "early", "ugly", "gently", "singly", "idly", "skis", "sky", "'s", "s'", "aa'", "yy",
                "youth", "yes", "succeed", "proceeding", "exceed", "generate", "generic", "communal", "arsenal", "past",
                "Fractures", "CT", "ABNORMALITY", "consolingly", "ponies", "caresses", "hopping", "agreed", "ies", "ied"));
        Path shared = Path.of(System.getProperty("medvlm.shared", "../../shared"), "external", "medvqa");
        if (Files.isDirectory(shared)) {
            Pattern word = Pattern.compile("[A-Za-z']+");
            try (Stream<Path> files = Files.walk(shared)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Matcher m = word.matcher(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
                    while (m.find()) {
                        words.add(m.group().toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        List<String> list = new ArrayList<>(words);
        String out = python(SCRIPT, String.join("\n", list));
        assertTrue(out != null, "the NLTK script failed");
        String[] stems = out.split("\n", -1);
        int differ = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < list.size(); i++) {
            String mine = SnowballEnglish.stem(list.get(i));
            if (!mine.equals(stems[i])) {
                if (differ++ < 10) {
                    first.append(list.get(i)).append(": nltk ").append(stems[i]).append(", here ").append(mine).append("; ");
                }
            }
        }
        assertEquals(0, differ, differ + " of " + list.size() + " words differ: " + first);
    }

    private static String python(String script, String input) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", script).redirectErrorStream(false).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return null;
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
