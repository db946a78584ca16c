package org.medvlm.bloom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.Dropout;
import org.medvlm.layers.Embedding;
import org.medvlm.layers.InitPolicy;
import org.medvlm.layers.LayerNorm;
import org.medvlm.layers.Linear;
import org.medvlm.layers.Module;
import org.medvlm.layers.ModuleList;
import org.medvlm.layers.Rows;
import org.medvlm.layers.Scalars;
import org.medvlm.layers.ScaledDotProductAttention;

/**
 * The BLOOM language model, all of it in this file, in reading order: {@link Alibi}, {@link Attention}, {@link Mlp},
 * {@link Block}, then {@code Bloom} itself. Semantics and key names follow transformers' {@code modeling_bloom.py}:
 * {@code word_embeddings}, {@code word_embeddings_layernorm}, {@code h.N.{input_layernorm, self_attention.{query_key_value,
 * dense}, post_attention_layernorm, mlp.{dense_h_to_4h, dense_4h_to_h}}}, {@code ln_f}; the LM head is tied to the
 * embedding table. Checkpoints with the {@code transformer.} prefix (BloomForCausalLM) and without it (Hub files) load.
 *
 * <p>Shapes: B batch, T new tokens, L = cached + new tokens (keys), C hidden, nh heads, hd head_dim.
 *
 * <p>Memory: every op puts the activation first, so results belong to the caller's (step) manager, never to the
 * manager that owns the weights.
 */
public final class Bloom extends Module {

    /** ALiBi (Press et al.): a per-head linear bias on key positions instead of position embeddings. */
    public static final class Alibi {
        private Alibi() {}

        /**
         * Head slopes as in HF {@code build_alibi_tensor}: with cp = 2^floor(log2 n) and base = 2^(-8/cp) the first cp
         * heads get base^1..base^cp; when n is not a power of two the remaining heads take the odd powers 1, 3, 5, ...
         * of base' = 2^(-4/cp) (the slopes of a 2cp-head model, interleaved so they fall between the first ones).
         */
        public static float[] slopes(int nHead) {
            int cp = Integer.highestOneBit(nHead);
            double base = Math.pow(2, -Math.pow(2, -(log2(cp) - 3)));
            float[] s = new float[nHead];
            for (int i = 0; i < cp; i++) {
                s[i] = (float) Math.pow(base, i + 1);
            }
            double extraBase = Math.pow(2, -Math.pow(2, -(log2(2 * cp) - 3)));
            for (int i = 0; i < nHead - cp; i++) {
                s[cp + i] = (float) Math.pow(extraBase, 2 * i + 1);
            }
            return s;
        }

        private static double log2(int x) {
            return Math.log(x) / Math.log(2);
        }

        /**
         * Bias {@code [B, nh, 1, L]} = slope × key position, where position = (cumsum(mask) − 1) · mask: positions
         * count only real tokens, so a left-padded row gets the same biases as the unpadded sequence. The bias
         * depends on the key only; the query's own position cancels in the softmax, which is why HF can omit it.
         */
        static NDArray bias(NDArray mask, float[] slopes) {
            NDArray positions = mask.cumSum(1).sub(1).mul(mask); // (B, L)
            long b = mask.getShape().get(0);
            long l = mask.getShape().get(1);
            NDArray slope = mask.getManager().create(slopes).reshape(1, slopes.length, 1, 1); // (1, nh, 1, 1)
            return positions.reshape(b, 1, 1, l).mul(slope); // (B, nh, 1, L)
        }
    }

    /** Self-attention with BLOOM's fused, per-head interleaved query_key_value projection. */
    static final class Attention extends Module {
        private final Linear queryKeyValue;
        private final Linear dense;
        private final Dropout attentionDropout;
        private final int nHead;
        private final int headDim;

        Attention(BloomConfig c) {
            this.nHead = c.nHead();
            this.headDim = c.headDim();
            this.queryKeyValue = addChild("query_key_value", new Linear(c.hiddenSize(), 3L * c.hiddenSize(), true));
            this.dense = addChild("dense", new Linear(c.hiddenSize(), c.hiddenSize(), true));
            this.attentionDropout = addChild("attention_dropout", new Dropout(c.attentionDropout()));
        }

