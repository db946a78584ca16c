package org.medvlm.launch;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A run submitted to Slurm: {@code sbatch --parsable} the generated script, then follow it with {@code squeue} (and
 * {@code scontrol show job} once it left the queue) while the ranks write the run directory; {@link #cancel} is
 * {@code scancel}. The cluster is the one the environment names (SLURM_CONF, or the default configuration).
 */
public final class SlurmJob {
    private static final Pattern STATE = Pattern.compile("JobState=(\\S+)");
    private static final Set<String> ENDED = Set.of("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
            "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE");

    private final String id;
    private final Path runDir;

    private SlurmJob(String id, Path runDir) {
        this.id = id;
        this.runDir = runDir;
    }

    public String id() {
        return id;
    }

    /** Submits the plan's sbatch command; records the job in status.json. */
    public static SlurmJob submit(LaunchPlan plan) throws IOException {
        LaunchPlan.Proc sbatch = plan.processes().get(0);
        Result r = run(sbatch.argv(), 60);
        if (r.code != 0) {
            throw new IOException("sbatch refused the job (exit " + r.code + "): " + oneLine(r.output));
        }
        String out = r.output.strip();
        String id = out.contains(";") ? out.substring(0, out.indexOf(';')) : out;
        if (!id.matches("\\d+")) {
            throw new IOException("sbatch printed no job id: " + oneLine(out));
        }
        JsonObject job = new JsonObject();
        job.addProperty("launcher", "slurm");
        job.addProperty("job_id", id);
        job.add("ranks", new com.google.gson.JsonArray());
        JsonObject f = new JsonObject();
        f.add("job", job);
        f.addProperty("pid", ProcessHandle.current().pid());
        RunFiles.updateStatus(plan.runDir(), f);
        return new SlurmJob(id, plan.runDir());
    }

    /** The job's Slurm state (PENDING, RUNNING, COMPLETED, ...), or "UNKNOWN" once Slurm forgot it. */
    public String state() {
        Result q = run(List.of("squeue", "-h", "-j", id, "-o", "%T"), 30);
        String s = q.output.strip();
        if (q.code == 0 && !s.isEmpty()) {
            return s.lines().findFirst().orElse("UNKNOWN");
        }
        Result c = run(List.of("scontrol", "show", "job", id), 30);
        Matcher m = STATE.matcher(c.output);
        return c.code == 0 && m.find() ? m.group(1) : "UNKNOWN";
    }

    /** Follows the job to its end; returns the run's final state (finished, failed or stopped). */
    public String follow(PrintWriter out, long pollMs) throws IOException, InterruptedException {
        Supervisor.MetricsFollower follower = new Supervisor.MetricsFollower(runDir, out);
        String last = "";
        while (true) {
            follower.poll();
            String s = state();
            if (!s.equals(last)) {
                out.println("slurm job " + id + ": " + s);
                out.flush();
                last = s;
            }
            if (ENDED.contains(s) || s.equals("UNKNOWN") || s.startsWith("CANCELLED")) {
                follower.finish();
                String run = RunFiles.state(runDir);
                if (run.equals("finished") || run.equals("stopped")) {
                    return run;
                }
                Path log = RunFiles.failedRankLog(runDir).orElse(runDir.resolve("logs"));
                RunFiles.finish(runDir, "failed", "slurm job " + id + " ended " + s + "; " + RunFiles.lastLines(log, 5));
                return "failed";
            }
            Thread.sleep(pollMs);
        }
    }

    /** scancel: Slurm signals every task and ends the job. */
    public static void cancel(String id) throws IOException {
        if (!id.matches("\\d+")) {
            throw new IllegalArgumentException("not a Slurm job id: " + id);
        }
        Result r = run(List.of("scancel", id), 60);
        if (r.code != 0) {
            throw new IOException("scancel " + id + " failed (exit " + r.code + "): " + oneLine(r.output));
        }
    }

    record Result(int code, String output) {}

    static Result run(List<String> argv, int timeoutS) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(124, argv.get(0) + " timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(127, argv.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, "interrupted");
        }
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\n\\s*", "; ");
    }
}
