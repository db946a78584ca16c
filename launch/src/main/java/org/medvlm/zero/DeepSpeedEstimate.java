package org.medvlm.zero;

import java.util.Optional;

/**
 * One row of DeepSpeed's {@code estimate_zero2/zero3_model_states_mem_needs}: model-state memory per
 * node of CPU RAM and per GPU, in bytes, exactly as DeepSpeed computes it.
 *
 * @param stage            {@link ZeroStage#STAGE_2} or {@link ZeroStage#STAGE_3}
 * @param offloadParam     parameter offload (always NONE for stage 2)
 * @param offloadOptimizer optimizer offload
 * @param zeroInit         stage 3's {@code zero_init} (building the model partitioned); empty for stage 2
 * @param cpuBytesPerNode  CPU memory per node
 * @param gpuBytesPerGpu   memory per GPU
 */
public record DeepSpeedEstimate(ZeroStage stage, Offload offloadParam, Offload offloadOptimizer, Optional<Boolean> zeroInit,
                                long cpuBytesPerNode, long gpuBytesPerGpu) {

    /** DeepSpeed's options column: {@code offload_param=cpu , offload_optimizer=cpu , zero_init=1}. */
    public String options() {
        String optimizer = "offload_optimizer=" + pad(offloadOptimizer);
        if (stage == ZeroStage.STAGE_2) {
            return optimizer;
        }
        return "offload_param=" + pad(offloadParam) + ", " + optimizer + ", zero_init=" + (zeroInit.orElse(false) ? 1 : 0);
    }

    /** DeepSpeed formats the device enum with width 4 (the Python ≤ 3.10 form its docs show). */
    private static String pad(Offload o) {
        return o == Offload.NONE ? "none" : String.format("%-4s", o.device());
    }

    @Override
    public String toString() {
        return DeepSpeedEstimator.row(this);
    }
}
