package org.medvlm.launch;

import java.util.Locale;
import java.util.Optional;
import org.medvlm.zero.Attention;
import org.medvlm.zero.Gpu;
import org.medvlm.zero.ModelSize;
import org.medvlm.zero.Offload;
import org.medvlm.zero.Optimizer;
import org.medvlm.zero.PlanRequest;
import org.medvlm.zero.Precision;
import org.medvlm.zero.StagePlan;
import org.medvlm.zero.TransformerShape;
import org.medvlm.zero.Units;
import org.medvlm.zero.Workload;
import org.medvlm.zero.ZeroPlanner;
import org.medvlm.zero.ZeroStage;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.vlm.Fusion;
import org.medvlm.train.TrainSettings;
import org.medvlm.vlm.VlmConfig;

/**
 * The planner's per-GPU memory for one launched run. The ZeRO planner ({@link ZeroPlanner}) sizes the model as the
 * trainer builds it ({@link ModelSizing}: weights of every parameter, gradients and optimizer states of the trainable
 * ones, for the run's stage and offload) and the activations of one micro-batch; the loss adds one chunk of
 * float32 logits (the trainer's chunked cross-entropy, {@code LOSS_CHUNK} = 1024 positions), in place of the
 * planner's full b x s x vocabulary logits.
 *
 * @param trainedParams parameters the freeze policy trains
 * @param totalParams all parameters
 * @param stage the planner's figures
 * @param frozenBytes the frozen parameters' share of the planner's weights per GPU
 * @param lossBytes the loss chunk's logits and their gradient
 * @param peakBytes the whole per-GPU (or per-process, on CPUs) estimate
 * @param gpu the GPU model the fit is checked against, when known
 */
public record MemoryEstimate(String freeze, long trainedParams, long totalParams, int worldSize, StagePlan stage,
                             long frozenBytes, long lossBytes, long peakBytes, Workload workload, Optional<Gpu> gpu,
                             boolean perGpu, String precisionNote) {
    static final int LOSS_CHUNK = 1024;

    /** Whether it fits the named GPU; empty when no GPU model is known (or the run is on CPUs). */
    public Optional<Boolean> fits() {
        return perGpu ? gpu.map(g -> peakBytes <= g.capacityBytes()) : Optional.empty();
    }

    public static MemoryEstimate of(LaunchSpec spec, TrainerArgs trainer, VlmConfig config, int maxTextTokens,
                                    int worldSize, Optional<Gpu> gpu) {
        BloomConfig t = config.text();
        long vocab = t.vocabSize();
        String freeze = trainer.value("--freeze").orElse(config.fusion() == Fusion.QFORMER ? "blip2" : "gated");
        // counted on the module tree the trainer builds, with what the run freezes
        ModelSize size = ModelSizing.vlm("model", config, TrainSettings.Freeze.parse(freeze), trainer.intValue("--lora-r", 8));
        TransformerShape lm = size.shape().orElseThrow();
        // vocabulary 0: the planner's full logits are replaced by the trainer's loss chunk, counted below
        TransformerShape shape = new TransformerShape(lm.hidden(), lm.layers(), lm.heads(), 0, lm.visualTokens(), false);
        boolean mixed = spec.engine() == LaunchSpec.Engine.DEEPSPEED && spec.precision() != LaunchSpec.Precision.FP32;
        Precision precision = mixed ? Precision.MIXED : Precision.AMP;
        Attention attention = spec.device() == LaunchSpec.Device.CUDA ? Attention.FUSED : Attention.EAGER;
        Workload w = new Workload(trainer.batchSize(), Math.max(maxTextTokens, 1), trainer.gradAccum(), spec.checkpointing(),
                attention, shape, precision);
        PlanRequest request = PlanRequest.of(size.withShape(shape), worldSize).withPrecision(precision)
                .withOptimizer(Optimizer.ADAMW).withWorkload(w);
        Offload offOpt = spec.offload() == LaunchSpec.Offload.NONE ? Offload.NONE : Offload.CPU;
        Offload offParam = spec.offload() == LaunchSpec.Offload.PARAMS ? Offload.CPU : Offload.NONE;
        StagePlan plan = ZeroPlanner.stage(request, ZeroStage.of(spec.stage()), offOpt, offParam);
        long frozen = size.params() - size.trainableParams();
        // the frozen part of the planner's weights (they have no gradients or optimizer states)
        long frozenBytes = size.params() == 0 ? 0 : Units.mulDivRound(plan.weightsBytes(), frozen, size.params());
        long positions = Math.min(LOSS_CHUNK, (long) trainer.batchSize() * Math.max(maxTextTokens, 1));
        long lossBytes = 12L * positions * vocab; // float32 logits, their log-softmax and gradient
        long peak = plan.peakBytes() + lossBytes;
        String note = spec.precision() == LaunchSpec.Precision.FP32
                ? "fp32: activations are counted at 16 bits, so this underestimates them by about half" : "";
        return new MemoryEstimate(freeze, size.trainableParams(), size.params(), worldSize, plan, frozenBytes, lossBytes,
                peak, w, gpu, spec.device() == LaunchSpec.Device.CUDA, note);
    }

    /** The lines --dry-run prints. */
    @Override
    public String toString() {
        String unit = perGpu ? "per GPU" : "per process";
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "memory %s (ZeRO planner): %s, %d process%s%s%n", unit, stage.label(), worldSize, worldSize == 1 ? "" : "es",
                precisionNote.isEmpty() ? "" : "; " + precisionNote));
        s.append(String.format(Locale.ROOT, "  trained parameters  %,d of %,d (--freeze %s)%n", trainedParams, totalParams, freeze));
        s.append(String.format(Locale.ROOT, "  model states        %s (weights %s, gradients %s, optimizer %s)%n",
                Units.both(stage.modelStatesBytes()), Units.both(stage.weightsBytes()), Units.both(stage.gradientsBytes()),
                Units.both(stage.optimizerBytes())));
        s.append(String.format(Locale.ROOT, "  of which frozen     %s (weights only)%n", Units.both(frozenBytes)));
        s.append(String.format(Locale.ROOT, "  activations         %s (micro-batch %d x %d tokens%s)%n",
                Units.both(stage.activationBytes()), workload.microBatch(), workload.sequence(),
                workload.checkpointing() ? ", checkpointing" : ""));
        s.append(String.format(Locale.ROOT, "  loss chunk          %s (float32 logits of at most %d positions)%n",
                Units.both(lossBytes), LOSS_CHUNK));
        s.append(String.format(Locale.ROOT, "  peak                %s", Units.both(peakBytes)));
        if (perGpu) {
            s.append(gpu.map(g -> peakBytes <= g.capacityBytes()
                    ? " - fits " + g.name() + " (" + Units.both(g.capacityBytes()) + ")"
                    : " - does NOT fit " + g.name() + " (" + Units.both(g.capacityBytes()) + ")")
                    .orElse(" - fit not checked (name the GPU with --gpu-model)"));
        }
        return s.toString();
    }
}
