package org.medvlm.launch;

import java.util.Locale;
import java.util.Optional;
import org.medvlm.zero.Attention;
import org.medvlm.zero.BloomSize;
import org.medvlm.zero.Gpu;
import org.medvlm.zero.ModelSize;
import org.medvlm.zero.Offload;
import org.medvlm.zero.Optimizer;
import org.medvlm.zero.PlanRequest;
import org.medvlm.zero.Precision;
import org.medvlm.zero.QFormerSize;
import org.medvlm.zero.StagePlan;
import org.medvlm.zero.TransformerShape;
import org.medvlm.zero.Units;
import org.medvlm.zero.VitSize;
import org.medvlm.zero.Workload;
import org.medvlm.zero.ZeroPlanner;
import org.medvlm.zero.ZeroStage;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.fusion.FlamingoFusion;
import org.medvlm.qformer.QFormer;
import org.medvlm.vision.VisionTransformer;
import org.medvlm.vlm.Fusion;
import org.medvlm.vlm.VlmConfig;

/**
 * The planner's per-GPU memory for one launched run. The ZeRO planner ({@link ZeroPlanner}) sizes the trained
 * parameters (their weights, gradients and optimizer states for the run's stage and offload) and the activations of
 * one micro-batch; the frozen parameters add their weights only (partitioned at stage 3); the loss adds one chunk of
 * float32 logits (the trainer's chunked cross-entropy, {@code LOSS_CHUNK} = 1024 positions), in place of the
 * planner's full b x s x vocabulary logits.
 *
 * @param trainedParams parameters the freeze policy trains
 * @param totalParams all parameters
 * @param stage the planner's figures for the trained part
 * @param frozenBytes frozen weights per GPU
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
        int hidden = t.hiddenSize();
        int layers = t.nLayer();
        int heads = t.nHead();
        long vocab = t.vocabSize();
        ModelSize lm = BloomSize.of("lm", hidden, layers, heads, vocab, t.tieWordEmbeddings());
        VisionTransformer.Config v = config.vision();
        int dim = v.embedDim();
        ModelSize vision = VitSize.of("vision", v.imgSize(), v.patchSize(), v.inChans(), dim, v.depth(), v.numHeads(),
                v.mlpRatio(), v.qkvBias(), 0);
        long visionParams = vision.params() + convStemDelta(v);
        long fusion;
        int visualTokens;
        if (config.fusion() == Fusion.QFORMER) {
            QFormer.Config q = config.qformer();
            int qh = q.hiddenSize();
            fusion = QFormerSize.params(qh, q.numHiddenLayers(), q.intermediateSize(), q.encoderHiddenSize(),
                    q.crossAttentionFrequency(), false) + (long) config.numQueryTokens() * qh + (long) qh * hidden + hidden;
            visualTokens = config.numQueryTokens();
        } else {
            fusion = gatedParams(config.gated(), dim, hidden, layers);
            visualTokens = 0;
        }
        String freeze = trainer.value("--freeze").orElse(config.fusion() == Fusion.QFORMER ? "blip2" : "gated");
        long lora = freeze.equals("lora") ? 6L * trainer.intValue("--lora-r", 8) * hidden * layers : 0;
        long total = visionParams + fusion + lm.params() + lora;
        long trained = switch (freeze) {
            case "none" -> total;
            case "lora" -> fusion + lora;
            default -> fusion;
        };
        // the planner's request describes the trained part; the decoder shape drives the activations (logits apart)
        TransformerShape shape = new TransformerShape(hidden, layers, heads, 0, visualTokens, false);
        long largest = Math.max(Math.max(vision.largestLayerParams(), lm.largestLayerParams()), 1);
        ModelSize trainedSize = new ModelSize("trained", Math.max(trained, 1), Math.min(largest, Math.max(trained, 1)), Optional.of(shape));
        boolean mixed = spec.engine() == LaunchSpec.Engine.DEEPSPEED && spec.precision() != LaunchSpec.Precision.FP32;
        Precision precision = mixed ? Precision.MIXED : Precision.AMP;
        Attention attention = spec.device() == LaunchSpec.Device.CUDA ? Attention.FUSED : Attention.EAGER;
        Workload w = new Workload(trainer.batchSize(), Math.max(maxTextTokens, 1), trainer.gradAccum(), spec.checkpointing(),
                attention, shape, precision);
        PlanRequest request = PlanRequest.of(trainedSize, worldSize).withPrecision(precision).withOptimizer(Optimizer.ADAMW)
                .withWorkload(w);
        Offload offOpt = spec.offload() == LaunchSpec.Offload.NONE ? Offload.NONE : Offload.CPU;
        Offload offParam = spec.offload() == LaunchSpec.Offload.PARAMS ? Offload.CPU : Offload.NONE;
        StagePlan plan = ZeroPlanner.stage(request, ZeroStage.of(spec.stage()), offOpt, offParam);
        long frozen = total - trained;
        long frozenBytes = offParam != Offload.NONE ? 0
                : frozen * precision.weightBytesPerParam() / (spec.stage() == 3 ? worldSize : 1);
        if (spec.stage() == 3 && largest > trainedSize.largestLayerParams()) {
            // ZeRO-3 gathers frozen layers too: the planner's gathered layer is the trained part's largest
            frozenBytes += (long) precision.weightBytesPerParam() * (largest - trainedSize.largestLayerParams());
        }
        long positions = Math.min(LOSS_CHUNK, (long) trainer.batchSize() * Math.max(maxTextTokens, 1));
        long lossBytes = 12L * positions * vocab; // float32 logits, their log-softmax and gradient
        long peak = plan.peakBytes() + frozenBytes + lossBytes;
        String note = spec.precision() == LaunchSpec.Precision.FP32
                ? "fp32: activations are counted at 16 bits, so this underestimates them by about half" : "";
        return new MemoryEstimate(freeze, trained, total, worldSize, plan, frozenBytes, lossBytes, peak, w, gpu,
                spec.device() == LaunchSpec.Device.CUDA, note);
    }

    /**
     * What a hybrid's conv stem changes in the ViT's count (the planner's ViT has a plain patch embedding): the stem's
     * 3x3 convolutions, and a projection of kernel patch / 2^n from the last stem width instead of patch from RGB.
     */
    static long convStemDelta(VisionTransformer.Config v) {
        if (v.convStemChannels().isEmpty()) {
            return 0;
        }
        long in = v.inChans();
        long stem = 0;
        for (int c : v.convStemChannels()) {
            stem += in * c * 9 + c;
            in = c;
        }
        long k = v.patchSize() >> v.convStemChannels().size();
        long plain = (long) v.embedDim() * v.inChans() * v.patchSize() * v.patchSize();
        return stem + (long) v.embedDim() * in * k * k - plain;
    }

    /** Perceiver (latents, depth x (attention + feed-forward), norm) and one gated block per n-th LM layer. */
    static long gatedParams(FlamingoFusion.Config g, int visual, int lm, int layers) {
        long inner = (long) g.heads() * g.dimHead();
        int mult = g.ffMult();
        long d = visual;
        long c = lm;
        long perceiverLayer = 4 * d + d * inner + 3L * d * inner + 2 * d + 2 * mult * d * d;
        long perceiver = (long) g.numLatents() * d + g.depth() * perceiverLayer + 2 * d;
        long block = 2 * c + c * inner + 2L * d * inner + inner * c + 2 + 2 * c + 2 * mult * c * c;
        return perceiver + (long) (layers / Math.max(1, g.every())) * block;
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
        s.append(String.format(Locale.ROOT, "  frozen weights      %s%n", Units.both(frozenBytes)));
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
