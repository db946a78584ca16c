package org.medvlm.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.List;
import org.medvlm.layers.LayerNorm;
import org.medvlm.layers.Linear;
import org.medvlm.layers.Module;
import org.medvlm.layers.ModuleList;
import org.medvlm.layers.Parameter;
import org.medvlm.layers.Rows;
import org.medvlm.layers.ScaledDotProductAttention;

/**
 * OpenFlamingo's PerceiverResampler for one image per sample: learned {@code latents [numLatents, dim]} attend to
 * the visual tokens (keys and values are the media concatenated with the latents), {@code depth} times, each step
 * followed by a feed-forward; a final {@code norm}. Visual tokens {@code [B, N, dim]} → latents {@code [B, numLatents,
 * dim]}. Keys: {@code latents}, {@code layers.i.0.{norm_media, norm_latents, to_q, to_kv, to_out}},
 * {@code layers.i.1.{0,1,3}}, {@code norm}. Frame and media-time embeddings (video, interleaved images) are not used.
 */
public final class PerceiverResampler extends Module {

    /** Latents attend to [media; latents]. */
    static final class PerceiverAttention extends Module {
        private final LayerNorm normMedia;
        private final LayerNorm normLatents;
        private final Linear toQ;
        private final Linear toKv;
        private final Linear toOut;
        private final int heads;
        private final int dimHead;
        ScaledDotProductAttention.Probe probe; // set while an attention map is being recorded

        PerceiverAttention(int dim, int heads, int dimHead) {
            this.heads = heads;
            this.dimHead = dimHead;
            int inner = heads * dimHead;
            this.normMedia = addChild("norm_media", new LayerNorm(dim, 1e-5));
            this.normLatents = addChild("norm_latents", new LayerNorm(dim, 1e-5));
            this.toQ = addChild("to_q", new Linear(dim, inner, false));
            this.toKv = addChild("to_kv", new Linear(dim, 2L * inner, false));
            this.toOut = addChild("to_out", new Linear(inner, dim, false));
        }

        NDArray forward(NDArray media, NDArray latents) {
            NDArray x = normMedia.forward(media); // (B, N, dim)
            NDArray l = normLatents.forward(latents); // (B, n, dim)
            NDArray q = ScaledDotProductAttention.splitHeads(toQ.forward(l), heads); // (B, h, n, d)
            NDList kv = toKv.forward(x.concat(l, 1)).split(2, 2); // k | v halves of the last axis, as torch.chunk(2, dim=-1)
            NDArray k = ScaledDotProductAttention.splitHeads(kv.get(0), heads); // (B, h, N + n, d)
            NDArray v = ScaledDotProductAttention.splitHeads(kv.get(1), heads);
            NDArray out = ScaledDotProductAttention.apply(q, k, v, null, Math.pow(dimHead, -0.5), null, probe); // (B, h, n, d)
            return toOut.forward(ScaledDotProductAttention.mergeHeads(out));
        }
    }

    /** One perceiver layer: attention (key {@code 0}) and feed-forward (key {@code 1}), both residual. */
    static final class Layer extends Module {
        private final PerceiverAttention attn;
        private final FeedForward ff;

        Layer(int dim, int heads, int dimHead, int ffMult) {
            this.attn = addChild("0", new PerceiverAttention(dim, heads, dimHead));
            this.ff = addChild("1", new FeedForward(dim, ffMult));
        }

        NDArray forward(NDArray media, NDArray latents) {
            latents = attn.forward(media, latents).add(latents);
            return ff.forward(latents).add(latents);
        }
    }

    private final Parameter latents;
    private final ModuleList<Layer> layers;
    private final LayerNorm norm;

    /** OpenFlamingo's defaults are depth 6, 64 latents, 8 heads of 64, feed-forward ×4. */
    public PerceiverResampler(int dim, int depth, int numLatents, int heads, int dimHead, int ffMult) {
        this.latents = addParameter("latents", numLatents, dim);
        List<Layer> list = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            list.add(new Layer(dim, heads, dimHead, ffMult));
        }
        this.layers = addChild("layers", new ModuleList<>(list));
        this.norm = addChild("norm", new LayerNorm(dim, 1e-5));
    }

    /**
     * Records each layer's attention probabilities {@code [B, h, n, N + n]} (latents over media then latents) with
     * {@code probe} (layer, probs), or stops (null); for attention maps.
     */
    public void observeAttention(java.util.function.BiConsumer<Integer, NDArray> probe) {
        for (int i = 0; i < layers.size(); i++) {
            int layer = i;
            layers.get(i).attn.probe = probe == null ? null : probs -> probe.accept(layer, probs);
        }
    }

    /** Visual tokens {@code [B, N, dim]} → {@code [B, numLatents, dim]}, owned by the media's manager. */
    public NDArray forward(NDArray media) {
        NDManager m = media.getManager();
        long b = media.getShape().get(0);
        // a view owned by the media's manager first: an op on the weight itself would leave its result in the
        // weights' long-lived manager, one handle per call
        NDArray l = Rows.expandTo(latents.array().get(m, new NDIndex(":")).expandDims(0), b, m); // (B, n, dim)
        for (int i = 0; i < layers.size(); i++) {
            l = layers.get(i).forward(media, l);
        }
        return norm.forward(l);
    }
}
