package org.medvlm.zero;

import java.util.Locale;

/**
 * Memory per GPU for one ZeRO stage (and offload choice). Fields ending in {@code Bytes} are bytes.
 *
 * @param stage                 the ZeRO stage
 * @param offloadOptimizer      where optimizer states live
 * @param offloadParam          where parameters live (stage 3 only)
 * @param weightsBytes          parameters on this GPU (the ZeRO paper's 2Ψ, or 2Ψ/N_d at stage 3)
 * @param gradientsBytes        gradients on this GPU while they exist
 * @param optimizerBytes        optimizer states on this GPU, the paper's KΨ or KΨ/N_d
 * @param communicationElements elements each data-parallel process sends per step (2Ψ or 3Ψ)
 * @param activationBytes       stored activations of one micro-batch (0 without a workload)
 * @param outputLayerBytes      logits and loss at the start of backward, their largest (0 without a workload)
 * @param otherBytes            16-bit weight copies kept for backward, a gathered stage-3 layer, and the
 *                              CUDA runtime's workspace
 * @param betweenStepsBytes     what stays allocated between steps (gradients freed or not)
 * @param peakBytes             the whole per-GPU prediction: the larger of backward's start and the
 *                              optimizer step
 * @param peakPhase             the moment of the step the peak falls in
 */
public record StagePlan(ZeroStage stage, Offload offloadOptimizer, Offload offloadParam,
                        long weightsBytes, long gradientsBytes, long optimizerBytes, long communicationElements,
                        long activationBytes, long outputLayerBytes, long otherBytes,
                        long betweenStepsBytes, long peakBytes, Phase peakPhase) {

    /** Weights + gradients + optimizer states: the ZeRO paper's per-device model-state memory. */
    public long modelStatesBytes() {
        return weightsBytes + gradientsBytes + optimizerBytes;
    }

    /** The moments of a training step where memory can peak. */
    public enum Phase {
        /** The loss has just been computed: all activations, the logits, autocast's weight cache. */
        FORWARD_END,
        /** The loss gradient exists and no activation has been freed yet. */
        BACKWARD_START,
        /** All gradients exist and the optimizer updates the weights. */
        OPTIMIZER_STEP
    }

    /** Gradients allocated at the peak: all of them in the optimizer step, before it only if kept between steps. */
    public long gradientsAtPeakBytes() {
        return peakPhase == Phase.OPTIMIZER_STEP || betweenStepsBytes > weightsBytes + optimizerBytes ? gradientsBytes : 0;
    }

    public boolean offloaded() {
        return offloadOptimizer != Offload.NONE || offloadParam != Offload.NONE;
    }

    /** "stage 3 (P_os+g+p), optimizer on cpu". */
    public String label() {
        StringBuilder s = new StringBuilder("ZeRO stage " + stage.number() + " (" + stage.paperName() + ")");
        if (offloadOptimizer != Offload.NONE) {
            s.append(", optimizer offloaded to ").append(offloadOptimizer.device());
        }
        if (offloadParam != Offload.NONE) {
            s.append(", parameters offloaded to ").append(offloadParam.device());
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: model states %s, peak %s", label(), Units.both(modelStatesBytes()),
                Units.both(peakBytes));
    }
}
