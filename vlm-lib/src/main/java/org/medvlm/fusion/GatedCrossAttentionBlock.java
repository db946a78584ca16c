package org.medvlm.fusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.medvlm.layers.LayerNorm;
import org.medvlm.layers.Linear;
import org.medvlm.layers.Module;
import org.medvlm.layers.Parameter;
import org.medvlm.layers.Rows;
import org.medvlm.layers.ScaledDotProductAttention;

/**
 * Flamingo's gated cross-attention block: text hidden states {@code x [B, T, dim]} attend to visual latents
 * {@code [B, n, dimVisual]}, then a feed-forward, each scaled by tanh of a learned scalar gate:
 * {@code x = tanh(attn_gate)·attn(x, media) + x; x = tanh(ff_gate)·ff(x) + x}. Gates start at 0, so an untrained block
 * is exactly the identity and the language model's output is unchanged. Keys (OpenFlamingo):
 * {@code attn.{norm, to_q, to_kv, to_out}}, {@code attn_gate [1]}, {@code ff.{0,1,3}}, {@code ff_gate [1]}.
 * Every text token sees every latent (one image before the text, so OpenFlamingo's "only the preceding image" mask
 * selects the same latents).
 */
public final class GatedCrossAttentionBlock extends Module {

    /** Cross-attention from text queries to visual keys/values. */
    static final class CrossAttention extends Module {
        private final LayerNorm norm;
        private final Linear toQ;
        private final Linear toKv;
        private final Linear toOut;
        private final int heads;
        private final int dimHead;
        ScaledDotProductAttention.Probe probe; // set while an attention map is being recorded

        CrossAttention(int dim, int dimVisual, int heads, int dimHead) {
            this.heads = heads;
            this.dimHead = dimHead;
            int inner = heads * dimHead;
            this.norm = addChild("norm", new LayerNorm(dim, 1e-5));
            this.toQ = addChild("to_q", new Linear(dim, inner, false));
            this.toKv = addChild("to_kv", new Linear(dimVisual, 2L * inner, false));
            this.toOut = addChild("to_out", new Linear(inner, dim, false));
        }

        NDArray forward(NDArray x, NDArray media) {
            NDArray q = ScaledDotProductAttention.splitHeads(toQ.forward(norm.forward(x)), heads); // (B, h, T, d)
            NDList kv = toKv.forward(media).split(2, 2); // (B, n, h·d) each
            NDArray k = ScaledDotProductAttention.splitHeads(kv.get(0), heads); // (B, h, n, d)
            NDArray v = ScaledDotProductAttention.splitHeads(kv.get(1), heads);
            NDArray out = ScaledDotProductAttention.apply(q, k, v, null, Math.pow(dimHead, -0.5), null, probe); // (B, h, T, d)
            return toOut.forward(ScaledDotProductAttention.mergeHeads(out));
        }
    }

    private final CrossAttention attn;
    private final Parameter attnGate;
    private final FeedForward ff;
    private final Parameter ffGate;

    /** OpenFlamingo's defaults are 8 heads of 64 and feed-forward ×4. */
    public GatedCrossAttentionBlock(int dim, int dimVisual, int heads, int dimHead, int ffMult) {
        this.attn = addChild("attn", new CrossAttention(dim, dimVisual, heads, dimHead));
        this.attnGate = addParameter("attn_gate", 1);
        this.ff = addChild("ff", new FeedForward(dim, ffMult));
        this.ffGate = addParameter("ff_gate", 1);
    }

    /** Records the cross-attention probabilities {@code [B, h, T, n]} with {@code probe}, or stops (null). */
    public void observeAttention(ScaledDotProductAttention.Probe probe) {
        attn.probe = probe;
    }

    /** {@code x [B, T, dim]} with {@code media [Bm, n, dimVisual]} (rows repeated for beams) → {@code [B, T, dim]}. */
    public NDArray forward(NDArray x, NDArray media) {
        NDArray m = Rows.expandTo(media, x.getShape().get(0), x.getManager());
        NDArray gateA = attnGate.array().get(x.getManager(), new ai.djl.ndarray.index.NDIndex(":")).tanh();
        NDArray gateF = ffGate.array().get(x.getManager(), new ai.djl.ndarray.index.NDIndex(":")).tanh();
        x = attn.forward(x, m).mul(gateA).add(x);
        return ff.forward(x).mul(gateF).add(x);
    }
}
