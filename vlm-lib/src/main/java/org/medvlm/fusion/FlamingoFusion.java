package org.medvlm.fusion;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomLm;
import org.medvlm.layers.Module;

/**
 * The Flamingo path around a frozen BLOOM: {@code perceiver} resamples visual tokens to latents, and
 * {@code gated_cross_attn_layers.i} runs before BLOOM layer i for every i with (i + 1) % every == 0 (OpenFlamingo's
 * rule and key layout). The blocks reach BLOOM through its per-layer hooks, so {@code Bloom.java} has no fusion code.
 */
public final class FlamingoFusion extends Module {

    /**
     * Fusion sizes.
     *
     * @param lmDim the language model's hidden size (1024 for bloomz-560m)
     * @param visualDim width of the visual tokens (768 for BiomedCLIP's ViT-B/16)
     * @param nLayer the language model's depth
     * @param every a gated block before every n-th layer (OpenFlamingo used 1, 2 and 4)
     * @param depth perceiver layers (6 in Flamingo)
     * @param numLatents perceiver latents (64 in Flamingo)
     * @param heads attention heads (8)
     * @param dimHead head width (64)
     * @param ffMult feed-forward expansion (4)
     */
    public record Config(int lmDim, int visualDim, int nLayer, int every, int depth, int numLatents, int heads,
                         int dimHead, int ffMult) {
        /** Flamingo's defaults for a given LM and vision width. */
        public static Config defaults(int lmDim, int visualDim, int nLayer, int every) {
            return new Config(lmDim, visualDim, nLayer, every, 6, 64, 8, 64, 4);
        }
    }

    private final Config config;
    private final PerceiverResampler perceiver;
    private final Map<Integer, GatedCrossAttentionBlock> gated = new LinkedHashMap<>();

    /** An unloaded fusion; weights come from {@link #loadStateDict} (gates at 0 leave the LM unchanged). */
    public FlamingoFusion(Config config) {
        if (config.every() < 1) {
            throw new IllegalArgumentException("cross-attention interval must be >= 1, got " + config.every());
        }
        this.config = config;
        this.perceiver = addChild("perceiver", new PerceiverResampler(config.visualDim(), config.depth(), config.numLatents(),
                config.heads(), config.dimHead(), config.ffMult()));
        GatedLayers layers = addChild("gated_cross_attn_layers", new GatedLayers());
        for (int i = 0; i < config.nLayer(); i++) {
            if ((i + 1) % config.every() == 0) {
                gated.put(i, layers.add(i, new GatedCrossAttentionBlock(config.lmDim(), config.visualDim(), config.heads(),
                        config.dimHead(), config.ffMult())));
            }
        }
    }

    /** OpenFlamingo's ModuleList with holes: only the layers that have a block register a key. */
    private static final class GatedLayers extends Module {
        GatedCrossAttentionBlock add(int layer, GatedCrossAttentionBlock b) {
            return addChild(Integer.toString(layer), b);
        }
    }

    /** The sizes. */
    public Config config() {
        return config;
    }

    /** Visual tokens {@code [B, N, visualDim]} → latents {@code [B, numLatents, visualDim]}. */
    public NDArray resample(NDArray visualTokens) {
        return perceiver.forward(visualTokens);
    }

    /** One operator per LM layer: identity, or the gated block conditioned on {@code latents}. */
    public List<UnaryOperator<NDArray>> hooks(NDArray latents) {
        List<UnaryOperator<NDArray>> hooks = new ArrayList<>();
        for (int i = 0; i < config.nLayer(); i++) {
            GatedCrossAttentionBlock b = gated.get(i);
            hooks.add(b == null ? UnaryOperator.identity() : x -> b.forward(x, latents));
        }
        return hooks;
    }

    /** BLOOM conditioned on these visual tokens, ready for the generator. */
    public BloomLm languageModel(Bloom bloom, NDArray visualTokens) {
        if (bloom.config().nLayer() != config.nLayer() || bloom.config().hiddenSize() != config.lmDim()) {
            throw new IllegalArgumentException("fusion was built for " + config.nLayer() + " layers of width " + config.lmDim()
                    + " but the LM has " + bloom.config().nLayer() + " of width " + bloom.config().hiddenSize());
        }
        return BloomLm.of(bloom).withHooks(hooks(resample(visualTokens)));
    }
}
