package org.medvlm.train;

import ai.djl.ndarray.NDArray;
import java.util.Collection;
import org.medvlm.layers.Autograd;

/** Gradient clipping by global norm, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales {@code grads} in place so that their joint L2 norm is at most {@code maxNorm}: each is multiplied by
     * {@code min(1, maxNorm / (norm + 1e-6))}. Returns the norm before clipping (what the run events report).
     */
    public static double clip(Collection<NDArray> grads, double maxNorm) {
        return Autograd.noGrad(() -> {
            double sumSquares = 0;
            for (NDArray g : grads) {
                try (NDArray n = g.norm()) { // per tensor, then the norm of the norms, as torch does
                    double v = n.toFloatArray()[0];
                    sumSquares += v * v;
                }
            }
            double norm = Math.sqrt(sumSquares);
            double coef = maxNorm / (norm + 1e-6);
            if (maxNorm > 0 && coef < 1) {
                for (NDArray g : grads) {
                    g.muli((float) coef);
                }
            }
            return norm;
        });
    }
}
