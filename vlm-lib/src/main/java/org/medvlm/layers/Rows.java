package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/** Batch-row helpers for conditioning tensors (visual prefixes, media latents) that outlive a decoding step. */
public final class Rows {
    private Rows() {}

    /**
     * A view of {@code x [Bx, ...]} owned by {@code step}, with each row repeated {@code batch / Bx} times (beams of
     * one prompt are adjacent rows). Owning the view in the step's manager keeps every result computed from it there
     * too, instead of in the long-lived owner of {@code x}.
     */
    public static NDArray expandTo(NDArray x, long batch, NDManager step) {
        long bx = x.getShape().get(0);
        NDArray view = x.get(step, new NDIndex(":"));
        if (bx == batch) {
            return view;
        }
        if (bx == 0 || batch % bx != 0) {
            throw new IllegalArgumentException("conditioning has " + bx + " rows but the batch has " + batch);
        }
        return view.repeat(0, batch / bx);
    }
}
