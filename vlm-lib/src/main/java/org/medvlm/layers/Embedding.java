package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;

/** Token lookup: ids {@code [B, T]} (int64) and weight {@code [vocab, dim]} give {@code [B, T, dim]}. */
public final class Embedding extends Module {
    private final Parameter weight;

    /** An embedding table with key {@code weight}. */
    public Embedding(long vocab, long dim) {
        this.weight = addParameter("weight", vocab, dim);
    }

    /** Looks the ids up; the result belongs to {@code ids}' manager. */
    public NDArray forward(NDArray ids) {
        return ai.djl.nn.core.Embedding.embedding(ids, weight.array(), SparseFormat.DENSE).singletonOrThrow();
    }

    /** The table {@code [vocab, dim]} (also the tied LM head). */
    public NDArray weight() {
        return weight.array();
    }
}
