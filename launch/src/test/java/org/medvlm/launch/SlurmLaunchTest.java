package org.medvlm.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launched run through a real Slurm cluster started here: {@code medvlm train ... --launcher slurm} (the command
 * line, in its own JVM, with SLURM_CONF naming the cluster) submits the generated sbatch script, whose srun starts
 * the two ZeRO-1 ranks; it follows the job to the end; {@code medvlm train stop RUN} cancels a running job (scancel)
 * and nothing of it is left.
 */
class SlurmLaunchTest {
    @TempDir static Path tmp;
    static LocalSlurm slurm;

    @BeforeAll
    static void cluster() throws Exception {
        PythonTorch.require();
        slurm = LocalSlurm.start(Files.createDirectories(tmp.resolve("cluster")));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (slurm != null) {
            slurm.close();
        }
    }

    /** The command line in a JVM of its own, with the cluster's environment. */
    static Process medvlm(Path output, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.medvlm.cli.Medvlm"));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().putAll(slurm.env());
        return pb.start();
    }

    static List<String> train(Path run, int steps) {
        return List.of("train", "--preset", "tiny", "--data", "phantoms:24:3", "--steps", Integer.toString(steps),
                "--batch-size", "2", "--launcher", "slurm", "--nproc", "2", "--device", "cpu", "--engine", "zero1",
                "--run-dir", run.toString(), "--python", PythonTorch.PYTHON);
    }

    @Test
    void aRunGoesThroughSbatchAndSrunAndIsFollowedToTheEnd() throws Exception {
        Path run = tmp.resolve("run one");
        Path out = tmp.resolve("one.out");
        Process p = medvlm(out, train(run, 6).toArray(String[]::new));
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the run ended");
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.contains("submitted slurm job") && text.contains(": COMPLETED") && text.contains("run finished"), text);
        JsonObject status = RunFiles.status(run).orElseThrow();
        assertEquals("finished", status.get("state").getAsString());
        JsonObject job = status.getAsJsonObject("job");
        assertEquals("slurm", job.get("launcher").getAsString());
        String id = job.get("job_id").getAsString();
        assertTrue(Files.isRegularFile(run.resolve("logs/slurm-" + id + ".log")));
        assertTrue(Files.readString(run.resolve("logs/rank-1.log")).contains("medvlm: rank 1/2"), "srun started rank 1");
        assertTrue(Files.readString(run.resolve("job.sbatch")).contains("exec 'srun'"));
        assertEquals(6, Files.readAllLines(run.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"event\": \"step\"")).count());
        assertTrue(Files.isRegularFile(run.resolve("model/model.safetensors")));
    }

    @Test
    void stoppingARunCancelsTheJob() throws Exception {
        Path run = tmp.resolve("run two");
        Path out = tmp.resolve("two.out");
        Process p = medvlm(out, train(run, 100_000).toArray(String[]::new));
        long deadline = System.currentTimeMillis() + 240_000;
        while (System.currentTimeMillis() < deadline
                && !(Files.isRegularFile(run.resolve("metrics.jsonl")) && Files.size(run.resolve("metrics.jsonl")) > 0)) {
            Thread.sleep(200);
        }
        assertTrue(Files.size(run.resolve("metrics.jsonl")) > 0, Files.readString(out));
        String id = RunFiles.status(run).orElseThrow().getAsJsonObject("job").get("job_id").getAsString();
        Path stopOut = tmp.resolve("stop.out");
        Process stop = medvlm(stopOut, "train", "stop", run.toString());
        assertTrue(stop.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, stop.exitValue(), Files.readString(stopOut));
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the follower ends once the job is cancelled");
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(text.contains("CANCELLED") && text.contains("stopped"), text);
        assertEquals("stopped", RunFiles.state(run));
        assertEquals("", LocalSlurm.run(List.of("squeue", "-h", "-j", id), slurm.env()).output().strip(), "the job is gone");
        long left = 0;
        for (int i = 0; i < 50; i++) {
            left = ranksOf(run);
            if (left == 0) {
                break;
            }
            Thread.sleep(200);
        }
        assertEquals(0, left, "no rank of the cancelled job is left");
    }

    /** Live processes whose command line names this run directory. */
    static long ranksOf(Path run) throws Exception {
        long n = 0;
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (cmd.contains("medvlm.train") && cmd.contains(run.toString())) {
                        n++;
                    }
                } catch (java.io.IOException e) {
                    // ended meanwhile
                }
            }
        }
        return n;
    }
}