        /** {@code x [B, T, C]}, {@code bias [B, nh, T, L]} (ALiBi + causal/padding mask) → {@code [B, T, C]}. */
        NDArray forward(NDArray x, NDArray bias, KvCache cache, int layer, ScaledDotProductAttention.Probe probe) {
            Shape s = x.getShape();
            long b = s.get(0);
            long t = s.get(1);
            // Rows of query_key_value are grouped per head as (nh, 3, hd): head h owns rows [h*3hd, (h+1)*3hd), in the
            // order q, k, v. This is NOT timm's [Q-all | K-all | V-all]; the reshape below follows BLOOM's layout.
            NDArray fused = queryKeyValue.forward(x).reshape(b, t, nHead, 3, headDim); // (B, T, nh, 3, hd)
            NDArray q = fused.get(":, :, :, 0, :").transpose(0, 2, 1, 3); // (B, nh, T, hd)
            NDArray k = fused.get(":, :, :, 1, :").transpose(0, 2, 1, 3); // (B, nh, T, hd)
            NDArray v = fused.get(":, :, :, 2, :").transpose(0, 2, 1, 3); // (B, nh, T, hd)
            if (cache != null) {
                NDArray[] kv = cache.append(layer, k, v, x.getManager());
                k = kv[0]; // (B, nh, L, hd)
                v = kv[1];
            }
            // HF: softmax(alibi + q·kᵀ/√hd, masked with finfo.min) in float32, dropout on the probabilities
            NDArray context = ScaledDotProductAttention.apply(q, k, v, bias, 1.0 / Math.sqrt(headDim), attentionDropout,
                    probe); // (B, nh, T, hd)
            return dense.forward(ScaledDotProductAttention.mergeHeads(context)); // (B, T, C)
        }
    }

    /** Feed-forward: dense_h_to_4h, tanh-approximated GELU, dense_4h_to_h. */
    static final class Mlp extends Module {
        private final Linear denseHTo4h;
        private final Linear dense4hToH;

        Mlp(BloomConfig c) {
            this.denseHTo4h = addChild("dense_h_to_4h", new Linear(c.hiddenSize(), 4L * c.hiddenSize(), true));
            this.dense4hToH = addChild("dense_4h_to_h", new Linear(4L * c.hiddenSize(), c.hiddenSize(), true));
        }

        NDArray forward(NDArray x) {
            return dense4hToH.forward(geluTanh(denseHTo4h.forward(x)));
        }

        /** HF bloom_gelu_forward: 0.5·x·(1 + tanh(0.79788456·x·(1 + 0.044715·x²))); out of place, so autograd can run. */
        static NDArray geluTanh(NDArray x) {
            NDArray inner = Scalars.mul(Scalars.add(Scalars.mul(x.square(), 0.044715f), 1f).mul(x), 0.79788456f);
            return Scalars.mul(Scalars.add(inner.tanh(), 1f).mul(x), 0.5f);
        }
    }

    /** Pre-LN transformer block; HF's {@code dropout_add} puts hidden dropout on each branch before its residual. */
    static final class Block extends Module {
        private final LayerNorm inputLayernorm;
        private final Attention selfAttention;
        private final LayerNorm postAttentionLayernorm;
        private final Mlp mlp;
        private final Dropout hiddenDropout;
        private final boolean residualFromNorm;

        Block(BloomConfig c) {
            this.inputLayernorm = addChild("input_layernorm", new LayerNorm(c.hiddenSize(), c.layerNormEpsilon()));
            this.selfAttention = addChild("self_attention", new Attention(c));
            this.postAttentionLayernorm = addChild("post_attention_layernorm", new LayerNorm(c.hiddenSize(), c.layerNormEpsilon()));
            this.mlp = addChild("mlp", new Mlp(c));
            this.hiddenDropout = addChild("hidden_dropout", new Dropout(c.hiddenDropout()));
            this.residualFromNorm = c.applyResidualConnectionPostLayernorm();
        }

        NDArray forward(NDArray x, NDArray bias, KvCache cache, int layer, ScaledDotProductAttention.Probe probe) {
            NDArray ln1 = inputLayernorm.forward(x);
            NDArray attn = hiddenDropout.forward(selfAttention.forward(ln1, bias, cache, layer, probe));
            x = attn.add(residualFromNorm ? ln1 : x);
            NDArray ln2 = postAttentionLayernorm.forward(x);
            return hiddenDropout.forward(mlp.forward(ln2)).add(residualFromNorm ? ln2 : x);
        }
    }

    private final BloomConfig config;
    private final Embedding wordEmbeddings;
    private final LayerNorm wordEmbeddingsLayernorm;
    private final ModuleList<Block> h;
    private final LayerNorm lnF;
    private final Linear lmHead; // only when the config unties it; BLOOM ties it to word_embeddings
    private final float[] slopes;

