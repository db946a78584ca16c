package org.medvlm.launch;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a {@link LaunchSpec} and the trainer's options into a {@link LaunchPlan}: the command lines of each launcher,
 * composed as argument lists.
 *
 * <pre>
 * local      env MASTER_ADDR=127.0.0.1 MASTER_PORT=P RANK=r WORLD_SIZE=n LOCAL_RANK=r ... python -m medvlm.train ...
 * torchrun   torchrun --nnodes 1 --nproc_per_node G --master_port P -m medvlm.train ...
 *            (several nodes: one per host over ssh, --rdzv_backend c10d --rdzv_endpoint HOST:P --rdzv_id ID)
 * deepspeed  deepspeed [--hostfile F [--include S | --exclude S | --num_nodes M --num_gpus G] | --num_gpus G]
 *                      --master_port P --module medvlm.train ... --deepspeed-config RUN/ds_config.json
 * slurm      sbatch --parsable --output RUN/logs/slurm-%j.log [--partition .. --time .. --account ..] RUN/job.sbatch
 *            whose srun starts one trainer per task (ranks from SLURM_PROCID / SLURM_NTASKS / SLURM_LOCALID)
 * </pre>
 */
public final class LaunchPlanner {
    public static final int DEFAULT_PORT = 29500;
    public static final String DS_CONFIG = "ds_config.json";
    public static final String SBATCH = "job.sbatch";

    /**
     * What the plan needs besides the spec.
     *
     * @param python the Python with torch on the machines that run the ranks
     * @param pythonPath the folder holding the {@code medvlm} package (launch/python)
     * @param lmHidden the language model's width (ds_config bucket sizes)
     * @param memory the planner's estimate, when the model is known
     */
    public record Inputs(TrainerArgs trainer, Path runDir, String python, Path pythonPath, int lmHidden,
                         Optional<MemoryEstimate> memory) {}

    private LaunchPlanner() {}

    /** The world size the launch will have (DeepSpeed with a hostfile: its slots after --include/--exclude). */
    public static int worldSize(LaunchSpec spec) throws IOException {
        if (spec.launcher() == LaunchSpec.Launcher.DEEPSPEED) {
            return deepSpeedHosts(spec).map(Hostfile::worldSize).orElse(Math.max(spec.gpus(), 0));
        }
        return spec.nodes() * spec.processesPerNode();
    }

    static Optional<Hostfile> deepSpeedHosts(LaunchSpec spec) throws IOException {
        if (spec.hostfile().isEmpty()) {
            return Optional.empty();
        }
        Hostfile h = Hostfile.read(spec.hostfile().get()).filter(spec.include(), spec.exclude());
        if (spec.include().isEmpty() && spec.exclude().isEmpty()) {
            h = h.limit(spec.nodes() > 1 ? spec.nodes() : -1, spec.gpus() > 0 ? spec.gpus() : -1);
        }
        return Optional.of(h);
    }

