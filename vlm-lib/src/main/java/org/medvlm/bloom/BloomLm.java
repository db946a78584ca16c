package org.medvlm.bloom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.medvlm.generate.CausalLm;

/**
 * {@link Bloom} as a {@link CausalLm} for the generator, optionally with a visual prefix (inputs_embeds put before
 * the prompt on the first step, e.g. projected Q-Former tokens) and hooks (the Flamingo fusion, attention maps).
 */
public final class BloomLm implements CausalLm {
    private final Bloom model;
    private final NDArray prefix; // (Bp, P, C) or null
    private final Bloom.Hooks hooks;

    private BloomLm(Bloom model, NDArray prefix, Bloom.Hooks hooks) {
        this.model = model;
        this.prefix = prefix;
        this.hooks = hooks;
    }

    /** The plain language model. */
    public static BloomLm of(Bloom model) {
        return new BloomLm(model, null, Bloom.Hooks.NONE);
    }

    /**
     * The model with {@code prefix [Bp, P, C]} embeddings before each prompt (visual tokens). When beams multiply the
     * rows, each prefix row is repeated for its beams.
     */
    public BloomLm withPrefix(NDArray prefixEmbeds) {
        return new BloomLm(model, prefixEmbeds, hooks);
    }

    /** The model with these hooks (see {@link Bloom#forward(NDArray, NDArray, KvCache, Bloom.Hooks)}). */
    public BloomLm withHooks(Bloom.Hooks layerHooks) {
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
        return new BloomState(cache);
    }

    @Override
    public NDArray nextLogits(State state, NDArray inputIds, NDArray attentionMask) {
        KvCache cache = ((BloomState) state).cache;
        // the prefix enters with the first step; later steps only extend the mask over it
        Bloom.Inputs in = model.inputs(cache.length() == 0 ? prefix : null, inputIds, attentionMask);
        NDArray mask = in.mask();
        if (prefix != null && cache.length() > 0) {
            long p = prefix.getShape().get(1);
            mask = inputIds.getManager().ones(new ai.djl.ndarray.types.Shape(inputIds.getShape().get(0), p),
                    attentionMask.getDataType()).concat(attentionMask, 1); // prefix tokens are always visible
        }
        NDArray hidden = model.forward(in.embeds(), mask, cache, hooks);
        return model.lmHead(Bloom.lastPosition(hidden)).toType(DataType.FLOAT32, false); // (B, vocab)
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    private static final class BloomState implements State {
        private final KvCache cache;

        BloomState(KvCache cache) {
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
