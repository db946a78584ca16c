package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.train.RunDirectory;
import org.medvlm.train.RunEvents;

/**
 * {@code medvlm train} from the outside on a small phantom set: determinism for a seed, resumption after a SIGKILL
 * (also while a checkpoint is being written) with the uninterrupted run's losses, corrupt checkpoints skipped by name,
 * one-line errors for bad input, and the run's model answering through {@code vlm ask --model RUN_DIR}.
 */
class TrainCommandTest {
    /** A small run: 96 training and 24 held-out phantoms, 8 per micro-batch, evaluated on 8. */
    static final String[] SMALL = {"--data", "phantoms:120:3", "--batch-size", "8", "--eval-limit", "8", "--samples", "4",
        "--lr", "1e-2", "--warmup-steps", "2"};

    @TempDir
    Path tmp;

    static String[] args(Path runDir, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--run-dir", runDir.toString(), "--steps", Integer.toString(steps),
                "--eval-every", "4", "--checkpoint-every", "2"));
        a.addAll(List.of(SMALL));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static List<Double> losses(Path runDir) throws IOException {
        List<Double> out = new ArrayList<>();
        for (Object e : RunDirectory.open(runDir).metrics()) {
            if (e instanceof RunEvents.Step s) {
                out.add(s.loss());
            }
        }
        return out;
    }

    static List<Long> steps(Path runDir) throws IOException {
        List<Long> out = new ArrayList<>();
        for (Object e : RunDirectory.open(runDir).metrics()) {
            if (e instanceof RunEvents.Step s) {
                out.add(s.step());
            }
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameLossesAndTheRunFolderIsComplete() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        CliRun first = CliRun.of(args(a, 6, "--json"));
        assertEquals(0, first.exitCode(), first.err());
        CliRun second = CliRun.of(args(b, 6));
        assertEquals(0, second.exitCode(), second.err());
        assertEquals(losses(a), losses(b), "same seed, same losses, bit for bit");
        assertEquals(6, losses(a).size());
        JsonObject summary = JsonParser.parseString(first.out().strip()).getAsJsonObject();
        for (String k : List.of("closed_accuracy", "open_recall", "exact_match", "steps", "seconds", "run_dir")) {
            assertTrue(summary.has(k), k + " in " + first.out());
        }
        assertEquals(6, summary.get("steps").getAsInt());
        JsonObject status = JsonParser.parseString(Files.readString(a.resolve("status.json"))).getAsJsonObject();
        assertEquals("finished", status.get("state").getAsString());
        assertTrue(Files.isRegularFile(a.resolve("model/config.json")) && Files.isRegularFile(a.resolve("model/model.safetensors"))
                && Files.isRegularFile(a.resolve("model/tokenizer.json")));
        try (Stream<Path> s = Files.list(a.resolve("checkpoints"))) {
            assertEquals(List.of("step-000004", "step-000006"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the newest two are kept");
        }
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "optimizer.safetensors",
                "trainer_state.json", "manifest.json")) {
            assertTrue(Files.isRegularFile(a.resolve("checkpoints/step-000006").resolve(f)), f);
        }
        List<String> samples = Files.readAllLines(a.resolve("samples.jsonl"));
        assertEquals(8, samples.size(), "4 shown examples at steps 4 and 6");
        String image = JsonParser.parseString(samples.get(0)).getAsJsonObject().get("image").getAsString();
        assertTrue(Files.size(a.resolve(image)) > 100, "the shown image is written once as a PNG");

        // a different seed is a different run
        Path c = tmp.resolve("c");
        assertEquals(0, CliRun.of(args(c, 2, "--seed", "1")).exitCode());
        assertFalse(losses(c).equals(losses(a).subList(0, 2)));

        // the run's model answers from its folder
        CliRun ask = CliRun.of("vlm", "ask", "--model", a.toString(), "--dataset", "phantoms:10:9", "--n", "2");
        assertEquals(0, ask.exitCode(), ask.err());
    }

    @Test
    void badInputGetsOneLine() throws IOException, InterruptedException {
        Path a = tmp.resolve("a");
        assertEquals(0, CliRun.of(args(a, 1)).exitCode());
        CliRun again = CliRun.of(args(a, 1));
        assertEquals(Medvlm.EXIT_INPUT, again.exitCode());
        assertTrue(again.errIsOneLine() && again.err().contains("holds another run") && again.err().contains(a.toString()), again.err());

        CliRun preset = CliRun.of(args(tmp.resolve("p"), 1, "--preset", "huge"));
        assertEquals(Medvlm.EXIT_USAGE, preset.exitCode());
        assertTrue(preset.errIsOneLine() && preset.err().contains("unknown preset 'huge'"), preset.err());

        CliRun data = CliRun.of("train", "--run-dir", tmp.resolve("d").toString(), "--data", "slake:" + tmp.resolve("none"), "--steps", "1");
        assertEquals(Medvlm.EXIT_INPUT, data.exitCode());
        assertTrue(data.errIsOneLine(), data.err());
        // data and model are read before the run folder is made: a run that cannot start leaves none behind
        assertFalse(Files.exists(tmp.resolve("d")), "a run folder was left by a run that never started");
        // {option, value, what the one line names}
        for (String[] bad : new String[][] {{"--data", "phantoms:99999999:1", "99999999"}, {"--model", "/dev/zero", "/dev/zero"},
            {"--model", tmp.toString(), tmp.toString()}}) {
            Path dir = tmp.resolve("never");
            CliRun r = CliRun.of("train", "--run-dir", dir.toString(), "--steps", "1", bad[0], bad[1]);
            assertEquals(Medvlm.EXIT_INPUT, r.exitCode(), r.err());
            assertTrue(r.errIsOneLine() && r.err().contains(bad[2]), r.err());
            assertFalse(Files.exists(dir), String.join(" ", bad) + " left a run folder");
        }

        CliRun steps = CliRun.of(args(tmp.resolve("s"), 0));
        assertEquals(Medvlm.EXIT_USAGE, steps.exitCode());
        assertTrue(steps.errIsOneLine() && steps.err().contains("steps"), steps.err());

        Path notRun = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(notRun.resolve("holiday.jpg"), "x");
        CliRun foreign = CliRun.of(args(notRun, 1));
        assertEquals(Medvlm.EXIT_INPUT, foreign.exitCode());
        assertTrue(foreign.err().contains("is not empty and holds no run"), foreign.err());
        assertEquals(List.of("holiday.jpg"), Files.list(notRun).map(p -> p.getFileName().toString()).toList(), "nothing written");

        Path settings = tmp.resolve("run.settings");
        Files.writeString(settings, "steps: 1\nthis line has no separator\n");
        CliRun bad = CliRun.of("train", "--settings", settings.toString());
        assertEquals(Medvlm.EXIT_INPUT, bad.exitCode());
        assertTrue(bad.errIsOneLine() && bad.err().contains("line 2"), bad.err());

        // a settings file that is a pipe, a device or a folder is refused by name, before anything is read
        Path fifo = tmp.resolve("cell.fifo");
        try {
            assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        } catch (IOException noMkfifo) {
            fifo = null;
        }
        for (Path notAFile : fifo == null ? new Path[] {Path.of("/dev/zero"), tmp} : new Path[] {fifo, Path.of("/dev/zero"), tmp}) {
            CliRun r = CliRun.of("train", "--settings", notAFile.toString());
            assertEquals(Medvlm.EXIT_INPUT, r.exitCode(), r.err());
            assertTrue(r.errIsOneLine() && r.err().contains(notAFile.toString()), r.err());
        }

        // each setting that is out of range is named on its own
        for (String option : new String[] {"--eval-every", "--checkpoint-every", "--keep-checkpoints"}) {
            CliRun r = CliRun.of("train", "--run-dir", tmp.resolve("z").toString(), "--steps", "1", option, "0");
            assertEquals(Medvlm.EXIT_USAGE, r.exitCode(), r.err());
            assertTrue(r.errIsOneLine() && r.err().contains(option.substring(2) + " must be 1 or more"), r.err());
        }
        CliRun samples = CliRun.of("train", "--run-dir", tmp.resolve("z").toString(), "--samples", "9999");
        assertTrue(samples.err().contains("samples must be from 0 to 256"), samples.err());
    }

    @Test
    void settingsLinesAreTheOptions() throws IOException {
        Path settings = tmp.resolve("body.settings");
        Path run = tmp.resolve("r");
        Files.writeString(settings, "# a %%train cell body\nrun_dir: " + run + "\nsteps: 2\ndata: phantoms:120:3\n"
                + "batch-size = 8\neval-limit: 8\nsamples: 2\nresume: false\n");
        CliRun r = CliRun.of("train", "--settings", settings.toString(), "--seed", "4");
        assertEquals(0, r.exitCode(), r.err());
        JsonObject recorded = JsonParser.parseString(Files.readString(run.resolve("run.json"))).getAsJsonObject();
        assertEquals(2, recorded.get("steps").getAsInt());
        assertEquals(8, recorded.get("batch_size").getAsInt());
        assertEquals(4, recorded.get("seed").getAsInt());

        // the command line wins over the file's line (as the %%train line over its body)
        Path over = tmp.resolve("over");
        CliRun overridden = CliRun.of("train", "--settings", settings.toString(), "--steps", "1", "--run-dir", over.toString());
        assertEquals(0, overridden.exitCode(), overridden.err());
        assertEquals(1, JsonParser.parseString(Files.readString(over.resolve("run.json"))).getAsJsonObject().get("steps").getAsInt());

        // any flag takes true or false; an unknown key, a key given twice and a flag with another value name their line
        Path flags = tmp.resolve("flags.settings");
        Files.writeString(flags, "launcher: local\nnproc: 2\ndevice: cpu\ndry_run: true\nforce: false\n");
        CliRun dry = CliRun.of("train", "--settings", flags.toString(), "--python", "python3");
        assertEquals(0, dry.exitCode(), dry.err());
        assertTrue(dry.out().contains("launch: local, 2 processes"), dry.out());
        String[][] bad = {{"steps: 2\nbogus: 1\n", "line 2: no setting 'bogus'"}, {"steps: 2\nsteps: 3\n", "line 2: steps is set on line 1"},
            {"dry-run: yes\n", "line 1: dry-run is true or false, not yes"}};
        for (String[] c : bad) {
            Path f = tmp.resolve("bad.settings");
            Files.writeString(f, c[0]);
            CliRun refused = CliRun.of("train", "--settings", f.toString(), "--run-dir", tmp.resolve("never").toString());
            assertEquals(Medvlm.EXIT_INPUT, refused.exitCode(), refused.err());
            assertTrue(refused.errIsOneLine() && refused.err().contains(f + ": " + c[1]), refused.err());
            assertFalse(Files.exists(tmp.resolve("never")));
        }
    }

    /** The launch module's class path, to run the CLI in a child JVM that can be killed. */
    static Process child(Path log, String... args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dai.djl.offline=true", "-cp", cp));
        for (String a : args) {
            if (a.startsWith("-D")) {
                cmd.add(a);
            }
        }
        cmd.add(Medvlm.class.getName());
        for (String a : args) {
            if (!a.startsWith("-D")) {
                cmd.add(a);
            }
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("MKL_CBWR", "AUTO,STRICT"); // as launch/medvlm sets it
        return pb.start();
    }

    static void waitFor(String what, java.util.function.BooleanSupplier condition, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!condition.getAsBoolean()) {
            if (!p.isAlive()) {
                throw new AssertionError("the run ended before " + what);
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aRunKilledMidwayAndWhileCheckpointingResumesWithTheSameLosses() throws Exception {
        Path reference = tmp.resolve("reference");
        assertEquals(0, CliRun.of(args(reference, 8)).exitCode());
        List<Double> expected = losses(reference);

        // 1. killed with SIGKILL while the checkpoint of step 4 is being written (held open by the test property)
        Path run = tmp.resolve("run");
        List<String> a = new ArrayList<>(List.of(args(run, 8)));
        a.add(0, "-Dmedvlm.test.checkpoint-pause-ms=3000");
        Process p = child(tmp.resolve("child1.log"), a.toArray(String[]::new));
        waitFor("the checkpoint of step 4 to be in progress", () -> Files.isDirectory(run.resolve("checkpoints/step-000004.tmp")), p);
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertFalse(p.isAlive());
        assertTrue(Files.isDirectory(run.resolve("checkpoints/step-000002")), "the previous checkpoint is there");
        assertFalse(Files.isDirectory(run.resolve("checkpoints/step-000004")), "the half-written one never looks complete");

        // 2. resumed in a child JVM, then killed again mid-way between checkpoints
        Process q = child(tmp.resolve("child2.log"), args(run, 8, "--resume"));
        waitFor("step 5", () -> {
            try {
                return steps(run).contains(5L);
            } catch (IOException e) {
                return false;
            }
        }, q);
        q.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        // 3. resumed in-process to the end
        CliRun last = CliRun.of(args(run, 8, "--resume"));
        assertEquals(0, last.exitCode(), last.err());
        // every step after the checkpoint it resumed from equals the uninterrupted run's
        List<Object> events = RunDirectory.open(run).metrics();
        java.util.Map<Long, Double> latestLossByStep = new java.util.TreeMap<>();
        for (Object e : events) {
            if (e instanceof RunEvents.Step s) {
                latestLossByStep.put(s.step(), s.loss());
            }
        }
        for (long step = 1; step <= 8; step++) {
            assertEquals(expected.get((int) step - 1), latestLossByStep.get(step), "loss at step " + step + "; log: "
                    + Files.readString(tmp.resolve("child2.log"), StandardCharsets.UTF_8));
        }
        assertEquals("finished", JsonParser.parseString(Files.readString(run.resolve("status.json"))).getAsJsonObject()
                .get("state").getAsString());
    }

    @Test
    void aCorruptCheckpointIsNamedAndTheEarlierOneUsed() throws IOException {
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of(args(run, 4)).exitCode());
        Path newest = run.resolve("checkpoints/step-000004/model.safetensors");
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 1] ^= 1; // one flipped bit in the weights
        Files.write(newest, bytes);
        CliRun resumed = CliRun.of(args(run, 6, "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("step-000004") && resumed.err().contains("SHA-256"), resumed.err());
        assertTrue(steps(run).contains(3L) && steps(run).stream().filter(s -> s == 3L).count() == 2,
                "resumed from step 2: step 3 was trained again " + steps(run));
    }
}