    public static LaunchPlan plan(LaunchSpec spec, Inputs in) throws IOException {
        int world = worldSize(spec);
        if (world < 1) {
            throw new IllegalArgumentException("--launcher " + spec.launcher().key() + " needs --gpus N (GPUs per node)");
        }
        Map<String, String> files = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        List<String> trainer = trainerArgs(spec, in);
        if (spec.engine() == LaunchSpec.Engine.DEEPSPEED) {
            files.put(DS_CONFIG, DeepSpeedJson.text(DeepSpeedJson.of(spec, in.trainer(), world, in.lmHidden())));
        }
        List<LaunchPlan.Proc> procs = new ArrayList<>();
        int nodes = spec.nodes();
        switch (spec.launcher()) {
            case LOCAL -> {
                if (spec.nodes() > 1) {
                    throw new IllegalArgumentException("--launcher local starts ranks on this machine only: use slurm,"
                            + " deepspeed or torchrun for " + spec.nodes() + " nodes");
                }
                int port = spec.masterPort() != null ? spec.masterPort() : freePort();
                int n = spec.processesPerNode();
                // the cores shared among the ranks unless --threads says otherwise (equal thread counts give equal
                // floating-point results whatever the number of processes)
                int threads = spec.threads() != null ? spec.threads() : Math.max(1, Runtime.getRuntime().availableProcessors() / n);
                for (int r = 0; r < n; r++) {
                    Map<String, String> env = new LinkedHashMap<>();
                    env.put("MASTER_ADDR", "127.0.0.1");
                    env.put("MASTER_PORT", Integer.toString(port));
                    env.put("RANK", Integer.toString(r));
                    env.put("WORLD_SIZE", Integer.toString(n));
                    env.put("LOCAL_RANK", Integer.toString(r));
                    env.put("LOCAL_WORLD_SIZE", Integer.toString(n));
                    env.put("OMP_NUM_THREADS", Integer.toString(threads));
                    env.put("PYTHONPATH", in.pythonPath().toString());
                    List<String> argv = new ArrayList<>(List.of(in.python(), "-m", "medvlm.train"));
                    argv.addAll(trainer);
                    procs.add(new LaunchPlan.Proc("rank " + r, argv, env, Optional.of(rankLog(in.runDir(), r))));
                }
            }
            case TORCHRUN -> procs.addAll(torchrun(spec, in, trainer, notes));
            case DEEPSPEED -> {
                List<String> argv = new ArrayList<>(List.of(executable(in.python(), "deepspeed")));
                Optional<Hostfile> hosts = deepSpeedHosts(spec);
                if (spec.hostfile().isPresent()) {
                    argv.add("--hostfile");
                    argv.add(spec.hostfile().get().toAbsolutePath().toString());
                    nodes = hosts.orElseThrow().hosts().size();
                } else if (spec.nodes() > 1) {
                    throw new IllegalArgumentException("Num nodes is >1 but no extra nodes available via hostfile (give --hostfile)");
                }
                if (!spec.include().isEmpty() || !spec.exclude().isEmpty()) {
                    if (spec.hostfile().isEmpty()) {
                        throw new IllegalArgumentException("--include/--exclude select hosts of a --hostfile");
                    }
                    argv.add(spec.include().isEmpty() ? "--exclude" : "--include");
                    argv.add(spec.include().isEmpty() ? spec.exclude() : spec.include());
                } else {
                    if (spec.nodes() > 1) {
                        argv.add("--num_nodes");
                        argv.add(Integer.toString(spec.nodes()));
                    }
                    if (spec.gpus() > 0) {
                        argv.add("--num_gpus");
                        argv.add(Integer.toString(spec.gpus()));
                    }
                }
                argv.add("--master_port");
                argv.add(Integer.toString(spec.masterPort() != null ? spec.masterPort() : DEFAULT_PORT));
                argv.add("--module");
                argv.add("medvlm.train");
                argv.addAll(trainer);
                Map<String, String> env = new LinkedHashMap<>();
                // DeepSpeed's runner passes PYTHON* variables on to the other nodes (EXPORT_ENVS)
                env.put("PYTHONPATH", in.pythonPath().toString());
                procs.add(new LaunchPlan.Proc("deepspeed launcher", argv, env, Optional.of(in.runDir().resolve("logs/launcher.log"))));
                notes.add("the deepspeed launcher runs the ranks with the Python its own 'deepspeed' script belongs to");
            }
            case SLURM -> {
                files.put(SBATCH, sbatchScript(spec, in, trainer, world));
                List<String> argv = new ArrayList<>(List.of("sbatch", "--parsable", "--job-name", "medvlm",
                        "--output", in.runDir().resolve("logs").resolve("slurm-%j.log").toString(),
                        "--chdir", in.runDir().toString()));
                if (!spec.partition().isEmpty()) {
                    argv.add("--partition");
                    argv.add(spec.partition());
                }
                if (!spec.time().isEmpty()) {
                    argv.add("--time");
                    argv.add(spec.time());
                }
                if (!spec.account().isEmpty()) {
                    argv.add("--account");
                    argv.add(spec.account());
                }
                argv.add(in.runDir().resolve(SBATCH).toString());
                procs.add(new LaunchPlan.Proc("sbatch", argv, Map.of(), Optional.empty()));
            }
            default -> throw new IllegalStateException();
        }
        return new LaunchPlan(spec, in.runDir(), world, nodes, procs, files, in.memory(), notes);
    }

    /** The trainer's options: the pass-through ones, then what the launch decides. */
    static List<String> trainerArgs(LaunchSpec spec, Inputs in) {
        List<String> a = new ArrayList<>(in.trainer().args());
        a.add("--run-dir");
        a.add(in.runDir().toString());
        a.add("--engine");
        a.add(spec.engine().key());
        a.add("--device");
        a.add(spec.device().key());
        a.add("--precision");
        a.add(spec.precision().key());
        if (spec.checkpointing()) {
            a.add("--checkpointing");
        }
        if (spec.engine() == LaunchSpec.Engine.FSDP) {
            a.add("--zero");
            a.add(Integer.toString(spec.stage()));
        }
        if (spec.engine() == LaunchSpec.Engine.DEEPSPEED) {
            a.add("--deepspeed-config");
            a.add(in.runDir().resolve(DS_CONFIG).toString());
        }
        return a;
    }

