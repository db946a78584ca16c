package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The one attention kernel every attention block uses (ViT, Q-Former self- and cross-attention, BLOOM, the perceiver
 * and the gated cross-attention): {@code softmax(q·kᵀ·scale + bias)·v}, with the softmax in float32 whatever the
 * compute type (as Hugging Face upcasts it) and dropout on the probabilities. Each model keeps only its checkpoint's
 * QKV layout and hands this per-head tensors; it is the place for a fused kernel later.
 *
 * <p>Shapes: {@code q [B, h, Tq, d]}, {@code k, v [B, h, Tk, d]}, {@code bias} broadcastable to {@code [B, h, Tq, Tk]}
 * (ALiBi plus masks, or null), result {@code [B, h, Tq, d]}.
 */
public final class ScaledDotProductAttention {
    private ScaledDotProductAttention() {}

    /** An observer of attention probabilities {@code [B, h, Tq, Tk]} (for attention maps); null for none. */
    @FunctionalInterface
    public interface Probe {
        void probabilities(NDArray probs);
    }

    /** Attention without dropout or observer. */
    public static NDArray apply(NDArray q, NDArray k, NDArray v, NDArray bias, double scale) {
        return apply(q, k, v, bias, scale, null, null);
    }

    /**
     * Attention; {@code dropout} (may be null) acts on the probabilities as in HF and timm, and {@code probe} (may be
     * null) sees them before dropout. q is scaled before the product (timm's order), which bounds the scores' range
     * in half precision.
     */
    public static NDArray apply(NDArray q, NDArray k, NDArray v, NDArray bias, double scale, Dropout dropout, Probe probe) {
        DataType dtype = q.getDataType();
        NDArray scores = Scalars.mul(q, scale).matMul(k.transpose(0, 1, 3, 2)); // (B, h, Tq, Tk)
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT64) {
            scores = scores.toType(DataType.FLOAT32, false);
        }
        if (bias != null) {
            scores = scores.add(bias.getDataType() == scores.getDataType() ? bias : bias.toType(scores.getDataType(), false));
        }
        NDArray probs = scores.softmax(-1);
        if (probe != null) {
            probe.probabilities(probs);
        }
        if (probs.getDataType() != dtype) {
            probs = probs.toType(dtype, false);
        }
        if (dropout != null) {
            probs = dropout.forward(probs);
        }
        return probs.matMul(v); // (B, h, Tq, d)
    }

    /** {@code x [B, T, h·d]} → {@code [B, h, T, d]}. */
    public static NDArray splitHeads(NDArray x, int heads) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        long d = x.getShape().get(2) / heads;
        return x.reshape(b, t, heads, d).transpose(0, 2, 1, 3);
    }

    /** {@code x [B, h, T, d]} → {@code [B, T, h·d]}. */
    public static NDArray mergeHeads(NDArray x) {
        long b = x.getShape().get(0);
        long h = x.getShape().get(1);
        long t = x.getShape().get(2);
        long d = x.getShape().get(3);
        return x.transpose(0, 2, 1, 3).reshape(b, t, h * d);
    }
}
