package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;

/**
 * Dropout as torch's {@code nn.Dropout(p)}: in training mode each element is zeroed with probability {@code p} and the
 * others scaled by {@code 1 / (1 - p)}; in evaluation mode (and for {@code p = 0}) the input passes unchanged. The
 * masks come from a Java stream that {@link Module#seedDropout} reseeds, not from the engine's global generator, so a
 * training step's masks depend only on the trainer's seed and step.
 */
public final class Dropout extends Module {
    private final double p;
    private SplittableRandom random = new SplittableRandom(0);

    /** Dropout with probability {@code p} in [0, 1). */
    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
    }

    /** The probability. */
    public double probability() {
        return p;
    }

    void reseed(long seed) {
        random = new SplittableRandom(seed);
    }

    /** {@code x} with dropout applied in training mode; the result belongs to {@code x}'s manager. */
    public NDArray forward(NDArray x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        float keep = (float) (1 / (1 - p));
        float[] mask = new float[Math.toIntExact(x.size())];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextDouble() < p ? 0f : keep;
        }
        NDArray m = x.getManager().create(mask, x.getShape()).toType(x.getDataType(), false);
        return x.mul(m);
    }
}
