package org.medvlm.launch;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts the processes of a plan on this machine (the ranks of a {@code local} launch, or the torchrun/DeepSpeed
 * launcher, or one ssh per node) and follows them. Each starts in its own session ({@code setsid}), so its whole
 * process group can be stopped; their pids go into status.json ({@code job.ranks}) for {@link Launches#stop}.
 *
 * <p>When one exits with an error the others' process groups are terminated (SIGTERM, then SIGKILL after a grace
 * period) and the run is marked failed, naming the process and its last log lines; when this JVM ends first, a
 * shutdown hook does the same. The ranks also exit by themselves when their parent is gone.
 */
public final class Supervisor {
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    static final long GRACE_MS = 5_000;

    private final LaunchPlan plan;
    private final List<LaunchPlan.Proc> specs;
    private final List<Process> procs = new ArrayList<>();
    private final PrintWriter out;
    private final Thread hook;

    private Supervisor(LaunchPlan plan, PrintWriter out) {
        this.plan = plan;
        this.specs = plan.processes();
        this.out = out;
        this.hook = new Thread(() -> terminateAll("the launching program ended"), "medvlm-supervisor-hook");
    }

    /** Starts every process of the plan and records them in status.json. */
    public static Supervisor start(LaunchPlan plan, PrintWriter out) throws IOException {
        Supervisor s = new Supervisor(plan, out);
        Runtime.getRuntime().addShutdownHook(s.hook);
        JsonArray ranks = new JsonArray();
        try {
            for (LaunchPlan.Proc p : plan.processes()) {
                List<String> argv = new ArrayList<>();
                if (Files.isExecutable(SETSID)) {
                    argv.add(SETSID.toString());
                }
                argv.addAll(p.argv());
                ProcessBuilder pb = new ProcessBuilder(argv);
                pb.environment().putAll(p.env());
                if (p.env().containsKey("PYTHONPATH") && System.getenv("PYTHONPATH") != null && !System.getenv("PYTHONPATH").isBlank()) {
                    pb.environment().put("PYTHONPATH", p.env().get("PYTHONPATH") + java.io.File.pathSeparator + System.getenv("PYTHONPATH"));
                }
                pb.redirectErrorStream(true);
                if (p.log().isPresent()) {
                    Files.createDirectories(p.log().get().getParent());
                    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(p.log().get().toFile()));
                } else {
                    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
                }
                Process proc = pb.start();
                s.procs.add(proc);
                JsonObject r = new JsonObject();
                r.addProperty("name", p.name());
                r.addProperty("pid", proc.pid());
                p.log().ifPresent(l -> r.addProperty("log", plan.runDir().relativize(l).toString()));
                ranks.add(r);
            }
        } catch (IOException e) {
            s.terminateAll("a process could not be started");
            throw new IOException("cannot start " + s.specs.get(s.procs.size()).argv().get(0) + ": " + e.getMessage(), e);
        }
        JsonObject job = new JsonObject();
        job.addProperty("launcher", plan.spec().launcher().key());
        job.add("job_id", null);
        job.add("ranks", ranks);
        job.addProperty("process_groups", Files.isExecutable(SETSID));
        JsonObject f = new JsonObject();
        f.add("job", job);
        f.addProperty("pid", ProcessHandle.current().pid());
        RunFiles.updateStatus(plan.runDir(), f);
        return s;
    }

    /** Follows the processes until all end; returns the run's final state (finished, failed or stopped). */
    public String waitFor() throws IOException, InterruptedException {
        MetricsFollower follower = new MetricsFollower(plan.runDir(), out);
        try {
            while (true) {
                follower.poll();
                boolean allDone = true;
                for (int i = 0; i < procs.size(); i++) {
                    Process p = procs.get(i);
                    if (p.isAlive()) {
                        allDone = false;
                        continue;
                    }
                    int code = p.exitValue();
                    if (code != 0) {
                        return failed(i, code);
                    }
                }
                if (allDone) {
                    follower.finish();
                    String state = RunFiles.state(plan.runDir());
                    if (!state.equals("finished") && !state.equals("stopped")) {
                        Path log = RunFiles.failedRankLog(plan.runDir()).orElse(plan.runDir().resolve("logs"));
                        RunFiles.finish(plan.runDir(), "failed", "all processes exited without the run finishing; "
                                + RunFiles.lastLines(log, 5));
                        return "failed";
                    }
                    return state;
                }
                Thread.sleep(200);
            }
        } finally {
            removeHook();
        }
    }

    private String failed(int index, int code) throws IOException {
        String state = RunFiles.state(plan.runDir());
        if (state.equals("stopped")) {
            terminateAll("stopped");
            return "stopped";
        }
        LaunchPlan.Proc p = specs.get(index);
        terminateAll(p.name() + " failed");
        String how = code > 128 ? "was killed by signal " + (code - 128) : "exited with code " + code;
        Path log = p.log().filter(l -> !l.getFileName().toString().startsWith("launcher"))
                .or(() -> RunFiles.failedRankLog(plan.runDir())).or(() -> p.log()).orElse(plan.runDir().resolve("logs"));
        String reason = p.name() + " " + how + "; " + RunFiles.lastLines(log, 5);
        RunFiles.finish(plan.runDir(), "failed", reason);
        out.println("run failed: " + reason);
        out.flush();
        return "failed";
    }

    /** Stops every process's group that is still running: SIGTERM, then SIGKILL after the grace period. */
    public void terminateAll(String why) {
        for (Process p : procs) {
            if (p.isAlive()) {
                signalGroup(p.pid(), "TERM");
            }
        }
        long deadline = System.currentTimeMillis() + GRACE_MS;
        for (Process p : procs) {
            try {
                long left = Math.max(1, deadline - System.currentTimeMillis());
                if (!p.waitFor(left, TimeUnit.MILLISECONDS)) {
                    signalGroup(p.pid(), "KILL");
                    p.destroyForcibly();
                    p.waitFor(GRACE_MS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // what the group signal could not reach (no setsid): the process's own descendants
            p.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** kill -SIG -- -PGID: the process started with setsid leads its own group; without setsid, only itself. */
    static void signalGroup(long pid, String signal) {
        String target = Files.isExecutable(SETSID) ? "-" + pid : Long.toString(pid);
        try {
            Process k = new ProcessBuilder("kill", "-" + signal, "--", target).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            k.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void removeHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs
        }
    }

    public List<Long> pids() {
        return procs.stream().map(Process::pid).toList();
    }

    /** Prints the run's step events as they are appended (at most one line a second, and the last one). */
    static final class MetricsFollower {
        private final Path metrics;
        private final PrintWriter out;
        private long offset;
        private long lastPrint;
        private String pending;

        MetricsFollower(Path runDir, PrintWriter out) {
            this.metrics = runDir.resolve("metrics.jsonl");
            this.out = out;
        }

        void poll() {
            try {
                long size = Files.isRegularFile(metrics) ? Files.size(metrics) : 0;
                if (size <= offset) {
                    flushPending(false);
                    return;
                }
                // only what was appended since the last poll, up to its last complete line
                byte[] chunk;
                try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(metrics.toFile(), "r")) {
                    f.seek(offset);
                    chunk = new byte[(int) Math.min(size - offset, 16 << 20)];
                    f.readFully(chunk);
                }
                int end = chunk.length;
                while (end > 0 && chunk[end - 1] != '\n') {
                    end--;
                }
                offset += end;
                for (String line : new String(chunk, 0, end, StandardCharsets.UTF_8).split("\n")) {
                    if (line.isBlank()) {
                        continue;
                    }
                    Optional<String> shown = show(line);
                    if (shown.isPresent()) {
                        if (line.contains("\"eval\"")) {
                            out.println(shown.get());
                        } else {
                            pending = shown.get();
                        }
                    }
                }
                flushPending(false);
            } catch (IOException e) {
                // the file is being written; try again at the next poll
            }
        }

        /** A last poll that prints the last step line whatever the time. */
        void finish() {
            poll();
            flushPending(true);
        }

        private void flushPending(boolean force) {
            long now = System.currentTimeMillis();
            if (pending != null && (force || now - lastPrint >= 1000)) {
                out.println(pending);
                out.flush();
                pending = null;
                lastPrint = now;
            }
        }

        static Optional<String> show(String line) {
            try {
                JsonObject o = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
                String event = o.get("event").getAsString();
                if (event.equals("step")) {
                    return Optional.of(String.format(Locale.ROOT, "step %d  loss %.4f  lr %.3g  %.1f samples/s",
                            o.get("step").getAsInt(), o.get("loss").getAsDouble(), o.get("lr").getAsDouble(),
                            o.get("samples_per_s").getAsDouble()));
                }
                if (event.equals("eval")) {
                    return Optional.of(String.format(Locale.ROOT, "eval at step %d: loss %.4f, %s", o.get("step").getAsInt(),
                            o.get("loss").getAsDouble(), o.get("metrics")));
                }
            } catch (RuntimeException e) {
                // a line that is not an event is not shown
            }
            return Optional.empty();
        }
    }
}