    /** An unloaded model; call {@link #load} or {@link #initialize} before use. */
    public Bloom(BloomConfig config) {
        this.config = config;
        this.wordEmbeddings = addChild("word_embeddings", new Embedding(config.vocabSize(), config.hiddenSize()));
        this.wordEmbeddingsLayernorm = addChild("word_embeddings_layernorm", new LayerNorm(config.hiddenSize(), config.layerNormEpsilon()));
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < config.nLayer(); i++) {
            blocks.add(new Block(config));
        }
        this.h = addChild("h", new ModuleList<>(blocks));
        this.lnF = addChild("ln_f", new LayerNorm(config.hiddenSize(), config.layerNormEpsilon()));
        this.lmHead = config.tieWordEmbeddings() ? null : addChild("lm_head", new Linear(config.hiddenSize(), config.vocabSize(), false));
        this.slopes = Alibi.slopes(config.nHead());
    }

    /**
     * Builds the model and loads a checkpoint strictly in the compute type {@code dtype} (keys with or without the
     * {@code transformer.} prefix; a stored tied {@code lm_head.weight} is ignored as HF ignores it).
     */
    public static Bloom load(BloomConfig config, StateDict weights, NDManager manager, DataType dtype) {
        Bloom m = new Bloom(config);
        m.load(hfKeys(weights, config.tieWordEmbeddings()), manager, dtype);
        return m;
    }

    /**
     * A view of a BloomForCausalLM checkpoint under this model's keys: strips {@code transformer.} and, when the head
     * is tied, drops a stored {@code lm_head.weight} (HF ignores it too and uses the embedding table).
     */
    public static StateDict hfKeys(StateDict weights, boolean tied) {
        return weights.renamed(k -> {
            String key = k.startsWith("transformer.") ? k.substring("transformer.".length()) : k;
            return tied && key.equals("lm_head.weight") ? null : key;
        });
    }

    /** HF's {@code BloomPreTrainedModel._init_weights}: N(0, 0.02²) matrices and embeddings, zero biases, LayerNorm 1/0. */
    public static InitPolicy initPolicy() {
        return InitPolicy.huggingFace(0.02);
    }

    /** The configuration. */
    public BloomConfig config() {
        return config;
    }

    /** The weights' data type, which is also the compute type (the KV cache uses it too). */
    public DataType dataType() {
        return wordEmbeddings.weight().getDataType();
    }

    /** Token embeddings {@code [B, T, C]} before word_embeddings_layernorm, for building inputs_embeds. */
    public NDArray embed(NDArray inputIds) {
        return wordEmbeddings.forward(inputIds);
    }

    /**
     * What the blocks read: {@code embeds [B, P + T, C]} and {@code mask [B, P + T]}.
     *
     * @param embeds the input embeddings, a visual prefix (if any) before the tokens'
     * @param mask 1 for every prefix position and real token, 0 for padding
     */
    public record Inputs(NDArray embeds, NDArray mask) {}

    /**
     * The one way inputs with a visual prefix are assembled, shared by training and decoding: {@code prefix [B, P, C]}
     * (or null) before the embedded {@code inputIds [B, T]}, the prefix always visible. Positions (ALiBi) then count
     * the prefix first, so a left-padded prompt continues after it exactly as an unpadded one would.
     */
    public Inputs inputs(NDArray prefix, NDArray inputIds, NDArray attentionMask) {
        NDArray embeds = embed(inputIds); // (B, T, C)
        if (prefix == null) {
            return new Inputs(embeds, attentionMask);
        }
        long b = inputIds.getShape().get(0);
        long p = prefix.getShape().get(1);
        NDArray rows = Rows.expandTo(prefix, b, inputIds.getManager()); // (B, P, C)
        NDArray ones = inputIds.getManager().ones(new Shape(b, p), attentionMask.getDataType());
        return new Inputs(rows.concat(embeds, 1), ones.concat(attentionMask, 1));
    }

    /** Full forward without a cache: logits {@code [B, T, vocab]} for ids {@code [B, T]} and mask {@code [B, T]}. */
    public NDArray logits(NDArray inputIds, NDArray attentionMask) {
        return lmHead(forward(embed(inputIds), attentionMask, null, Hooks.NONE));
    }

    /** As {@link #forward(NDArray, NDArray, KvCache, Hooks)} with no hooks. */
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache) {
        return forward(inputsEmbeds, attentionMask, cache, Hooks.NONE);
    }

    /**
     * What other parts attach to the blocks: an operator before each block (the Flamingo fusion puts its gated
     * cross-attention there) and an observer of each block's attention probabilities (attention maps).
     *
     * @param beforeBlock layer index → operator on the hidden state before that block; absent layers pass unchanged
     * @param attention layer index → observer of that layer's probabilities {@code [B, nh, T, L]}
     */
    public record Hooks(Map<Integer, UnaryOperator<NDArray>> beforeBlock, Map<Integer, ScaledDotProductAttention.Probe> attention) {
        public static final Hooks NONE = new Hooks(Map.of(), Map.of());

        public Hooks {
            beforeBlock = Map.copyOf(beforeBlock);
            attention = Map.copyOf(attention);
        }

        /** These hooks plus an observer of every layer's attention. */
        public Hooks observingAttention(Map<Integer, ScaledDotProductAttention.Probe> probes) {
            return new Hooks(beforeBlock, probes);
        }
    }

    /**
     * Runs the blocks on {@code inputsEmbeds [B, T, C]} and returns the final hidden states after ln_f.
     *
     * <p>As in HF, {@code word_embeddings_layernorm} applies to the whole embedded sequence, so a visual prefix passed
     * in here is normalised like the word embeddings and takes ALiBi positions 0..P-1 before the text.
     *
     * @param attentionMask {@code [B, L]}: 1 for real tokens, 0 for (left) padding, covering cached and new tokens
     * @param cache null for a full forward; otherwise T new keys/values are appended to it
     * @param hooks what runs before the blocks and observes their attention
     */
    public NDArray forward(NDArray inputsEmbeds, NDArray attentionMask, KvCache cache, Hooks hooks) {
        NDArray x = wordEmbeddingsLayernorm.forward(inputsEmbeds); // (B, T, C)
        NDArray bias = attentionBias(attentionMask, x.getShape().get(1), x.getDataType());
        for (int i = 0; i < config.nLayer(); i++) {
            UnaryOperator<NDArray> before = hooks.beforeBlock().get(i);
            if (before != null) {
                x = before.apply(x);
            }
            x = h.get(i).forward(x, bias, cache, i, hooks.attention().get(i));
        }
        if (cache != null) {
            cache.advance((int) x.getShape().get(1));
        }
        return lnF.forward(x);
    }

    /** Logits {@code [..., vocab]} from final hidden states; the tied head multiplies by the embedding table. */
    public NDArray lmHead(NDArray hidden) {
        NDArray w = lmHead != null ? lmHead.weight() : wordEmbeddings.weight();
        return ai.djl.nn.core.Linear.linear(hidden, w).singletonOrThrow();
    }

    /**
     * Attaches LoRA adapters (PEFT's {@code LoraConfig}) to every Linear whose last key segment is in
     * {@code targetModules} (PEFT's matching: {@code dense} is {@code self_attention.dense}, not the MLP's
     * {@code dense_h_to_4h}); returns the keys of the adapted layers.
     */
    public List<String> addLora(int r, double alpha, double dropout, Collection<String> targetModules) {
        List<String> adapted = new ArrayList<>();
        namedModules().forEach((path, m) -> {
            String last = path.substring(path.lastIndexOf('.') + 1);
            if (m instanceof Linear l && targetModules.contains(last)) {
                l.addLora(r, alpha, dropout);
                adapted.add(path);
            }
        });
        if (adapted.isEmpty()) {
            throw new IllegalArgumentException("LoRA target_modules " + targetModules + " match no Linear layer of BLOOM");
        }
        return adapted;
    }

    /** Folds every LoRA adapter into its base weight (see {@link Linear#mergeLora}). */
    public void mergeLora() {
        namedModules().values().forEach(m -> {
            if (m instanceof Linear l && l.hasLora()) {
                l.mergeLora();
            }
        });
    }

    /**
     * ALiBi plus the causal and padding mask, {@code [B, nh, T, L]}, shared by all layers. Query i sits at key index
     * L − T + i; it may see keys up to itself that are not padding. Hidden keys get finfo.min rather than −inf, as in
     * HF, so a fully padded query row (left padding) softmaxes to a uniform average instead of NaN.
     */
    private NDArray attentionBias(NDArray attentionMask, long t, DataType dtype) {
        NDManager m = attentionMask.getManager();
        NDArray mask = attentionMask.toType(DataType.FLOAT32, false); // (B, L)
        long b = mask.getShape().get(0);
        long l = mask.getShape().get(1);
        // like HF: ALiBi in float32 (positions up to 2048 are not exact in bfloat16); the softmax runs in float32 too
        DataType wide = dtype == DataType.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
        NDArray alibi = Alibi.bias(mask, slopes).toType(wide, false); // (B, nh, 1, L)
        NDArray keyIndex = m.arange(0, (int) l).reshape(1, 1, 1, l);
        NDArray queryIndex = m.arange((int) (l - t), (int) l).reshape(1, 1, t, 1);
        NDArray visible = keyIndex.lte(queryIndex).logicalAnd(mask.reshape(b, 1, 1, l).gt(0)); // (B, 1, T, L)
        // alibi + finfo.min rounds to exactly finfo.min, so adding gives what HF's masked_fill gives
        NDArray hidden = visible.logicalNot().toType(wide, false).mul(-Float.MAX_VALUE); // (B, 1, T, L)
        return hidden.add(alibi); // (B, nh, T, L)
    }

    /** The last position of hidden states {@code [B, T, C]}, as {@code [B, C]}: all the generator needs logits for. */
    public static NDArray lastPosition(NDArray hidden) {
        return hidden.get(new NDIndex(":, -1, :"));
    }
}
