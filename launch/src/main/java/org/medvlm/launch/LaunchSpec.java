package org.medvlm.launch;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * How to launch a training run (the launch-only options; the training options travel separately as
 * {@link TrainerArgs}). Build it from the command line with {@code LaunchOptions.spec()}, or directly in tests.
 *
 * @param launcher who starts the ranks
 * @param gpus GPUs per node (0: CPU processes)
 * @param nproc processes per node (local launcher; default the GPU count, or 1)
 * @param nodes nodes (Slurm, hostfile launches)
 * @param hostfile DeepSpeed-style hostfile ({@code host slots=N} lines)
 * @param include DeepSpeed {@code --include} (NODE[:SLOT,...]@...), or empty
 * @param exclude DeepSpeed {@code --exclude}, or empty
 * @param masterAddr the rendezvous host for multi-node torchrun (default: the hostfile's first host)
 * @param masterPort the rendezvous port; empty picks a free one for local runs, 29500 elsewhere
 * @param engine the training engine the ranks run
 * @param zero ZeRO stage (DeepSpeed; FSDP: 2 SHARD_GRAD_OP, 3 FULL_SHARD)
 * @param offload DeepSpeed offload of optimizer states (stage 1-3) or parameters too (stage 3)
 * @param device cpu or cuda
 * @param precision fp32, bf16 or fp16
 * @param checkpointing activation checkpointing per transformer block
 * @param dryRun print the commands, configs and memory estimate; start nothing
 * @param force launch even when the memory planner says the run does not fit
 * @param partition Slurm partition, or empty
 * @param time Slurm time limit, or empty
 * @param account Slurm account, or empty
 * @param gpuModel the GPU model for the fit check (A100-80GB, H100-80GB, 24GiB, ...), or empty
 * @param python the Python with torch that runs the trainer, or empty to find one
 * @param threads CPU threads per process of a local launch (OMP_NUM_THREADS), or null: the cores shared among them
 */
public record LaunchSpec(Launcher launcher, int gpus, Integer nproc, int nodes, Optional<Path> hostfile, String include,
                         String exclude, String masterAddr, Integer masterPort, Engine engine, Integer zero,
                         Offload offload, Device device, Precision precision, boolean checkpointing, boolean dryRun,
                         boolean force, String partition, String time, String account, String gpuModel, String python,
                         Integer threads) {
    /** Most GPUs or processes per node ({@code --gpus}, {@code --nproc}). */
    public static final int MAX_PER_NODE = 256;
    /** Most nodes ({@code --nodes}). */
    public static final int MAX_NODES = 65_536;

    /** Who starts the ranks. */
    public enum Launcher {
        /** The ranks started here directly, with the environment torchrun would set (CPUs; Debian's broken torchrun). */
        LOCAL,
        /** {@code torchrun --nproc_per_node N}; with several nodes, one torchrun per host (rendezvous c10d). */
        TORCHRUN,
        /** DeepSpeed's launcher: {@code deepspeed --num_gpus N}, or a hostfile with --include/--exclude. */
        DEEPSPEED,
        /** A generated sbatch script whose {@code srun} starts one task per rank. */
        SLURM;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What the ranks run (the Python trainer's --engine). */
    public enum Engine {
        DDP, ZERO1, FSDP, DEEPSPEED;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** DeepSpeed offload: none, optimizer states to CPU, or parameters and optimizer states to CPU (ZeRO-3). */
    public enum Offload {
        NONE, OPTIMIZER, PARAMS
    }

    public enum Device {
        CPU, CUDA;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Precision {
        FP32, BF16, FP16;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public LaunchSpec {
        if (launcher == null) {
            throw new IllegalArgumentException("--launcher is required (local, torchrun, deepspeed, slurm)");
        }
        hostfile = hostfile == null ? Optional.empty() : hostfile;
        include = include == null ? "" : include;
        exclude = exclude == null ? "" : exclude;
        partition = partition == null ? "" : partition;
        time = time == null ? "" : time;
        account = account == null ? "" : account;
        gpuModel = gpuModel == null ? "" : gpuModel;
        python = python == null ? "" : python;
        masterAddr = masterAddr == null ? "" : masterAddr;
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("--threads must be 1 or more, not " + threads);
        }
        // per node, a few more than the largest machines have; a typo of 100000 would otherwise fork 100000 processes
        if (gpus < 0 || gpus > MAX_PER_NODE) {
            throw new IllegalArgumentException("--gpus must be 0 to " + MAX_PER_NODE + ", not " + gpus);
        }
        if (nproc != null && (nproc < 1 || nproc > MAX_PER_NODE)) {
            throw new IllegalArgumentException("--nproc must be 1 to " + MAX_PER_NODE + ", not " + nproc);
        }
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new IllegalArgumentException("--nodes must be 1 to " + MAX_NODES + ", not " + nodes);
        }
        if (masterPort != null && (masterPort < 1 || masterPort > 65535)) {
            throw new IllegalArgumentException("--master-port must be 1..65535, not " + masterPort);
        }
        if (zero != null && (zero < 0 || zero > 3)) {
            throw new IllegalArgumentException("--zero must be 0, 1, 2 or 3, not " + zero);
        }
        if (device == null) {
            device = gpus > 0 || launcher == Launcher.DEEPSPEED || launcher == Launcher.TORCHRUN ? Device.CUDA : Device.CPU;
        }
        if (engine == null) {
            engine = launcher == Launcher.DEEPSPEED ? Engine.DEEPSPEED
                    : zero == null || zero == 0 ? Engine.DDP : zero == 1 ? Engine.ZERO1 : Engine.FSDP;
        }
        if (offload == null) {
            offload = Offload.NONE;
        }
        if (precision == null) {
            precision = device == Device.CUDA ? Precision.BF16 : Precision.FP32;
        }
        if (!include.isEmpty() && !exclude.isEmpty()) {
            throw new IllegalArgumentException("--include and --exclude cannot be used together (DeepSpeed's rule)");
        }
        if ((!include.isEmpty() || !exclude.isEmpty()) && launcher != Launcher.DEEPSPEED) {
            throw new IllegalArgumentException("--include/--exclude select DeepSpeed hosts and slots: use --launcher deepspeed");
        }
        if (device == Device.CUDA && launcher == Launcher.LOCAL && gpus == 0) {
            throw new IllegalArgumentException("--device cuda with --launcher local needs --gpus N");
        }
        if (precision == Precision.FP16 && device == Device.CPU) {
            throw new IllegalArgumentException("--precision fp16 needs --device cuda (CPUs compute in bf16 or fp32)");
        }
        if (engine == Engine.DEEPSPEED && device == Device.CPU) {
            throw new IllegalArgumentException("--engine deepspeed needs GPUs (--device cuda)");
        }
        if (offload != Offload.NONE && engine != Engine.DEEPSPEED) {
            throw new IllegalArgumentException("--offload is DeepSpeed's (ZeRO-Offload): use --engine deepspeed");
        }
        int stage = zeroStage(engine, zero);
        if (offload == Offload.PARAMS && stage != 3) {
            throw new IllegalArgumentException("--offload params needs --zero 3 (parameters are partitioned only at stage 3)");
        }
        if (offload == Offload.OPTIMIZER && stage == 0) {
            throw new IllegalArgumentException("--offload optimizer needs --zero 1, 2 or 3");
        }
        if (engine == Engine.ZERO1 && zero != null && zero != 1) {
            throw new IllegalArgumentException("--engine zero1 is ZeRO stage 1, not --zero " + zero);
        }
        if (engine == Engine.DDP && zero != null && zero != 0) {
            throw new IllegalArgumentException("--engine ddp is ZeRO stage 0 (plain data parallelism), not --zero " + zero
                    + " (use zero1, fsdp or deepspeed)");
        }
        if (engine == Engine.FSDP && zero != null && zero < 2) {
            throw new IllegalArgumentException("--engine fsdp shards gradients (--zero 2, SHARD_GRAD_OP) or everything"
                    + " (--zero 3, FULL_SHARD), not --zero " + zero);
        }
    }

    /** A spec with the default thread count. */
    public LaunchSpec(Launcher launcher, int gpus, Integer nproc, int nodes, Optional<Path> hostfile, String include,
                      String exclude, String masterAddr, Integer masterPort, Engine engine, Integer zero, Offload offload,
                      Device device, Precision precision, boolean checkpointing, boolean dryRun, boolean force,
                      String partition, String time, String account, String gpuModel, String python) {
        this(launcher, gpus, nproc, nodes, hostfile, include, exclude, masterAddr, masterPort, engine, zero, offload, device,
                precision, checkpointing, dryRun, force, partition, time, account, gpuModel, python, null);
    }

    /** The same spec with {@code n} CPU threads per process. */
    public LaunchSpec withThreads(int n) {
        return new LaunchSpec(launcher, gpus, nproc, nodes, hostfile, include, exclude, masterAddr, masterPort, engine, zero,
                offload, device, precision, checkpointing, dryRun, force, partition, time, account, gpuModel, python, n);
    }

    /** The ZeRO stage the engine runs: DeepSpeed's --zero (default 2), zero1 1, ddp 0, FSDP 3 unless --zero 2. */
    public static int zeroStage(Engine engine, Integer zero) {
        return switch (engine) {
            case DEEPSPEED -> zero == null ? 2 : zero;
            case ZERO1 -> 1;
            case DDP -> 0;
            case FSDP -> zero == null ? 3 : zero;
        };
    }

    public int stage() {
        return zeroStage(engine, zero);
    }

    /** Processes per node: --nproc, else the GPU count, else 1. */
    public int processesPerNode() {
        return nproc != null ? nproc : Math.max(gpus, 1);
    }

    /** A minimal spec for tests and callers: a launcher, the rest defaulted. */
    public static LaunchSpec of(Launcher launcher) {
        return new LaunchSpec(launcher, 0, null, 1, Optional.empty(), "", "", "", null, null, null, null, null, null,
                false, false, false, "", "", "", "", "");
    }
}
