package org.medvlm.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.medvlm.layers.LayerNorm;
import org.medvlm.layers.Linear;
import org.medvlm.layers.Module;

/**
 * OpenFlamingo's FeedForward, an {@code nn.Sequential(LayerNorm, Linear, GELU, Linear)}: keys {@code 0.*} (norm),
 * {@code 1.weight} [dim·mult, dim] and {@code 3.weight} [dim, dim·mult], bias-free, exact (erf) GELU.
 */
public final class FeedForward extends Module {
    private final LayerNorm norm;
    private final Linear up;
    private final Linear down;

    /** A feed-forward of width {@code dim · mult}. */
    public FeedForward(int dim, int mult) {
        this.norm = addChild("0", new LayerNorm(dim, 1e-5));
        this.up = addChild("1", new Linear(dim, (long) dim * mult, false));
        this.down = addChild("3", new Linear((long) dim * mult, dim, false));
    }

    /** {@code [B, T, dim]} → {@code [B, T, dim]}. */
    public NDArray forward(NDArray x) {
        return down.forward(Activation.gelu(up.forward(norm.forward(x))));
    }
}
