package org.medvlm.vlm;

import java.util.Locale;

/** How visual features reach the language model. */
public enum Fusion {
    /** BLIP-2: Q-Former queries, projected to the LM width, prepended to the prompt's embeddings. */
    QFORMER,
    /** Flamingo: a perceiver resampler's latents, read by tanh-gated cross-attention blocks inside BLOOM. */
    GATED;

    /** The name in {@code config.json}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Fusion parse(String value, String where) {
        for (Fusion f : values()) {
            if (f.key().equals(value)) {
                return f;
            }
        }
        throw new IllegalArgumentException(where + ": fusion must be \"qformer\" or \"gated\", got \"" + value + "\"");
    }
}
