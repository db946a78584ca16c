package org.medvlm.bloom;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

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
 */
public record BloomConfig(int vocabSize, int hiddenSize, int nLayer, int nHead, double layerNormEpsilon,
                          boolean applyResidualConnectionPostLayernorm, boolean tieWordEmbeddings,
                          int bosTokenId, int eosTokenId, int padTokenId) {

    /** Validates the head split. */
    public BloomConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || nLayer <= 0 || nHead <= 0) {
            throw new IllegalArgumentException("BloomConfig: sizes must be positive, got vocab_size=" + vocabSize
                    + " hidden_size=" + hiddenSize + " n_layer=" + nLayer + " n_head=" + nHead);
        }
        if (hiddenSize % nHead != 0) {
            throw new IllegalArgumentException("BloomConfig: hidden_size " + hiddenSize + " is not divisible by n_head " + nHead);
        }
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

    /** bigscience/bloomz-3b: 2560 wide, 30 layers, 32 heads. */
    public static BloomConfig bloomz3b() {
        return new BloomConfig(250880, 2560, 30, 32, 1e-5, false, true, 1, 2, 3);
    }

    /** bigscience/bloomz-7b1: 4096 wide, 30 layers, 32 heads. */
    public static BloomConfig bloomz7b1() {
        return new BloomConfig(250880, 4096, 30, 32, 1e-5, false, true, 1, 2, 3);
    }

    /** A copy with another depth (e.g. a 2-layer model for tests). */
    public BloomConfig withNLayer(int n) {
        return new BloomConfig(vocabSize, hiddenSize, n, nHead, layerNormEpsilon, applyResidualConnectionPostLayernorm,
                tieWordEmbeddings, bosTokenId, eosTokenId, padTokenId);
    }

    /** A copy with another width and head count. */
    public BloomConfig withHidden(int hidden, int heads) {
        return new BloomConfig(vocabSize, hidden, nLayer, heads, layerNormEpsilon, applyResidualConnectionPostLayernorm,
                tieWordEmbeddings, bosTokenId, eosTokenId, padTokenId);
    }

    /** A copy with another vocabulary size. */
    public BloomConfig withVocabSize(int vocab) {
        return new BloomConfig(vocab, hiddenSize, nLayer, nHead, layerNormEpsilon, applyResidualConnectionPostLayernorm,
                tieWordEmbeddings, bosTokenId, eosTokenId, padTokenId);
    }

    /** The token used to left-pad prompts: pad if set, else eos (HF's fallback). */
    public int paddingId() {
        return padTokenId >= 0 ? padTokenId : eosTokenId;
    }

    /**
     * Parses a HF {@code config.json}. Accepts the older field names ({@code n_embed}, {@code num_hidden_layers},
     * {@code num_attention_heads}) that some BLOOM configs use; defaults follow transformers' {@code BloomConfig}.
     */
    public static BloomConfig fromJson(String json) {
        JsonObject o;
        try {
            o = JsonParser.parseString(json).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("BLOOM config.json is not a JSON object: " + e.getMessage(), e);
        }
        String type = str(o, "model_type", "bloom");
        if (!"bloom".equals(type)) {
            throw new IllegalArgumentException("config.json has model_type '" + type + "', expected 'bloom'");
        }
        return new BloomConfig(
                integer(o, 250880, "vocab_size"),
                integer(o, 64, "hidden_size", "n_embed"),
                integer(o, 2, "n_layer", "num_hidden_layers"),
                integer(o, 8, "n_head", "num_attention_heads"),
                o.has("layer_norm_epsilon") ? o.get("layer_norm_epsilon").getAsDouble() : 1e-5,
                bool(o, "apply_residual_connection_post_layernorm", false),
                bool(o, "tie_word_embeddings", true),
                integer(o, 1, "bos_token_id"),
                integer(o, 2, "eos_token_id"),
                integer(o, -1, "pad_token_id"));
    }

    private static int integer(JsonObject o, int dflt, String... names) {
        for (String n : names) {
            JsonElement e = o.get(n);
            if (e != null && !e.isJsonNull()) {
                if (e.isJsonArray()) {
                    return e.getAsJsonArray().get(0).getAsInt();
                }
                return e.getAsInt();
            }
        }
        return dflt;
    }

    private static boolean bool(JsonObject o, String name, boolean dflt) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? dflt : e.getAsBoolean();
    }

    private static String str(JsonObject o, String name, String dflt) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonNull() ? dflt : e.getAsString();
    }
}
