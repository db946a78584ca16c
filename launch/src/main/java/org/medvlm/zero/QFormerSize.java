package org.medvlm.zero;

import java.util.Optional;

/**
 * Parameter count of a BLIP-2 Q-Former as Hugging Face's {@code Blip2QFormerModel} builds it (no text
 * embeddings, no text FFN unless {@code use_qformer_text_input}).
 *
 * <p>{@code layernorm} 2H; per layer: self-attention query/key/value 3(H² + H), {@code attention.output}
 * H² + H + 2H; on layers where {@code layer % cross_attention_frequency == 0} a cross-attention with
 * query H² + H, key and value 2(E·H + H), output H² + H + 2H; {@code intermediate_query} H·I + I,
 * {@code output_query} I·H + H + 2H (E = {@code encoder_hidden_size}, I = {@code intermediate_size}).
 * With text input, {@code intermediate} and {@code output} repeat the FFN.
 */
public final class QFormerSize {
    private QFormerSize() {}

    public static long params(int hidden, int layers, int intermediate, int encoderHidden, int crossAttentionFrequency,
                              boolean textFfn) {
        if (crossAttentionFrequency <= 0) {
            throw new IllegalArgumentException("cross_attention_frequency must be positive, not " + crossAttentionFrequency);
        }
        if (hidden <= 0 || layers < 0 || intermediate <= 0 || encoderHidden <= 0) {
            throw new IllegalArgumentException("Q-Former sizes must be positive: hidden " + hidden + ", layers " + layers
                    + ", intermediate " + intermediate + ", encoder hidden " + encoderHidden);
        }
        long h = hidden;
        long e = encoderHidden;
        long i = intermediate;
        try {
            long hh = Math.multiplyExact(h, h);
            long selfAttention = Math.addExact(Math.multiplyExact(4, hh), 6 * h);
            long crossAttention = Math.addExact(Math.addExact(Math.multiplyExact(2, hh), Math.multiplyExact(2, Math.multiplyExact(e, h))), 6 * h);
            long ffn = Math.addExact(Math.multiplyExact(2, Math.multiplyExact(h, i)), i + 3 * h);
            // cross-attention sits on layers 0, f, 2f, ...: ceil(layers / f) of them
            long crossLayers = ((long) layers + crossAttentionFrequency - 1) / crossAttentionFrequency;
            long perLayer = Math.addExact(selfAttention, textFfn ? Math.multiplyExact(2, ffn) : ffn);
            return Math.addExact(Math.addExact(2 * h, Math.multiplyExact((long) layers, perLayer)),
                    Math.multiplyExact(crossLayers, crossAttention));
        } catch (ArithmeticException ex) {
            throw new IllegalArgumentException("the Q-Former's parameter count (hidden " + hidden + " × " + layers
                    + " layers) overflows; beyond what is planned here (at most 10^15)");
        }
    }

    public static ModelSize of(String name, int hidden, int layers, int intermediate, int encoderHidden,
                               int crossAttentionFrequency, boolean textFfn) {
        long p = params(hidden, layers, intermediate, encoderHidden, crossAttentionFrequency, textFfn);
        long largest = Math.max((long) hidden * intermediate + intermediate, (long) hidden * encoderHidden + hidden);
        return new ModelSize(name, p, Math.min(largest, p), Optional.empty());
    }

    /** BLIP-2's Q-Former (hidden 768, 12 layers, cross-attention every 2nd layer) reading BiomedCLIP's 768-wide tokens. */
    public static ModelSize blip2ForBiomedClip() {
        return of("qformer", 768, 12, 3072, 768, 2, false);
    }
}