    private static List<LaunchPlan.Proc> torchrun(LaunchSpec spec, Inputs in, List<String> trainer, List<String> notes)
            throws IOException {
        String exe = executable(in.python(), "torchrun");
        int perNode = spec.processesPerNode();
        int port = spec.masterPort() != null ? spec.masterPort() : DEFAULT_PORT;
        List<LaunchPlan.Proc> out = new ArrayList<>();
        if (spec.nodes() == 1 && spec.hostfile().isPresent()) {
            int hosts = Hostfile.read(spec.hostfile().get()).hosts().size();
            if (hosts > 1) { // a one-node command would leave the other hosts idle without a word
                throw new IllegalArgumentException("--hostfile " + spec.hostfile().get() + " lists " + hosts
                        + " hosts but --nodes is 1: torchrun starts one command per node; give --nodes " + hosts);
            }
        }
        if (spec.nodes() == 1) {
            List<String> argv = new ArrayList<>(List.of(exe, "--nnodes", "1", "--nproc_per_node", Integer.toString(perNode),
                    "--master_port", Integer.toString(port), "-m", "medvlm.train"));
            argv.addAll(trainer);
            out.add(new LaunchPlan.Proc("torchrun", argv, Map.of("PYTHONPATH", in.pythonPath().toString()),
                    Optional.of(in.runDir().resolve("logs/launcher.log"))));
            return out;
        }
        if (spec.hostfile().isEmpty()) {
            throw new IllegalArgumentException("torchrun on " + spec.nodes() + " nodes needs --hostfile (the hosts to start it on)");
        }
        List<String> hosts = Hostfile.read(spec.hostfile().get()).hosts();
        if (hosts.size() < spec.nodes()) {
            throw new IllegalArgumentException(spec.hostfile().get() + " lists " + hosts.size() + " hosts, fewer than --nodes " + spec.nodes());
        }
        String endpoint = (spec.masterAddr().isEmpty() ? hosts.get(0) : spec.masterAddr()) + ":" + port;
        String id = "medvlm-" + Integer.toHexString(in.runDir().toString().hashCode());
        String cwd = Path.of("").toAbsolutePath().toString();
        for (int n = 0; n < spec.nodes(); n++) {
            List<String> remote = new ArrayList<>(List.of("env", "PYTHONPATH=" + in.pythonPath(), exe,
                    "--nnodes", Integer.toString(spec.nodes()), "--nproc_per_node", Integer.toString(perNode),
                    "--rdzv_id", id, "--rdzv_backend", "c10d", "--rdzv_endpoint", endpoint, "-m", "medvlm.train"));
            remote.addAll(trainer);
            String command = "cd " + Quoting.quote(cwd) + " && " + Quoting.join(remote);
            out.add(new LaunchPlan.Proc("torchrun on " + hosts.get(n), List.of("ssh", "-o", "BatchMode=yes", hosts.get(n), command),
                    Map.of(), Optional.of(in.runDir().resolve("logs/launcher-" + hosts.get(n) + ".log"))));
        }
        notes.add("each host must reach " + endpoint + " and see the run directory and launch/python at the same paths");
        return out;
    }

    /**
     * The batch script: resources as #SBATCH lines (numbers only), then the environment the engines need and one srun
     * over all tasks. Every value in the script body is single-quoted, so nothing in a path or option is interpreted.
     */
    static String sbatchScript(LaunchSpec spec, Inputs in, List<String> trainer, int world) {
        int perNode = spec.processesPerNode();
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("# medvlm: a launched training run (generated; the run directory holds its logs and events)\n");
        s.append("#SBATCH --nodes=").append(spec.nodes()).append('\n');
        s.append("#SBATCH --ntasks-per-node=").append(perNode).append('\n');
        boolean cpu = spec.device() == LaunchSpec.Device.CPU;
        if (cpu) {
            s.append("#SBATCH --cpus-per-task=1\n");
        } else {
            s.append("#SBATCH --gpus-per-node=").append(Math.max(spec.gpus(), perNode)).append('\n');
        }
        s.append("set -euo pipefail\n");
        s.append("# rank 0's host is the rendezvous; ranks come from SLURM_PROCID, SLURM_NTASKS and SLURM_LOCALID\n");
        s.append("export MASTER_ADDR=\"$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)\"\n");
        if (spec.masterPort() != null) {
            s.append("export MASTER_PORT=").append(Quoting.strict(Integer.toString(spec.masterPort()))).append('\n');
        } else {
            s.append("export MASTER_PORT=\"$((20000 + SLURM_JOB_ID % 20000))\"\n");
        }
        s.append("export PYTHONPATH=").append(Quoting.strict(in.pythonPath().toString())).append('\n');
        s.append(cpu ? "export OMP_NUM_THREADS='1'\n" : "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-4}\"\n");
        List<String> srun = new ArrayList<>(List.of("srun", "--kill-on-bad-exit=1", "--ntasks=" + world,
                "--output=" + in.runDir().resolve("logs").resolve("rank-%t.log"), "--open-mode=append",
                in.python(), "-m", "medvlm.train"));
        srun.addAll(trainer);
        StringBuilder line = new StringBuilder("exec");
        for (String w : srun) {
            line.append(' ').append(Quoting.strict(w));
        }
        s.append(line).append('\n');
        return s.toString();
    }

    static Path rankLog(Path runDir, int rank) {
        return runDir.resolve("logs").resolve("rank-" + rank + ".log");
    }

    /** A launcher script next to the chosen Python (its environment's), else the name for PATH to find. */
    static String executable(String python, String name) {
        if (python.contains("/")) {
            Path p = Path.of(python).toAbsolutePath().getParent().resolve(name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return name;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
