package org.medvlm.vlm;

import com.google.gson.JsonObject;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.fusion.FlamingoFusion;
import org.medvlm.qformer.QFormer;
import org.medvlm.vision.VisionTransformer;

/**
 * The three parts' typed configs, read from a {@link VlmConfig}: the vision tower's timm arguments, the
 * Q-Former's {@code Blip2QFormerConfig} (its {@code encoder_hidden_size} defaulting to the ViT's width,
 * as {@code Blip2Config} sets it) or the gated fusion's sizes, and BLOOM's config.
 *
 * @param qformer the Q-Former config (QFORMER fusion), else null
 * @param gated the gated-fusion config (GATED fusion), else null
 */
record Parts(VisionTransformer.Config vision, QFormer.Config qformer, FlamingoFusion.Config gated, BloomConfig text) {

    static Parts of(VlmConfig c) {
        VisionTransformer.Config vision = VisionTransformer.Config.fromJson(c.part(VlmConfig.Part.VISION));
        BloomConfig text = BloomConfig.fromJson(c.part(VlmConfig.Part.TEXT).toString());
        if (c.fusion() == Fusion.QFORMER) {
            JsonObject q = c.part(VlmConfig.Part.QFORMER);
            if (!q.has("encoder_hidden_size")) {
                q.addProperty("encoder_hidden_size", vision.embedDim());
            }
            QFormer.Config read = QFormer.Config.fromJson(q);
            if (read.encoderHiddenSize() != vision.embedDim()) {
                throw new IllegalArgumentException("qformer_config.encoder_hidden_size " + read.encoderHiddenSize()
                        + " differs from the vision width " + vision.embedDim());
            }
            QFormer.Config qformer = new QFormer.Config(read.hiddenSize(), read.numHiddenLayers(), read.numAttentionHeads(),
                    read.intermediateSize(), read.encoderHiddenSize(), read.crossAttentionFrequency(), read.layerNormEps(),
                    read.hiddenAct(), c.numQueryTokens());
            return new Parts(vision, qformer, null, text);
        }
        JsonObject g = c.part(VlmConfig.Part.GATED);
        FlamingoFusion.Config d = FlamingoFusion.Config.defaults(text.hiddenSize(), vision.embedDim(), text.nLayer(),
                integer(g, "cross_attn_every_n_layers", 1));
        FlamingoFusion.Config gated = new FlamingoFusion.Config(d.lmDim(), d.visualDim(), d.nLayer(), d.every(),
                integer(g, "perceiver_depth", d.depth()), integer(g, "num_latents", c.numQueryTokens()),
                integer(g, "heads", d.heads()), integer(g, "dim_head", d.dimHead()), integer(g, "ff_mult", d.ffMult()));
        return new Parts(vision, null, gated, text);
    }

    private static int integer(JsonObject o, String key, int fallback) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsInt() : fallback;
    }
}
