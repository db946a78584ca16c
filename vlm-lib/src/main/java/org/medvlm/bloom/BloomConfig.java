package org.medvlm.bloom;

import com.google.gson.JsonObject;
import org.medvlm.layers.ConfigReader;

/**
 * BLOOM hyper-parameters, read from a Hugging Face {@code config.json} ({@code model_type: bloom}).
 *
 * @param vocabSize embedding rows; 250880 for BLOOMZ (the 250,680-token vocabulary padded for efficiency)
 * @param hiddenSize model width (1024 for bloomz-560m, 4096 for bloomz-7b1)
 * @param nLayer number of blocks {@code h.0 ... h.(n-1)}
 * @param nHead attention heads; head_dim = hiddenSize / nHead; any count works for ALiBi (not only powers of two)
 * @param layerNormEpsilon 1e-5 for every public BLOOM; used by all LayerNorms including word_embeddings_layernorm
 * @param applyResidualConnectionPostLayernorm false for every public BLOOM: the residual is the block input
 * @param tieWordEmbeddings true for BLOOM: {@code lm_head} is the embedding table, not stored in Hub files
 * @param bosTokenId 1 for BLOOM
 * @param eosTokenId 2 for BLOOM; generation stops on it by default
 * @param padTokenId 3 for BLOOM; -1 when the config has none (then eos is used for padding, as HF does)
 * @param hiddenDropout HF {@code hidden_dropout}: dropout on each block's attention and MLP outputs (0.0 in BLOOM)
 * @param attentionDropout HF {@code attention_dropout}: dropout on the attention probabilities (0.0 in BLOOM)
 */
