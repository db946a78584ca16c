package org.medvlm.bloom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.function.UnaryOperator;
import org.medvlm.generate.CausalLm;
import org.medvlm.layers.Rows;

/**
 * {@link Bloom} as a {@link CausalLm} for the generator, optionally with a visual prefix (inputs_embeds put before
 * the prompt on the first step, e.g. projected Q-Former tokens) and per-layer hooks (the Flamingo fusion).
 */
public final class BloomLm implements CausalLm {
    private final Bloom model;
    private final NDArray prefix; // (Bp, P, C) or null
    private final List<UnaryOperator<NDArray>> hooks; // one operator per layer

    private BloomLm(Bloom model, NDArray prefix, List<UnaryOperator<NDArray>> hooks) {
        this.model = model;
        this.prefix = prefix;
        this.hooks = hooks;
    }

    /** The plain language model. */
    public static BloomLm of(Bloom model) {
        List<UnaryOperator<NDArray>> none = java.util.Collections.nCopies(model.config().nLayer(), UnaryOperator.identity());
        return new BloomLm(model, null, none);
    }

    /**
     * The model with {@code prefix [Bp, P, C]} embeddings before each prompt (visual tokens). When beams multiply the
     * rows, each prefix row is repeated for its beams.
     */
    public BloomLm withPrefix(NDArray prefixEmbeds) {
        return new BloomLm(model, prefixEmbeds, hooks);
    }

    /** The model with one operator per layer run before that block (see {@link Bloom#forward}). */
    public BloomLm withHooks(List<UnaryOperator<NDArray>> layerHooks) {
        return new BloomLm(model, prefix, layerHooks);
    }

    /** The wrapped model. */
    public Bloom model() {
        return model;
    }

    @Override
    public State start(NDManager manager, int batch, int capacity) {
        int p = prefix == null ? 0 : (int) prefix.getShape().get(1);
        KvCache cache = new KvCache(manager, model.config(), batch, capacity + p, model.dataType());
        return new BloomState(cache, batch);
    }

    @Override
    public NDArray nextLogits(State state, NDArray inputIds, NDArray attentionMask) {
        BloomState s = (BloomState) state;
        NDArray embeds = model.embed(inputIds); // (B, T, C)
        NDArray mask = attentionMask;
        if (prefix != null) {
            int batch = (int) inputIds.getShape().get(0);
            long p = prefix.getShape().get(1);
            if (s.cache.length() == 0) {
                embeds = NDArrays.concat(new ai.djl.ndarray.NDList(Rows.expandTo(prefix, batch, inputIds.getManager()), embeds), 1);
            }
            mask = inputIds.getManager().ones(new ai.djl.ndarray.types.Shape(batch, p), attentionMask.getDataType())
                    .concat(attentionMask, 1); // prefix tokens are always visible
        }
        NDArray hidden = model.forward(embeds, mask, s.cache, hooks);
        return model.lmHead(Bloom.lastPosition(hidden)).toType(DataType.FLOAT32, false); // (B, vocab)
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    private static final class BloomState implements State {
        private final KvCache cache;

        BloomState(KvCache cache, int batch) {
            this.cache = cache;
        }

        @Override
        public void reorder(long[] rows) {
            cache.reorder(rows);
        }

        @Override
        public void close() {
            cache.close();
        }
    }
}
