package org.medvlm.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.medvlm.launch.LaunchSpec;
import picocli.CommandLine.Option;

/**
 * The launch-only options of {@code train} (a picocli mixin: {@code @Mixin LaunchOptions launch}). With
 * {@code --launcher} set, the run is launched ({@link org.medvlm.launch.Launches#run}) instead of trained in this JVM;
 * the training options themselves (steps, learning rate, batch, freezing, ...) stay the train command's and travel to
 * the Python trainer verbatim.
 */
public final class LaunchOptions {
    @Option(names = "--launcher", paramLabel = "L",
            description = "Launch the run in other processes: local (ranks started here, CPUs or GPUs), torchrun, deepspeed or slurm.")
    LaunchSpec.Launcher launcher;

    @Option(names = "--gpus", paramLabel = "N", description = "GPUs per node (0: CPU processes).")
    int gpus;

    @Option(names = "--nproc", paramLabel = "N", description = "Processes per node (default: the GPU count, or 1).")
    Integer nproc;

    @Option(names = "--nodes", paramLabel = "M", defaultValue = "1", description = "Nodes (slurm, or with --hostfile). Default: ${DEFAULT-VALUE}.")
    int nodes;

    @Option(names = "--hostfile", paramLabel = "FILE", description = "DeepSpeed hostfile: one 'host slots=N' line per node.")
    Path hostfile;

    @Option(names = "--include", paramLabel = "SPEC", description = "DeepSpeed --include: NODE[:SLOT,...][@NODE...].")
    String include;

    @Option(names = "--exclude", paramLabel = "SPEC", description = "DeepSpeed --exclude: NODE[:SLOT,...][@NODE...].")
    String exclude;

    @Option(names = "--master-addr", paramLabel = "HOST", description = "Rendezvous host of a multi-node torchrun (default: the first host).")
    String masterAddr;

    @Option(names = "--master-port", paramLabel = "P", description = "Rendezvous port (default: a free port for local runs, else 29500).")
    Integer masterPort;

    @Option(names = "--engine", paramLabel = "E",
            description = "ddp, zero1 (ZeroRedundancyOptimizer), fsdp or deepspeed (default: deepspeed with --launcher deepspeed, else from --zero).")
    LaunchSpec.Engine engine;

    @Option(names = "--zero", paramLabel = "S", description = "ZeRO stage 0-3 (deepspeed; fsdp 2 = SHARD_GRAD_OP, 3 = FULL_SHARD). Default: 2 for deepspeed.")
    Integer zero;

    @Option(names = "--offload", paramLabel = "WHAT", description = "DeepSpeed CPU offload: none, optimizer, params (stage 3).")
    LaunchSpec.Offload offload;

    @Option(names = "--device", paramLabel = "D", description = "cpu or cuda (default: cuda with GPUs).")
    LaunchSpec.Device device;

    @Option(names = "--precision", paramLabel = "P", description = "fp32, bf16 or fp16 (default: bf16 on GPUs, fp32 on CPUs).")
    LaunchSpec.Precision precision;

    @Option(names = "--checkpointing", description = "Activation checkpointing: recompute each transformer block in backward.")
    boolean checkpointing;

    @Option(names = "--dry-run", description = "Print the commands, generated configs and the per-GPU memory estimate; start nothing.")
    boolean dryRun;

    @Option(names = "--force", description = "Launch even when the memory planner says the run does not fit.")
    boolean force;

    @Option(names = "--gpu-model", paramLabel = "GPU", description = "The GPU to check the fit against (A100-80GB, H100-80GB, 24GiB, ...).")
    String gpuModel;

    @Option(names = "--partition", paramLabel = "P", description = "Slurm partition.")
    String partition;

    @Option(names = "--time", paramLabel = "T", description = "Slurm time limit (e.g. 02:00:00).")
    String time;

    @Option(names = "--account", paramLabel = "A", description = "Slurm account.")
    String account;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads per process of a local launch (OMP_NUM_THREADS; default: the cores shared among the processes).")
    Integer threads;

    @Option(names = "--python", paramLabel = "PATH", description = "The Python with torch that runs the trainer (default: $MEDVLM_PYTHON, else python3 or /usr/bin/python3, whichever has torch).")
    String python;

    /** True when the run is to be launched rather than trained in this JVM. */
    public boolean requested() {
        return launcher != null;
    }

    public boolean dryRun() {
        return dryRun;
    }

    /** The launch settings as a value (validated: a contradictory combination is refused in one line). */
    public LaunchSpec spec() {
        return new LaunchSpec(launcher, gpus, nproc, nodes, Optional.ofNullable(hostfile), include, exclude, masterAddr,
                masterPort, engine, zero, offload, device, precision, checkpointing, dryRun, force, partition, time, account,
                gpuModel, python, threads);
    }
}
