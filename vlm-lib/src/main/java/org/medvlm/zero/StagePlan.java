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
 * @param outputLayerBytes      logits and loss at the start of backward (0 without a workload)
 * @param otherBytes            16-bit weight copies kept for backward, a gathered stage-3 layer, and the
 *                              CUDA runtime's workspace
 * @param betweenStepsBytes     what stays allocated between steps (gradients freed or not)
 * @param peakBytes             the whole per-GPU prediction: the larger of backward's start and the
 *                              optimizer step
 * @param peakInOptimizerStep   whether the peak falls in the optimizer step (all gradients exist) rather
 *                              than at the start of backward
 */
public record StagePlan(ZeroStage stage, Offload offloadOptimizer, Offload offloadParam,
                        long weightsBytes, long gradientsBytes, long optimizerBytes, long communicationElements,
                        long activationBytes, long outputLayerBytes, long otherBytes,
                        long betweenStepsBytes, long peakBytes, boolean peakInOptimizerStep) {

    /** Weights + gradients + optimizer states: the ZeRO paper's per-device model-state memory. */
    public long modelStatesBytes() {
        return weightsBytes + gradientsBytes + optimizerBytes;
    }

    /** Gradients allocated at the peak: all of them in the optimizer step, none at backward's start if freed. */
    public long gradientsAtPeakBytes() {
        return peakInOptimizerStep || betweenStepsBytes > weightsBytes + optimizerBytes ? gradientsBytes : 0;
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
