package org.medvlm.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.launch.LaunchSpec.Engine;
import org.medvlm.launch.LaunchSpec.Launcher;
import org.medvlm.vlm.Answer;
import org.medvlm.vlm.VisionLanguageModel;

/**
 * Runs launched through the same code a GPU run takes, on CPU processes (--launcher local, gloo): two ZeRO-1
 * ranks train the tiny preset on phantoms exactly as one process with the same global batch; the metrics appear
 * while the run goes on; the final model folder loads in Java and answers as the Python trainer did. A rank killed
 * mid-run fails the run, naming the rank and its last log lines, and no process is left behind.
 */
class LocalLaunchTest {
    @TempDir Path tmp;

    static LaunchSpec local(int nproc, String python) {
        // one thread per rank in both runs: equal thread counts, equal floating-point sums
        return new LaunchSpec(Launcher.LOCAL, 0, nproc, 1, Optional.empty(), "", "", "", null, Engine.ZERO1, null, null, null,
                null, false, false, false, "", "", "", "", python, 1);
    }

    static int launch(LaunchSpec spec, TrainerArgs args, Path run, StringWriter out) throws Exception {
        return Launches.launch(spec, args, run, Optional.of(new Launches.PresetInit(InitModel.Preset.TINY, Map.of())),
                new PrintWriter(out, true));
    }

