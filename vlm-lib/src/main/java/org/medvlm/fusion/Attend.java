package org.medvlm.fusion;

import ai.djl.ndarray.NDArray;

/** Multi-head softmax attention shared by the perceiver and the gated cross-attention. */
final class Attend {
    private Attend() {}

    /**
     * {@code q [B, Tq, h·d]}, {@code k, v [B, Tk, h·d]} → {@code [B, Tq, h·d]}, no mask (every query sees all media).
     */
    static NDArray heads(NDArray q, NDArray k, NDArray v, int heads, int dimHead) {
        long b = q.getShape().get(0);
        long tq = q.getShape().get(1);
        long tk = k.getShape().get(1);
        NDArray qh = q.reshape(b, tq, heads, dimHead).transpose(0, 2, 1, 3).mul((float) Math.pow(dimHead, -0.5)); // (B, h, Tq, d)
        NDArray kh = k.reshape(b, tk, heads, dimHead).transpose(0, 2, 3, 1); // (B, h, d, Tk)
        NDArray vh = v.reshape(b, tk, heads, dimHead).transpose(0, 2, 1, 3); // (B, h, Tk, d)
        NDArray attn = qh.matMul(kh).softmax(-1); // (B, h, Tq, Tk); softmax subtracts the max itself, as OF does by hand
        return attn.matMul(vh).transpose(0, 2, 1, 3).reshape(b, tq, (long) heads * dimHead); // (B, Tq, h·d)
    }
}
