package org.medvlm.zero;

import java.util.Optional;

/**
 * The cheapest configuration that fits: on the GPUs asked for, the lowest stage without offload (least
 * communication), else CPU offload (naming how many GPUs would do without it), else more GPUs.
 *
 * @param choice the configuration that fits, or empty when none does
 * @param gpus   the GPU count it needs
 * @param reason one sentence saying why
 */
public record Recommendation(Optional<StagePlan> choice, int gpus, String reason) {
    @Override
    public String toString() {
        return reason;
    }
}