    static List<JsonObject> events(Path run, String kind) throws IOException {
        List<JsonObject> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            if (o.get("event").getAsString().equals(kind)) {
                out.add(o);
            }
        }
        return out;
    }

    @Test
    void twoZero1RanksEqualOneProcessAndTheModelAnswersInJava() throws Exception {
        String python = PythonTorch.require();
        Path two = tmp.resolve("two");
        Path one = tmp.resolve("one");
        TrainerArgs common = TrainerArgs.of("--data", "phantoms:48:3", "--steps", "20", "--freeze", "none", "--lr", "3e-3",
                "--warmup-steps", "2", "--seed", "11", "--batch-size", "4");
        // watch the run directory while the run goes on
        AtomicLong firstStepSeen = new AtomicLong();
        AtomicLong finishedSeen = new AtomicLong();
        CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
            long deadline = System.currentTimeMillis() + 300_000;
            while (System.currentTimeMillis() < deadline && finishedSeen.get() == 0) {
                try {
                    Path m = two.resolve("metrics.jsonl");
                    if (firstStepSeen.get() == 0 && Files.isRegularFile(m) && Files.readString(m).contains("\"event\": \"step\"")) {
                        firstStepSeen.set(System.nanoTime());
                    }
                    if (RunFiles.state(two).equals("finished")) {
                        finishedSeen.set(System.nanoTime());
                    }
                    Thread.sleep(20);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        StringWriter out = new StringWriter();
        assertEquals(0, launch(local(2, python), common, two, out), out.toString());
        watcher.get(60, TimeUnit.SECONDS);
        assertTrue(firstStepSeen.get() > 0 && firstStepSeen.get() < finishedSeen.get(), "metrics appear while the run goes on");
        assertTrue(out.toString().contains("step 20"), out.toString());
        // one process, the same global batch (4 x 2 accumulation = 2 ranks x 4), on the data the first run prepared
        TrainerArgs single = common.with("--data", two.resolve("data").toString()).with("--grad-accum", "2");
        assertEquals(0, launch(local(1, python), single, one, new StringWriter()));
        List<JsonObject> a = events(two, "step");
        List<JsonObject> b = events(one, "step");
        assertEquals(20, a.size());
        assertEquals(20, b.size());
        double worst = 0;
        for (int i = 0; i < 20; i++) {
            worst = Math.max(worst, Math.abs(a.get(i).get("loss").getAsDouble() - b.get(i).get("loss").getAsDouble()));
        }
        assertTrue(worst <= 1e-4, "2 ranks and 1 process differ by " + worst);
        assertTrue(a.get(19).get("loss").getAsDouble() < a.get(0).get("loss").getAsDouble(), "the loss goes down");

        JsonObject status = RunFiles.status(two).orElseThrow();
        assertEquals("finished", status.get("state").getAsString());
        assertEquals("local", status.getAsJsonObject("job").get("launcher").getAsString());
        assertEquals(2, status.getAsJsonObject("job").getAsJsonArray("ranks").size());
        assertTrue(Files.isRegularFile(two.resolve("logs/rank-1.log")));
        assertTrue(Files.isRegularFile(two.resolve("run.json")));

        // the final model folder answers in Java as the Python trainer answered in its last evaluation
        List<JsonObject> samples = new ArrayList<>();
        for (String line : Files.readAllLines(two.resolve("samples.jsonl"))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            if (o.get("step").getAsInt() == 20) {
                samples.add(o);
            }
        }
        assertEquals(4, samples.size());
        try (VisionLanguageModel vlm = VisionLanguageModel.load(two.resolve("model"))) {
            for (JsonObject s : samples) {
                String id = s.get("id").getAsString();
                Path image;
                try (Stream<Path> files = Files.list(two.resolve("data/images"))) {
                    image = files.filter(p -> p.getFileName().toString().endsWith(id + ".png")).findFirst().orElseThrow();
                }
                Answer answer = vlm.ask(ImageIO.read(image.toFile()), s.get("question").getAsString());
                assertEquals(s.get("answer").getAsString(), answer.text(), "Java and Python answers for " + id);
            }
        }
    }

    @Test
    void theTinyPresetStartsFromTheShippedPreTrainedPartsAsALocalRunDoes() throws Exception {
        String python = PythonTorch.require();
        Path run = tmp.resolve("parts");
        TrainerArgs args = TrainerArgs.of("--data", "phantoms:48:3", "--steps", "2", "--batch-size", "8", "--seed", "5");
        assertEquals(0, launch(local(1, python), args, run, new StringWriter()));
        for (String part : new String[] {"vision", "text"}) {
            try (var shipped = VisionLanguageModel.class.getResourceAsStream("builtin/" + part + "/model.safetensors")) {
                assertTrue(java.util.Arrays.equals(shipped.readAllBytes(), Files.readAllBytes(run.resolve("init/" + part + "/model.safetensors"))),
                        "init/" + part + " holds the jar's pre-trained " + part + " part");
            }
            JsonObject config = JsonParser.parseString(Files.readString(run.resolve("init/config.json"))).getAsJsonObject();
            assertEquals(part, config.get(part + "_config").getAsString(), "config.json names the part folder, relative");
        }
        // a frozen language model from scratch would answer at chance over its 300-token vocabulary: ln 300 = 5.7
        double first = events(run, "step").get(0).get("loss").getAsDouble();
        assertTrue(first < 3.0, "the first update's loss is " + first + ": the run did not start from the pre-trained parts");
    }

    @Test
    void aKilledRankFailsTheRunNamingItAndLeavesNoProcess() throws Exception {
        String python = PythonTorch.require();
        Path run = tmp.resolve("killed");
        TrainerArgs args = TrainerArgs.of("--data", "phantoms:24:3", "--steps", "100000", "--batch-size", "2");
        StringWriter out = new StringWriter();
        CompletableFuture<Exception> launched = CompletableFuture.supplyAsync(() -> {
            try {
                launch(local(2, python), args, run, out);
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        long deadline = System.currentTimeMillis() + 180_000;
        while (System.currentTimeMillis() < deadline
                && !(Files.isRegularFile(run.resolve("metrics.jsonl")) && Files.size(run.resolve("metrics.jsonl")) > 0)) {
            Thread.sleep(100);
        }
        JsonObject job = RunFiles.status(run).orElseThrow().getAsJsonObject("job");
        List<Long> pids = new ArrayList<>();
        job.getAsJsonArray("ranks").forEach(r -> pids.add(r.getAsJsonObject().get("pid").getAsLong()));
        assertEquals(2, pids.size());
        assertTrue(ProcessHandle.of(pids.get(1)).map(ProcessHandle::isAlive).orElse(false));
        long killedAt = System.nanoTime();
        new ProcessBuilder("kill", "-KILL", Long.toString(pids.get(1))).start().waitFor();
        Exception failure = launched.get(60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - killedAt) / 1e9;
        assertTrue(seconds < 30, "marked failed after " + seconds + " s");
        assertTrue(failure instanceof Launches.RunFailed, String.valueOf(failure));
        JsonObject status = RunFiles.status(run).orElseThrow();
        assertEquals("failed", status.get("state").getAsString());
        String reason = status.get("reason").getAsString();
        assertTrue(reason.startsWith("rank 1 was killed by signal 9; last lines of rank-1.log: "), reason);
        assertTrue(reason.contains("medvlm: rank 1/2"), reason);
        // nothing left: neither the ranks nor anything in their process groups
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still runs");
            assertEquals(List.of(), processesInGroup(pid), "process group " + pid);
        }
        assertThrows(IllegalArgumentException.class, () -> launch(local(1, python), args, run, new StringWriter()),
                "a used run directory is refused without --resume");
    }

    /** Live processes whose process group is {@code pgid} (field 5 of /proc/PID/stat). */
    static List<Long> processesInGroup(long pgid) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"), StandardCharsets.UTF_8);
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (!f[0].equals("Z") && Long.parseLong(f[2]) == pgid) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended while we looked
                }
            }
        }
        return out;
    }
}
