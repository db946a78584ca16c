package org.medvlm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link HostileRunner} in a separate JVM with a small heap ({@code -Xmx256m}) and a small stack, so that a
 * reader that allocates what a hostile file claims, or recurses per level of nesting, fails the test with the
 * JVM error instead of passing on the test JVM's 4 GiB.
 */
public final class ChildJvm {
    /** The heap of the child JVM. */
    public static final String HEAP = "-Xmx256m";

    private ChildJvm() {}

    /** One input's outcome. */
    public record Outcome(String status, String path, long millis, String message) {}

    /** Reads each {@code (kind, path)} in a child JVM; fails the test if it does not finish in {@code totalSeconds}. */
    public static List<Outcome> run(Path work, List<Map.Entry<String, Path>> inputs, int secondsEach, int totalSeconds)
            throws IOException, InterruptedException {
        Path list = work.resolve("inputs.tsv");
        List<String> lines = new ArrayList<>();
        inputs.forEach(e -> lines.add(e.getKey() + "\t" + e.getValue()));
        Files.write(list, lines, StandardCharsets.UTF_8);
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = work.resolve("outcomes.tsv");
        Path err = work.resolve("stderr.txt");
        Process p = new ProcessBuilder(java.toString(), HEAP, "-Xss512k", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                "-cp", classpath, HostileRunner.class.getName(), list.toString(), Integer.toString(secondsEach))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(totalSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM took more than " + totalSeconds + " s; stderr: " + Files.readString(err));
        }
        assertEquals(0, p.exitValue(), "child JVM failed; stderr: " + Files.readString(err));
        if (System.getenv("MEDVLM_FUZZ_OUTCOMES") != null) { // keep the outcomes to look at them: MEDVLM_FUZZ_OUTCOMES=/tmp/o.tsv
            Files.write(Path.of(System.getenv("MEDVLM_FUZZ_OUTCOMES")), Files.readAllBytes(out));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            String[] f = line.split("\t", 4);
            outcomes.add(new Outcome(f[0], f[1], Long.parseLong(f[2]), f.length > 3 ? f[3] : ""));
        }
        assertEquals(inputs.size(), outcomes.size(), "one outcome per input; stderr: " + Files.readString(err));
        return outcomes;
    }

    /** Every outcome is OK or a one-line error that starts with its input (or a file in it); none is fatal or late. */
    public static void assertContained(List<Outcome> outcomes) {
        StringBuilder bad = new StringBuilder();
        for (Outcome o : outcomes) {
            // a dataset's message names the file in it, which lies under the folder given
            boolean ok = o.status().equals("OK") || o.status().equals("ERROR") && o.message().startsWith(o.path());
            if (!ok && bad.length() < 4000) {
                bad.append('\n').append(o);
            }
        }
        assertTrue(bad.length() == 0, "not contained:" + bad);
    }
}
