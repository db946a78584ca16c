package org.medvlm.zero;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Computes a {@link ZeroPlan}. Model states follow the ZeRO paper (SC'20, §5): with 2 bytes of
 * weights, 2 of gradients and K of optimizer states per parameter, a GPU holds (2 + 2 + K)Ψ at stage 0,
 * 2Ψ + 2Ψ + KΨ/N_d at stage 1, 2Ψ + (2 + K)Ψ/N_d at stage 2 and (2 + 2 + K)Ψ/N_d at stage 3; other
 * precisions change the 2, 2 and K ({@link Precision}).
 *
 * <p>The peak is the largest of three moments of a step, checked against an H100 (the project's
 * {@code gpu-measurements.md}). At the end of forward: the states that stay between steps, the stored
 * activations ({@link ActivationMemory}), the logits and loss so far, autocast's cached 16-bit weight
 * copies and a gathered ZeRO-3 layer. At the start of backward: the same with the loss gradients instead,
 * and only the weight copies backward saved. In the optimizer step: all model states plus the
 * optimizer's temporary buffer. Each adds {@link #RUNTIME_BYTES}.
 *
 * <p>Frozen parameters (a BLIP-2 run trains the Q-Former only) hold weights but no gradients and no optimizer
 * states: Ψ counts every weight, the gradients, the optimizer states and its temporaries count the trainable Ψ_t.
 */
public final class ZeroPlanner {
    /**
     * Allocated by the CUDA libraries (cuBLAS workspace) whatever the model: the measured after-step
     * memory exceeds 16 or 12 bytes per parameter by 64 MiB in all three settings measured.
     */
    public static final long RUNTIME_BYTES = 64L << 20;

    /** Doubling the GPU count stops here when looking for a configuration that fits. */
    static final int MAX_GPUS = 65_536;

    private ZeroPlanner() {}

    public static ZeroPlan plan(PlanRequest request) {
        if (request.gpus() > MAX_GPUS) {
            throw new IllegalArgumentException("GPU count " + request.gpus() + " is beyond what is planned here (at most " + MAX_GPUS + ")");
        }
        List<StagePlan> stages = new ArrayList<>();
        for (ZeroStage s : ZeroStage.values()) {
            stages.add(stage(request, s, Offload.NONE, Offload.NONE));
        }
        Optional<Recommendation> rec = request.gpu().map(g -> recommend(request, g, stages));
        return new ZeroPlan(request, List.copyOf(stages), rec);
    }

    /** One stage with an offload choice, on {@code request.gpus()} GPUs. */
    public static StagePlan stage(PlanRequest r, ZeroStage stage, Offload offloadOptimizer, Offload offloadParam) {
        if (offloadParam != Offload.NONE && stage != ZeroStage.STAGE_3) {
            throw new IllegalArgumentException("parameter offload needs ZeRO stage 3, not " + stage);
        }
        if (offloadOptimizer != Offload.NONE && stage == ZeroStage.STAGE_0) {
            throw new IllegalArgumentException("optimizer offload needs ZeRO stage 1, 2 or 3");
        }
        long psi = r.model().params();
        long trained = r.model().trainableParams();
        long n = r.gpus();
        Precision p = r.precision();
        long weights = offloadParam != Offload.NONE ? 0 : share(p.weightBytesPerParam(), psi, n, stage.partitionsWeights());
        // with the optimizer offloaded, stages 2 and 3 reduce gradients straight into CPU memory (ZeRO-Offload);
        // stage 1 still all-reduces the whole 16-bit gradient on the GPU first
        long gradients = offloadOptimizer != Offload.NONE && stage.partitionsGradients() ? 0
                : share(p.gradientBytesPerParam(), trained, n, stage.partitionsGradients());
        long optimizer = offloadOptimizer != Offload.NONE ? 0
                : share(p.optimizerBytesPerParam(r.optimizer()), trained, n, stage.partitionsOptimizer());
        long communication = stage.communicationElements(psi, trained);

        long largest = r.model().largestLayerParams();
        // ZeRO-3 gathers one whole layer at a time to compute with it: the (N-1)/N it does not hold, or with
        // parameters offloaded the whole layer and its gradient (DeepSpeed's 4·largest layer for 16-bit)
        long gathered = stage != ZeroStage.STAGE_3 ? 0
                : offloadParam != Offload.NONE ? (long) (p.weightBytesPerParam() + p.gradientBytesPerParam()) * largest
                : Units.mulDivRound((long) p.weightBytesPerParam() * largest, n - 1, n);
        // PyTorch optimizers (AMP, bf16) make one temporary per parameter they update (foreach sqrt);
        // DeepSpeed's fused optimizer updates in place
        long optimizerStep = offloadOptimizer != Offload.NONE || p == Precision.MIXED || r.optimizer() == Optimizer.SGD ? 0
                : share(p.weightBytesPerParam(), trained, n, stage.partitionsOptimizer());
        long stepPhase = sum(weights, gradients, optimizer, optimizerStep);

        long between = sum(weights, optimizer, r.gradientsFreed() ? 0 : gradients);
        long activations = 0;
        long output = 0;
        // without a batch shape, forward and backward still need the gathered layer
        long forwardPhase = sum(between, gathered);
        long backwardPhase = sum(between, gathered);
        long forwardOutput = 0;
        if (r.workload().isPresent()) {
            // the plan's precision decides how attention scores are kept
            Workload w = r.workload().get().withPrecision(p);
            activations = ActivationMemory.activationBytes(w);
            output = ActivationMemory.outputLayerBytes(w);
            forwardOutput = ActivationMemory.outputForwardBytes(w);
            long cached = 0;
            long saved = 0;
            if (p.castsWeights()) {
                // autocast casts every fp32 weight to 16 bits once per forward and caches the copy until the
                // autocast region ends; backward keeps the copies its matmuls saved: all of them, or with
                // checkpointing only those outside the checkpointed blocks (the output head)
                long head = largest > 0 ? largest : multiply(w.shape().vocab(), w.shape().hidden());
                cached = 2 * psi;
                saved = 2 * (w.checkpointing() ? Math.min(head, psi) : psi);
            }
            forwardPhase = sum(between, activations, forwardOutput, cached, gathered);
            backwardPhase = sum(between, activations, ActivationMemory.backwardWorkingBytes(w), saved, gathered);
        }
        StagePlan.Phase phase = stepPhase >= Math.max(forwardPhase, backwardPhase) ? StagePlan.Phase.OPTIMIZER_STEP
                : backwardPhase >= forwardPhase ? StagePlan.Phase.BACKWARD_START : StagePlan.Phase.FORWARD_END;
        long peak = sum(Math.max(stepPhase, Math.max(forwardPhase, backwardPhase)), RUNTIME_BYTES);
        long accounted = switch (phase) {
            case OPTIMIZER_STEP -> weights + gradients + optimizer;
            case BACKWARD_START -> between + activations + output;
            case FORWARD_END -> between + activations + forwardOutput;
        };
        return new StagePlan(stage, offloadOptimizer, offloadParam, weights, gradients, optimizer, communication,
                activations, output, peak - accounted, between, peak, phase);
    }

    /** Byte counts add up exactly or are refused: an absurd batch must not wrap into a plan that fits. */
    static long sum(long... parts) {
        long total = 0;
        try {
            for (long p : parts) {
                total = Math.addExact(total, p);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(TOO_LARGE);
        }
        return total;
    }

    static long multiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(TOO_LARGE);
        }
    }

    private static final String TOO_LARGE = "the plan's byte counts pass 2^63: lower the micro-batch, the sequence length or the model size";

    /** bytesPerParam·Ψ, or its 1/N share rounded to the nearest byte when partitioned. */
    static long share(long bytesPerParam, long psi, long n, boolean partitioned) {
        return partitioned ? Units.mulDivRound(bytesPerParam, psi, n) : bytesPerParam * psi;
    }

    private record Option(ZeroStage stage, Offload optimizer, Offload param) {}

    /** At one GPU count, cheapest first: no offload before offload, then the lowest stage (least communication). */
    private static final List<Option> OFFLOAD_OPTIONS = List.of(
            new Option(ZeroStage.STAGE_1, Offload.CPU, Offload.NONE),
            new Option(ZeroStage.STAGE_2, Offload.CPU, Offload.NONE),
            new Option(ZeroStage.STAGE_3, Offload.CPU, Offload.NONE),
            new Option(ZeroStage.STAGE_3, Offload.CPU, Offload.CPU));

    /**
     * The GPUs asked for, without offload (lowest stage first), then with CPU offload; more GPUs are
     * named as the alternative to offload, since offload keeps the hardware but slows every step.
     */
    static Recommendation recommend(PlanRequest r, Gpu gpu, List<StagePlan> asked) {
        long capacity = gpu.capacityBytes();
        StagePlan lowest = asked.stream().min((a, b) -> Long.compare(a.peakBytes(), b.peakBytes())).orElseThrow();
        for (StagePlan sp : asked) {
            if (sp.peakBytes() <= capacity) {
                String fit = fitsText(sp, r.gpus(), gpu);
                String why = sp.stage() == ZeroStage.STAGE_0 ? fit + ", so ZeRO is not needed for memory" + counted(r) + "."
                        : fit + ", while stage " + (sp.stage().number() - 1) + " would need "
                                + Units.both(asked.get(sp.stage().number() - 1).peakBytes()) + counted(r) + ".";
                return new Recommendation(Optional.of(sp), r.gpus(), why);
            }
        }
        Optional<int[]> more = moreGpus(r, capacity);
        String alternative = more.map(m -> ", or " + (m[1] == 0 ? "plain data parallelism" : "ZeRO stage " + m[1])
                + " without offload on " + m[0] + " GPUs").orElse("");
        for (Option o : OFFLOAD_OPTIONS) {
            StagePlan sp = stage(r, o.stage, o.optimizer, o.param);
            if (sp.peakBytes() <= capacity) {
                return new Recommendation(Optional.of(sp), r.gpus(), fitsText(sp, r.gpus(), gpu)
                        + " (without offload the lowest is " + Units.both(lowest.peakBytes()) + ")" + alternative + counted(r) + ".");
            }
        }
        if (more.isPresent()) {
            int n = more.get()[0];
            StagePlan sp = stage(r.withGpus(n), ZeroStage.of(more.get()[1]), Offload.NONE, Offload.NONE);
            return new Recommendation(Optional.of(sp), n, fitsText(sp, n, gpu) + ", while on " + r.gpus() + " GPU"
                    + (r.gpus() > 1 ? "s" : "") + " even full offload needs more" + counted(r) + ".");
        }
        StagePlan floor = stage(r, ZeroStage.STAGE_3, Offload.CPU, Offload.CPU);
        return new Recommendation(Optional.empty(), r.gpus(), String.format(
                "Nothing fits a %s (%s): even fully offloaded ZeRO-3 needs %s per GPU, mostly activations and logits, "
                        + "so lower the micro-batch or sequence length or turn on activation checkpointing.",
                gpu.name(), Units.both(capacity), Units.both(floor.peakBytes())));
    }

    /** The fewest GPUs (doubling from those asked for) at which a stage fits without offload: {GPUs, stage}. */
    private static Optional<int[]> moreGpus(PlanRequest r, long capacity) {
        for (long n = 2L * r.gpus(); n <= MAX_GPUS; n *= 2) {
            PlanRequest at = r.withGpus((int) n);
            for (ZeroStage s : ZeroStage.values()) {
                if (stage(at, s, Offload.NONE, Offload.NONE).peakBytes() <= capacity) {
                    return Optional.of(new int[] {(int) n, s.number()});
                }
            }
        }
        return Optional.empty();
    }

    /**
     * What the figures count, so a verdict is read for what it is: with a batch shape, the step's peak; without one,
     * model states and the CUDA workspace (and ZeRO-3's gathered layer) but no activations, which can be as large.
     */
    static String counted(PlanRequest r) {
        if (r.workload().isPresent()) {
            return "; the figures are each GPU's peak over a step (model states, activations, logits and loss, workspace)";
        }
        return "; the figures are model states (weights, gradients, optimizer states), ZeRO-3's gathered layer and "
                + String.format(Locale.ROOT, "%.2f GB", Units.gb(RUNTIME_BYTES)) + " of CUDA workspace, without "
                + "activations (give --micro-batch and --seq-len to count them)";
    }

    private static String fitsText(StagePlan sp, int n, Gpu gpu) {
        return String.format("%s on %d × %s: %s per GPU fits in %s", sp.label(), n, gpu.name(),
                Units.both(sp.peakBytes()), Units.both(gpu.capacityBytes()));
    }

}