public record BloomConfig(int vocabSize, int hiddenSize, int nLayer, int nHead, double layerNormEpsilon,
                          boolean applyResidualConnectionPostLayernorm, boolean tieWordEmbeddings,
                          int bosTokenId, int eosTokenId, int padTokenId, double hiddenDropout, double attentionDropout) {

    /** Validates the sizes and the head split. */
    public BloomConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || nLayer <= 0 || nHead <= 0) {
            throw new IllegalArgumentException("BloomConfig: sizes must be positive, got vocab_size=" + vocabSize
                    + " hidden_size=" + hiddenSize + " n_layer=" + nLayer + " n_head=" + nHead);
        }
        if (hiddenSize % nHead != 0) {
            throw new IllegalArgumentException("BloomConfig: hidden_size " + hiddenSize + " is not divisible by n_head " + nHead);
        }
        if (!(hiddenDropout >= 0 && hiddenDropout < 1 && attentionDropout >= 0 && attentionDropout < 1)) {
            throw new IllegalArgumentException("BloomConfig: dropout probabilities must be in [0, 1)");
        }
    }

    /** A config without dropout (BLOOM's published configs have none). */
    public BloomConfig(int vocabSize, int hiddenSize, int nLayer, int nHead, double layerNormEpsilon,
            boolean applyResidualConnectionPostLayernorm, boolean tieWordEmbeddings, int bosTokenId, int eosTokenId,
            int padTokenId) {
        this(vocabSize, hiddenSize, nLayer, nHead, layerNormEpsilon, applyResidualConnectionPostLayernorm,
                tieWordEmbeddings, bosTokenId, eosTokenId, padTokenId, 0, 0);
    }

    /** Width of one head. */
    public int headDim() {
        return hiddenSize / nHead;
    }

    /** bigscience/bloomz-560m: 1024 wide, 24 layers, 16 heads. */
    public static BloomConfig bloomz560m() {
        return new BloomConfig(250880, 1024, 24, 16, 1e-5, false, true, 1, 2, 3);
    }

    /** bigscience/bloomz-1b1: 1536 wide, 24 layers, 16 heads. */
    public static BloomConfig bloomz1b1() {
        return new BloomConfig(250880, 1536, 24, 16, 1e-5, false, true, 1, 2, 3);
    }

    /** bigscience/bloomz-1b7: 2048 wide, 24 layers, 16 heads. */
    public static BloomConfig bloomz1b7() {
        return new BloomConfig(250880, 2048, 24, 16, 1e-5, false, true, 1, 2, 3);
    }

    /** bigscience/bloomz-3b: 2560 wide, 30 layers, 32 heads. */
    public static BloomConfig bloomz3b() {
        return new BloomConfig(250880, 2560, 30, 32, 1e-5, false, true, 1, 2, 3);
    }

    /** bigscience/bloomz-7b1: 4096 wide, 30 layers, 32 heads (RadBloomZ-7B's shape). */
    public static BloomConfig bloomz7b1() {
        return new BloomConfig(250880, 4096, 30, 32, 1e-5, false, true, 1, 2, 3);
    }

    /** A copy with another depth (e.g. a 2-layer model for tests). */
    public BloomConfig withNLayer(int n) {
        return new BloomConfig(vocabSize, hiddenSize, n, nHead, layerNormEpsilon, applyResidualConnectionPostLayernorm,
                tieWordEmbeddings, bosTokenId, eosTokenId, padTokenId, hiddenDropout, attentionDropout);
    }

    /** A copy with another width and head count. */
    public BloomConfig withHidden(int hidden, int heads) {
        return new BloomConfig(vocabSize, hidden, nLayer, heads, layerNormEpsilon, applyResidualConnectionPostLayernorm,
                tieWordEmbeddings, bosTokenId, eosTokenId, padTokenId, hiddenDropout, attentionDropout);
    }

    /** A copy with another vocabulary size. */
    public BloomConfig withVocabSize(int vocab) {
        return new BloomConfig(vocab, hiddenSize, nLayer, nHead, layerNormEpsilon, applyResidualConnectionPostLayernorm,
                tieWordEmbeddings, bosTokenId, eosTokenId, padTokenId, hiddenDropout, attentionDropout);
    }

    /** A copy with other dropout probabilities. */
    public BloomConfig withDropout(double hidden, double attention) {
        return new BloomConfig(vocabSize, hiddenSize, nLayer, nHead, layerNormEpsilon, applyResidualConnectionPostLayernorm,
                tieWordEmbeddings, bosTokenId, eosTokenId, padTokenId, hidden, attention);
    }

    /** The token used to left-pad prompts: pad if set, else eos (HF's fallback). */
    public int paddingId() {
        return padTokenId >= 0 ? padTokenId : eosTokenId;
    }

    /**
     * Reads a HF {@code config.json}. Accepts the older field names ({@code n_embed}, {@code num_hidden_layers},
     * {@code num_attention_heads}) that some BLOOM configs use; defaults follow transformers' {@code BloomConfig}.
     */
    public static BloomConfig fromJson(ConfigReader c) {
        String type = c.string("model_type", "bloom");
        c.require("bloom".equals(type), "model_type is '" + type + "', expected 'bloom'");
        int hidden = c.integer("hidden_size", 64, 1, ConfigReader.MAX_WIDTH, "n_embed");
        int heads = c.integer("n_head", 8, 1, hidden, "num_attention_heads");
        c.require(hidden % heads == 0, "hidden_size " + hidden + " is not divisible by n_head " + heads);
        return c.build(() -> new BloomConfig(
                c.integer("vocab_size", 250880, 1, ConfigReader.MAX_VOCAB),
                hidden,
                c.integer("n_layer", 2, 1, ConfigReader.MAX_LAYERS, "num_hidden_layers"),
                heads,
                c.number("layer_norm_epsilon", 1e-5, 0, 1),
                c.bool("apply_residual_connection_post_layernorm", false),
                c.bool("tie_word_embeddings", true),
                c.integer("bos_token_id", 1, -1, Integer.MAX_VALUE),
                c.integer("eos_token_id", 2, -1, Integer.MAX_VALUE),
                c.integer("pad_token_id", -1, -1, Integer.MAX_VALUE),
                c.number("hidden_dropout", 0, 0, 0.999),
                c.number("attention_dropout", 0, 0, 0.999)));
    }

    /** The config as HF's {@code config.json} writes it. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", "bloom");
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("n_layer", nLayer);
        o.addProperty("n_head", nHead);
        o.addProperty("layer_norm_epsilon", layerNormEpsilon);
        o.addProperty("apply_residual_connection_post_layernorm", applyResidualConnectionPostLayernorm);
        o.addProperty("tie_word_embeddings", tieWordEmbeddings);
        o.addProperty("bos_token_id", bosTokenId);
        o.addProperty("eos_token_id", eosTokenId);
        if (padTokenId >= 0) {
            o.addProperty("pad_token_id", padTokenId);
        }
        o.addProperty("hidden_dropout", hiddenDropout);
        o.addProperty("attention_dropout", attentionDropout);
        return o;
    }
}
