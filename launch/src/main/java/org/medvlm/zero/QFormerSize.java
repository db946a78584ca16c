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
        long h = hidden;
        long e = encoderHidden;
        long i = intermediate;
        long selfAttention = 3 * (h * h + h) + h * h + h + 2 * h;
        long crossAttention = h * h + h + 2 * (e * h + h) + h * h + h + 2 * h;
        long ffn = h * i + i + i * h + h + 2 * h;
        long total = 2 * h;
        for (int layer = 0; layer < layers; layer++) {
            total += selfAttention + ffn + (textFfn ? ffn : 0) + (layer % crossAttentionFrequency == 0 ? crossAttention : 0);
        }
        return total;
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
