package org.medvlm.qformer;

import java.util.regex.Pattern;
import org.medvlm.checkpoint.StateDict;

/**
 * Salesforce LAVIS BLIP-2 key names → Hugging Face names, as transformers' conversion script renames
 * them ({@code Qformer.bert.*} → {@code qformer.*}, {@code attention.self} → {@code attention.attention},
 * {@code Qformer.bert.embeddings.LayerNorm} → {@code qformer.layernorm}, {@code opt_proj} →
 * {@code language_projection}, {@code ln_vision} → {@code vision_model.post_layernorm}). Parts HF's
 * BLIP-2 has no place for (the BERT text embeddings and head, the text-only feed-forward) are dropped.
 */
public final class LavisKeys {
    // the text branch's FFN (intermediate / output without _query) exists only in stage-1 checkpoints
    private static final Pattern TEXT_FFN = Pattern.compile("^Qformer\\.bert\\.encoder\\.layer\\.\\d+\\.(intermediate|output)\\..*");

    private LavisKeys() {}

    /** True when {@code sd} looks like a LAVIS checkpoint. */
    public static boolean isLavis(StateDict sd) {
        return sd.keys().stream().anyMatch(k -> k.startsWith("Qformer.bert."));
    }

    /** A view of a LAVIS checkpoint under HF names; HF checkpoints pass through unchanged. */
    public static StateDict toHf(StateDict sd) {
        return isLavis(sd) ? sd.renamed(LavisKeys::rename) : sd;
    }

    /** The HF name of one LAVIS key, or null for keys HF's BLIP-2 does not have. */
    public static String rename(String key) {
        if (key.startsWith("Qformer.cls.") || key.startsWith("Qformer.bert.embeddings.word_embeddings")
                || key.startsWith("Qformer.bert.embeddings.position_") || TEXT_FFN.matcher(key).matches()) {
            return null;
        }
        String k = key;
        if (k.startsWith("Qformer.bert.embeddings.LayerNorm.")) {
            k = "qformer.layernorm." + k.substring("Qformer.bert.embeddings.LayerNorm.".length());
        } else if (k.startsWith("Qformer.bert.")) {
            k = "qformer." + k.substring("Qformer.bert.".length());
        } else if (k.startsWith("opt_proj.")) {
            k = "language_projection." + k.substring("opt_proj.".length());
        } else if (k.startsWith("opt_model.")) {
            k = "language_model." + k.substring("opt_model.".length());
        } else if (k.startsWith("ln_vision.")) {
            k = "vision_model.post_layernorm." + k.substring("ln_vision.".length());
        }
        return k.replace("attention.self.", "attention.attention."); // also crossattention.self.
    }
}
