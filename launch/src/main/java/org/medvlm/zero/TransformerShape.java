package org.medvlm.zero;

/**
 * The shape of the decoder whose activations dominate training: what Korthikanti et al.'s activation
 * formula and the output layer need.
 *
 * @param hidden       hidden size h
 * @param layers       transformer layers L
 * @param heads        attention heads a
 * @param vocab        output vocabulary V (logits per token); 0 when unknown
 * @param visualTokens tokens a vision front end puts before the text (the Q-Former's queries); 0 for a plain LM
 * @param attentionDropout whether attention dropout is on, so a 1-byte mask per score is kept (BLOOM: off)
 */
public record TransformerShape(int hidden, int layers, int heads, long vocab, int visualTokens, boolean attentionDropout) {
    public TransformerShape {
        positive(hidden, "hidden size");
        positive(layers, "layers");
        positive(heads, "heads");
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden size " + hidden + " is not a multiple of the head count " + heads);
        }
        if (vocab < 0) {
            throw new IllegalArgumentException("vocabulary size must not be negative, not " + vocab);
        }
        if (visualTokens < 0) {
            throw new IllegalArgumentException("visual tokens must not be negative, not " + visualTokens);
        }
    }

    /** A shape with attention dropout on, as Korthikanti et al. assume. */
    public TransformerShape(int hidden, int layers, int heads, long vocab, int visualTokens) {
        this(hidden, layers, heads, vocab, visualTokens, true);
    }

    private static void positive(long v, String what) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, not " + v);
        }
    }

    public TransformerShape withVisualTokens(int tokens) {
        return new TransformerShape(hidden, layers, heads, vocab, tokens, attentionDropout);
    }
}
