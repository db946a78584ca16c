package org.medvlm.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** What the generator needs from a language model: incremental decoding over a cache. */
public interface CausalLm {

    /** Per-sequence decoding state (the KV cache); rows can be reordered for beam search. */
    interface State extends AutoCloseable {
        /** Row i becomes old row {@code rows[i]}. */
        void reorder(long[] rows);

        @Override
        void close();
    }

    /** Allocates the state for {@code batch} rows of at most {@code capacity} tokens, owned by {@code manager}. */
    State start(NDManager manager, int batch, int capacity);

    /**
     * Feeds {@code inputIds [B, T]} after what the state holds and returns the logits of the last position
     * {@code [B, vocab]} as float32, owned by {@code inputIds}' manager.
     *
     * @param attentionMask {@code [B, L]} over every token so far (held + new), 0 at left padding
     */
    NDArray nextLogits(State state, NDArray inputIds, NDArray attentionMask);

    /** Vocabulary size (width of the logits). */
    int vocabSize();
}
