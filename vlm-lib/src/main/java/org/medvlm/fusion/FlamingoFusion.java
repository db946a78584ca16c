package org.medvlm.fusion;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomLm;
import org.medvlm.layers.ConfigReader;
import org.medvlm.layers.InitPolicy;
import org.medvlm.layers.Module;
import org.medvlm.layers.ScaledDotProductAttention;

/**
 * The Flamingo path around a frozen BLOOM: {@code perceiver} resamples visual tokens to latents, and
 * {@code gated_cross_attn_layers.i} runs before BLOOM layer i for every i with (i + 1) % every == 0 (OpenFlamingo's
 * rule and key layout). The blocks reach BLOOM through its hooks, so {@code Bloom.java} has no fusion code.
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
        public Config {
            if (lmDim <= 0 || visualDim <= 0 || nLayer <= 0 || every < 1 || depth < 0 || numLatents <= 0 || heads <= 0
                    || dimHead <= 0 || ffMult <= 0) {
                throw new IllegalArgumentException("gated fusion sizes must be positive (cross_attn_every_n_layers >= 1), got "
                        + "lm " + lmDim + ", visual " + visualDim + ", layers " + nLayer + ", every " + every);
            }
        }

        /** Flamingo's defaults for a given LM and vision width. */
        public static Config defaults(int lmDim, int visualDim, int nLayer, int every) {
            return new Config(lmDim, visualDim, nLayer, every, 6, 64, 8, 64, 4);
        }

        /**
         * Reads the composite's {@code gated_config} ({@code cross_attn_every_n_layers}, {@code perceiver_depth},
         * {@code num_latents}, {@code heads}, {@code dim_head}, {@code ff_mult}); the widths and depth come from the
         * vision and language parts, and the latents default to the composite's {@code num_query_tokens}.
         */
        public static Config fromJson(ConfigReader c, int lmDim, int visualDim, int nLayer, int numLatents) {
            Config d = defaults(lmDim, visualDim, nLayer, 1);
            return c.build(() -> new Config(lmDim, visualDim, nLayer,
                    c.integer("cross_attn_every_n_layers", 1, 1, ConfigReader.MAX_LAYERS),
                    c.integer("perceiver_depth", d.depth(), 0, ConfigReader.MAX_LAYERS),
                    c.integer("num_latents", numLatents, 1, 1 << 16),
                    c.integer("heads", d.heads(), 1, 4096),
                    c.integer("dim_head", d.dimHead(), 1, ConfigReader.MAX_WIDTH),
                    c.integer("ff_mult", d.ffMult(), 1, 64)));
        }

        /** The composite's {@code gated_config} object. */
        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("cross_attn_every_n_layers", every);
            o.addProperty("perceiver_depth", depth);
            o.addProperty("num_latents", numLatents);
            o.addProperty("heads", heads);
            o.addProperty("dim_head", dimHead);
            o.addProperty("ff_mult", ffMult);
            return o;
        }
    }

    private final Config config;
    private final PerceiverResampler perceiver;
    private final Map<Integer, GatedCrossAttentionBlock> gated = new LinkedHashMap<>();

    /** An unloaded fusion; weights come from {@link #load} or {@link #initialize} (gates at 0 leave the LM unchanged). */
    public FlamingoFusion(Config config) {
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

    /**
     * OpenFlamingo's initialisation: PyTorch's layer defaults, latents N(0, 1) ({@code torch.randn}), tanh gates at 0
     * so that the untrained fusion leaves the language model's output unchanged.
     */
    public static InitPolicy initPolicy() {
        InitPolicy torch = InitPolicy.torchDefaults();
        return (key, p, owner, init) -> {
            if (p.name().equals("attn_gate") || p.name().equals("ff_gate")) {
                return init.zeros();
            }
            return torch.draw(key, p, owner, init);
        };
    }

    /** The sizes. */
    public Config config() {
        return config;
    }

    /** Visual tokens {@code [B, N, visualDim]} → latents {@code [B, numLatents, visualDim]}. */
    public NDArray resample(NDArray visualTokens) {
        return perceiver.forward(visualTokens);
    }

    /** BLOOM's hooks: before each layer that has a block, the gated block conditioned on {@code latents}. */
    public Bloom.Hooks hooks(NDArray latents) {
        Map<Integer, UnaryOperator<NDArray>> before = new LinkedHashMap<>();
        gated.forEach((i, b) -> before.put(i, x -> b.forward(x, latents)));
        return new Bloom.Hooks(before, Map.of());
    }

    /** The perceiver (for attention maps). */
    public PerceiverResampler perceiver() {
        return perceiver;
    }

    /** Records each gated block's cross-attention probabilities {@code [B, h, T, n]} by LM layer, or stops (null). */
    public void observeAttention(java.util.function.BiConsumer<Integer, NDArray> probe) {
        gated.forEach((i, b) -> b.observeAttention(probe == null ? null : (ScaledDotProductAttention.Probe) probs -> probe.accept(i, probs)));
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
