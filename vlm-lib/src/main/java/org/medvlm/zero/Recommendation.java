package org.medvlm.zero;

import java.util.Optional;

/**
 * The cheapest configuration that fits: fewest GPUs first (the GPUs asked for, then doubling), then no
 * offload before CPU offload, then the lowest stage (least communication).
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
