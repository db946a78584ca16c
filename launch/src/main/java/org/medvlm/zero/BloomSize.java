package org.medvlm.zero;

import java.util.Optional;

/**
 * Parameter count of a BLOOM decoder from its Hugging Face {@code config.json} fields
 * ({@code hidden_size}, {@code n_layer}, {@code n_head}, {@code vocab_size}, {@code tie_word_embeddings}).
 *
 * <p>Per block (pre-LN, every Linear with a bias): {@code input_layernorm} 2h,
 * {@code self_attention.query_key_value} 3h² + 3h, {@code self_attention.dense} h² + h,
 * {@code post_attention_layernorm} 2h, {@code mlp.dense_h_to_4h} 4h² + 4h, {@code mlp.dense_4h_to_h}
 * 4h² + h: 12h² + 13h. Around the blocks: {@code word_embeddings} V·h, {@code word_embeddings_layernorm}
 * 2h, {@code ln_f} 2h, and an {@code lm_head} V·h only when it is not tied (BLOOM ties it).
 */
public final class BloomSize {
    private BloomSize() {}

    public static long perBlock(long h) {
        return Math.addExact(Math.multiplyExact(12 * h, h), 13 * h);
    }

    /**
     * @param tied whether {@code lm_head} shares {@code word_embeddings} (counted once, as DeepSpeed's
     *             {@code model_to_params} does by storage pointer)
     */
    public static ModelSize of(String name, int hidden, int layers, int heads, long vocab, boolean tied) {
        return of(name, hidden, layers, heads, vocab, tied, false);
    }

    /** @param attentionDropout {@code attention_dropout > 0} (Hugging Face's default for BLOOM is 0.0) */
    public static ModelSize of(String name, int hidden, int layers, int heads, long vocab, boolean tied, boolean attentionDropout) {
        if (hidden % heads != 0) {
            throw new IllegalArgumentException(name + ": hidden_size " + hidden + " is not a multiple of n_head " + heads);
        }
        long h = hidden;
        long embeddings;
        long params;
        long largest;
        try {
            embeddings = Math.multiplyExact(vocab, h);
            params = Math.addExact(Math.addExact(embeddings, 4 * h), Math.multiplyExact(layers, perBlock(h)));
            params = Math.addExact(params, tied ? 0 : embeddings);
            // the largest module is the embedding (or the untied head, the same size) unless the vocabulary
            // is smaller than one MLP matrix
            largest = Math.max(embeddings, Math.addExact(Math.multiplyExact(4 * h, h), 4 * h));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + ": the parameter count of hidden_size " + hidden + " × n_layer " + layers
                    + " × vocab_size " + vocab + " overflows; beyond what is planned here (at most 10^15)");
        }
        return new ModelSize(name, params, largest, Optional.of(new TransformerShape(hidden, layers, heads, vocab, 0, attentionDropout)));
    }

    /** bigscience/bloomz-560m: 559,214,592 parameters. */
    public static ModelSize bloomz560m() {
        return of("bloomz-560m", 1024, 24, 16, 250_880, true);
    }

    /** bigscience/bloomz-7b1: 7,069,016,064 parameters. */
    public static ModelSize bloomz7b1() {
        return of("bloomz-7b1", 4096, 30, 32, 250_880, true);
    }
}
