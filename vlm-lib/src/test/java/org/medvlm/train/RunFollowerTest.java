package org.medvlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Following a run folder another process writes: only what was appended since the last poll, a half-written line
 * waits, and a folder holding something else than run events fails naming the file, bounded in memory.
 */
class RunFollowerTest {
    @TempDir Path dir;

    private void append(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static String step(long n, double loss) {
        return RunEvents.toJson(new RunEvents.Step(n, 0, loss, 1e-3, 1, 10, 100, n)).toString();
    }

    @Test
    void eachPollDeliversOnlyTheCompleteLinesAppendedSinceTheLast() throws IOException {
        RunFollower follower = new RunFollower(dir);
        List<Long> seen = new ArrayList<>();
        RunEvents.Listener listener = new RunEvents.Listener() {
            @Override
            public void onStep(RunEvents.Step e) {
                seen.add(e.step());
            }
        };
        assertNull(follower.poll(listener), "no status.json yet: the run has not started");
        append(RunDirectory.METRICS, step(1, 2.0) + "\n" + step(2, 1.5) + "\n");
        follower.poll(listener);
        assertEquals(List.of(1L, 2L), seen);
        String third = step(3, 1.0);
        append(RunDirectory.METRICS, third.substring(0, 20)); // the writer is in the middle of a line
        follower.poll(listener);
        assertEquals(List.of(1L, 2L), seen, "a line without its newline waits");
        append(RunDirectory.METRICS, third.substring(20) + "\n");
        follower.poll(listener);
        assertEquals(List.of(1L, 2L, 3L), seen);
        follower.poll(listener);
        assertEquals(3, seen.size(), "nothing is delivered twice");
    }

    @Test
    void whatIsNotARunEventFailsNamingTheFile() throws IOException {
        String[] bad = {"not json", "[1, 2]", "{\"event\": \"step\", \"step\": 1}", "{\"schema\": 99, \"event\": \"step\"}",
            "{\"schema\": 1, \"event\": \"step\", \"step\": \"many\"}"};
        for (String line : bad) {
            Path run = Files.createTempDirectory(dir, "run");
            Files.writeString(run.resolve(RunDirectory.METRICS), line + "\n");
            IOException e = assertThrows(IOException.class, () -> new RunFollower(run).poll(new RunEvents.Listener() {}), line);
            assertTrue(e.getMessage().startsWith(run.resolve(RunDirectory.METRICS) + ": not a run event"), e.getMessage());
            assertThrows(IOException.class, () -> RunDirectory.open(withRunJson(run)).metrics(), line);
        }
    }

    @Test
    void aStatusThatIsNotARegularFileIsRefusedNotRead() throws IOException {
        Files.createSymbolicLink(dir.resolve(RunDirectory.STATUS), Path.of("/dev/zero"));
        IOException e = assertThrows(IOException.class, () -> new RunFollower(dir).poll(new RunEvents.Listener() {}));
        assertTrue(e.getMessage().contains(RunDirectory.STATUS) && e.getMessage().contains("not a regular file"), e.getMessage());
        assertThrows(IOException.class, () -> RunFollower.describe(dir));
    }

    private static Path withRunJson(Path run) throws IOException {
        Files.writeString(run.resolve(RunDirectory.RUN), "{\"schema\": 1}\n");
        return run;
    }
}
