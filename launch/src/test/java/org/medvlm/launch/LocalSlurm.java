package org.medvlm.launch;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real one-node Slurm cluster on this machine (Debian's slurm-wlm and munge; /work/shared/facts/slurm-local.md):
 * slurm.conf in a temporary folder with its own ports, munged (reused when one already answers), slurmctld and
 * slurmd. It needs root; without root or the packages the test is skipped with a message, under CI it fails.
 * {@link #close} stops only the daemons it started, by the pids in their pid files.
 */
final class LocalSlurm implements AutoCloseable {
    final Path dir;
    final Path conf;
    private final List<Path> pidFiles = new ArrayList<>();
    private Long mungedPid;

    private LocalSlurm(Path dir) {
        this.dir = dir;
        this.conf = dir.resolve("slurm.conf");
    }

    static void unavailable(String why) {
        if (System.getenv("CI") != null) {
            fail("a local Slurm cluster cannot start: " + why + " (CI is set)");
        }
        Assumptions.abort("local Slurm cluster skipped: " + why);
    }

    static LocalSlurm start(Path dir) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            unavailable("the daemons need root");
        }
        for (String b : List.of("/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/sbatch")) {
            if (!Files.isExecutable(Path.of(b))) {
                unavailable(b + " is missing (apt-get install slurm-wlm munge)");
            }
        }
        LocalSlurm s = new LocalSlurm(dir);
        try {
            s.munge();
            s.daemons();
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void munge() throws Exception {
        if (run(List.of("bash", "-c", "munge -n | unmunge"), Map.of()).code() == 0) {
            return; // a munged answers already: use it, and leave it running
        }
        Path key = Path.of("/etc/munge/munge.key");
        if (!Files.isRegularFile(key)) {
            check(run(List.of("bash", "-c", "umask 277 && dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1"
                    + " && chown munge:munge /etc/munge/munge.key"), Map.of()), "create the munge key");
        }
        check(run(List.of("bash", "-c", "mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge"
                + " /var/log/munge /var/lib/munge && chmod 755 /run/munge"), Map.of()), "prepare munge's folders");
        check(run(List.of("runuser", "-u", "munge", "--", "/usr/sbin/munged"), Map.of()), "start munged");
        Path pid = Path.of("/run/munge/munged.pid");
        for (int i = 0; i < 50 && run(List.of("bash", "-c", "munge -n | unmunge"), Map.of()).code() != 0; i++) {
            Thread.sleep(100);
        }
        mungedPid = Files.isRegularFile(pid) ? Long.parseLong(Files.readString(pid).strip()) : null;
    }

    private void daemons() throws Exception {
        String host = run(List.of("hostname"), Map.of()).output().strip();
        int port = 17000 + (int) (ProcessHandle.current().pid() % 2000) * 2;
        Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(dir.resolve("spool"));
        String text = String.join("\n",
                "ClusterName=medvlmtest",
                "SlurmctldHost=" + host + "(127.0.0.1)",
                "SlurmctldPort=" + port,
                "SlurmdPort=" + (port + 1),
                "AuthType=auth/munge",
                "SlurmUser=root",
                "MpiDefault=none",
                "ProctrackType=proctrack/pgid",
                "TaskPlugin=task/none",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_Core",
                "JobAcctGatherType=jobacct_gather/none",
                "AccountingStorageType=accounting_storage/none",
                "ReturnToService=2",
                "StateSaveLocation=" + dir.resolve("state"),
                "SlurmdSpoolDir=" + dir.resolve("spool"),
                "SlurmctldPidFile=" + dir.resolve("slurmctld.pid"),
                "SlurmdPidFile=" + dir.resolve("slurmd.pid"),
                "SlurmctldLogFile=" + dir.resolve("slurmctld.log"),
                "SlurmdLogFile=" + dir.resolve("slurmd.log"),
                "NodeName=" + host + " NodeAddr=127.0.0.1 CPUs=2 RealMemory=8000 State=UNKNOWN",
                "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP", "");
        Files.writeString(conf, text, StandardCharsets.UTF_8);
        pidFiles.add(dir.resolve("slurmctld.pid"));
        check(run(List.of("/usr/sbin/slurmctld", "-f", conf.toString()), Map.of()), "start slurmctld");
        pidFiles.add(dir.resolve("slurmd.pid"));
        check(run(List.of("/usr/sbin/slurmd", "-f", conf.toString()), Map.of()), "start slurmd");
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (run(List.of("sinfo", "-h", "-o", "%T"), env()).output().strip().equals("idle")) {
                return;
            }
            Thread.sleep(300);
        }
        unavailable("the node did not become idle within 60 s (" + dir.resolve("slurmctld.log") + ")");
    }

    /** The environment a client command needs to reach this cluster. */
    Map<String, String> env() {
        return Map.of("SLURM_CONF", conf.toString());
    }

    static PythonEnv.Result run(List<String> argv, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new PythonEnv.Result(124, "timed out");
            }
            return new PythonEnv.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new PythonEnv.Result(127, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PythonEnv.Result(130, "interrupted");
        }
    }

    private static void check(PythonEnv.Result r, String what) {
        if (r.code() != 0) {
            unavailable("cannot " + what + ": " + r.output().strip());
        }
    }

    @Override
    public void close() throws IOException {
        for (Path pid : pidFiles) {
            if (Files.isRegularFile(pid)) {
                long p = Long.parseLong(Files.readString(pid).strip());
                Optional<ProcessHandle> h = ProcessHandle.of(p);
                h.ifPresent(ProcessHandle::destroy);
                h.ifPresent(x -> x.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> {
                    x.destroyForcibly();
                    return x;
                }).join());
            }
        }
        if (mungedPid != null) {
            ProcessHandle.of(mungedPid).ifPresent(ProcessHandle::destroy);
        }
    }
}
