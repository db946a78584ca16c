package org.medvlm.train;

/**
 * Linear warm-up then cosine decay to 0, Hugging Face's {@code get_cosine_schedule_with_warmup} (half a cycle): the
 * learning rate of update {@code step} (0-based) is {@code base · step / warmup} during warm-up, then
 * {@code base · ½(1 + cos(π · progress))} with {@code progress = (step - warmup) / (total - warmup)}.
 *
 * @param base the peak learning rate
 * @param warmupSteps updates of linear warm-up
 * @param totalSteps all updates of the run
 */
public record LrSchedule(double base, int warmupSteps, int totalSteps) {
    public LrSchedule {
        if (!(base > 0) || warmupSteps < 0 || totalSteps <= 0) {
            throw new IllegalArgumentException("learning rate must be positive, warm-up >= 0 and total steps > 0");
        }
    }

    /** The learning rate of update {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) {
            return base * step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return base * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
