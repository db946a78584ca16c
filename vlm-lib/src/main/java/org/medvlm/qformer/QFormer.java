package org.medvlm.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.Activation;
import org.medvlm.layers.ConfigFiles;
import org.medvlm.layers.LayerNorm;
import org.medvlm.layers.Linear;
import org.medvlm.layers.Module;
import org.medvlm.layers.ModuleList;
import org.medvlm.layers.RandomWeights;

/**
 * Hugging Face's {@code Blip2QFormerModel}, all of it in this file: a LayerNorm on the query
 * embeddings, then BERT-style post-LN layers of self-attention over the queries, cross-attention from
 * the queries to the image tokens on every {@code cross_attention_frequency}-th layer (layers 0, 2, 4,
 * ... at the default 2), and the query feed-forward ({@code intermediate_query}, {@code output_query}).
 * Parameter names are the HF keys of a saved {@code Blip2QFormerModel} ({@code layernorm.weight},
 * {@code encoder.layer.0.crossattention.attention.key.weight}); inside {@code Blip2ForConditionalGeneration}
 * they sit under {@code qformer.} (see {@link QFormerProjector}).
 *
 * <p>Shapes with BiomedCLIP and the BLIP-2 defaults: query embeddings [B, 32, 768] and image tokens
 * [B, 197, 768] (so {@code encoder_hidden_size} 768, not HF's EVA default 1408) → [B, 32, 768].
 */
public final class QFormer extends Module implements AutoCloseable {

    /**
     * The architecture, as {@code Blip2QFormerConfig}.
     *
     * @param hiddenSize query width (768)
     * @param numHiddenLayers layers (12)
     * @param numAttentionHeads heads (12)
     * @param intermediateSize feed-forward width (3072)
     * @param encoderHiddenSize image-token width the cross-attention keys and values read (768 for BiomedCLIP)
     * @param crossAttentionFrequency cross-attention on layers whose index is a multiple of this (2)
     * @param layerNormEps LayerNorm epsilon (1e-12, from BERT)
     * @param hiddenAct feed-forward activation ("gelu": exact)
     * @param numQueryTokens learned queries, used by {@link QFormerProjector} (32)
     */
    public record Config(int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize,
            int encoderHiddenSize, int crossAttentionFrequency, double layerNormEps, Activation hiddenAct,
            int numQueryTokens) {

        public Config {
            if (hiddenSize <= 0 || numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0) {
                throw new IllegalArgumentException("hidden_size " + hiddenSize + " must be a positive multiple of num_attention_heads "
                        + numAttentionHeads);
            }
            if (numHiddenLayers < 0 || intermediateSize <= 0 || encoderHiddenSize <= 0 || crossAttentionFrequency <= 0
                    || layerNormEps <= 0 || numQueryTokens <= 0) {
                throw new IllegalArgumentException("Q-Former sizes, cross_attention_frequency and layer_norm_eps must be positive");
            }
        }

        /** True when layer {@code index} has cross-attention, as HF's {@code layer_idx % frequency == 0}. */
        public boolean hasCrossAttention(int index) {
            return index % crossAttentionFrequency == 0;
        }

        /**
         * Reads a {@code Blip2QFormerConfig} JSON ({@code model_type: blip_2_qformer}, or the
         * {@code qformer_config} object of a BLIP-2 config); absent fields take HF's defaults except
         * {@code encoder_hidden_size}, which must be present.
         */
        public static Config fromJson(JsonObject c) {
            if (!c.has("encoder_hidden_size")) {
                throw new IllegalArgumentException("Q-Former config has no encoder_hidden_size (the vision token width)");
            }
            Builder b = builder().setEncoderHiddenSize(c.get("encoder_hidden_size").getAsInt());
            if (c.has("hidden_size")) {
                b.optHiddenSize(c.get("hidden_size").getAsInt());
            }
            if (c.has("num_hidden_layers")) {
                b.optNumHiddenLayers(c.get("num_hidden_layers").getAsInt());
            }
            if (c.has("num_attention_heads")) {
                b.optNumAttentionHeads(c.get("num_attention_heads").getAsInt());
            }
            if (c.has("intermediate_size")) {
                b.optIntermediateSize(c.get("intermediate_size").getAsInt());
            }
            if (c.has("cross_attention_frequency")) {
                b.optCrossAttentionFrequency(c.get("cross_attention_frequency").getAsInt());
            }
            if (c.has("layer_norm_eps")) {
                b.optLayerNormEps(c.get("layer_norm_eps").getAsDouble());
            }
            if (c.has("hidden_act")) {
                b.optHiddenAct(Activation.fromConfig(c.get("hidden_act").getAsString()));
            }
            if (c.has("position_embedding_type") && !"absolute".equals(c.get("position_embedding_type").getAsString())) {
                throw new IllegalArgumentException("position_embedding_type '" + c.get("position_embedding_type").getAsString()
                        + "' is not supported (absolute: the queries carry no positions)");
            }
            if (c.has("use_qformer_text_input") && c.get("use_qformer_text_input").getAsBoolean()) {
                throw new IllegalArgumentException("use_qformer_text_input (InstructBLIP-style text input) is not supported");
            }
            return b.build();
        }
    }

    /** Starts a config: {@code QFormer.builder().setEncoderHiddenSize(768).optNumQueryTokens(32).build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Required settings are {@code set...}; optional ones {@code opt...} default to BLIP-2's values. */
    public static final class Builder {
        private int hiddenSize = 768;
        private int numHiddenLayers = 12;
        private int numAttentionHeads = 12;
        private int intermediateSize = 3072;
        private int encoderHiddenSize = -1;
        private int crossAttentionFrequency = 2;
        private double layerNormEps = 1e-12;
        private Activation hiddenAct = Activation.GELU;
        private int numQueryTokens = 32;

        private Builder() {}

        /** Width of the image tokens (768 for BiomedCLIP's ViT-B/16; HF's default 1408 is EVA ViT-g's). */
        public Builder setEncoderHiddenSize(int width) {
            this.encoderHiddenSize = width;
            return this;
        }

        public Builder optHiddenSize(int v) {
            this.hiddenSize = v;
            return this;
        }

        public Builder optNumHiddenLayers(int v) {
            this.numHiddenLayers = v;
            return this;
        }

        public Builder optNumAttentionHeads(int v) {
            this.numAttentionHeads = v;
            return this;
        }

        public Builder optIntermediateSize(int v) {
            this.intermediateSize = v;
            return this;
        }

        public Builder optCrossAttentionFrequency(int v) {
            this.crossAttentionFrequency = v;
            return this;
        }

        public Builder optLayerNormEps(double v) {
            this.layerNormEps = v;
            return this;
        }

        public Builder optHiddenAct(Activation v) {
            this.hiddenAct = v;
            return this;
        }

        public Builder optNumQueryTokens(int v) {
            this.numQueryTokens = v;
            return this;
        }

        public Config build() {
            if (encoderHiddenSize <= 0) {
                throw new IllegalArgumentException("setEncoderHiddenSize is required: the width of the vision tokens"
                        + " (768 for BiomedCLIP), got " + encoderHiddenSize);
            }
            return new Config(hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, encoderHiddenSize,
                    crossAttentionFrequency, layerNormEps, hiddenAct, numQueryTokens);
        }
    }

    /** {@code attention.{query,key,value}}: key and value read {@code kvWidth}-wide inputs. */
    static final class SelfAttention extends Module {
        final Linear query;
        final Linear key;
        final Linear value;
        final int numHeads;
        final int hidden;

        SelfAttention(Config c, int kvWidth) {
            query = addChild("query", new Linear(c.hiddenSize(), c.hiddenSize(), true));
            key = addChild("key", new Linear(kvWidth, c.hiddenSize(), true));
            value = addChild("value", new Linear(kvWidth, c.hiddenSize(), true));
            numHeads = c.numAttentionHeads();
            hidden = c.hiddenSize();
        }

        NDArray forward(NDArray x, NDArray context) {
            long b = x.getShape().get(0);
            long n = x.getShape().get(1);
            long m = context.getShape().get(1);
            long hd = hidden / numHeads;
            NDArray q = query.forward(x).reshape(b, n, numHeads, hd).transpose(0, 2, 1, 3); // (B, nh, N, hd)
            NDArray k = key.forward(context).reshape(b, m, numHeads, hd).transpose(0, 2, 3, 1); // (B, nh, hd, M)
            NDArray v = value.forward(context).reshape(b, m, numHeads, hd).transpose(0, 2, 1, 3); // (B, nh, M, hd)
            NDArray probs = q.matMul(k).div((float) Math.sqrt(hd)).softmax(-1); // (B, nh, N, M)
            return probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, n, hidden); // (B, N, H)
        }
    }

    /** BERT's post-LN residual: {@code LayerNorm(dense(x) + input)}. */
    static final class Output extends Module {
        final Linear dense;
        final LayerNorm layerNorm;

        Output(Config c, long inWidth) {
            dense = addChild("dense", new Linear(inWidth, c.hiddenSize(), true));
            layerNorm = addChild("LayerNorm", new LayerNorm(c.hiddenSize(), c.layerNormEps()));
        }

        NDArray forward(NDArray x, NDArray input) {
            return layerNorm.forward(dense.forward(x).add(input));
        }
    }

    /** {@code attention} or {@code crossattention}: {@code attention.*} then {@code output.*}. */
    static final class Attention extends Module {
        final SelfAttention attention;
        final Output output;

        Attention(Config c, int kvWidth) {
            attention = addChild("attention", new SelfAttention(c, kvWidth));
            output = addChild("output", new Output(c, c.hiddenSize()));
        }

        NDArray forward(NDArray x, NDArray context) {
            return output.forward(attention.forward(x, context), x);
        }
    }

    /** BERT's {@code intermediate}: a {@code dense} Linear hidden → intermediate (the activation is applied by the layer). */
    static final class Intermediate extends Module {
        final Linear dense;

        Intermediate(Config c) {
            dense = addChild("dense", new Linear(c.hiddenSize(), c.intermediateSize(), true));
        }
    }

    /** One layer: self-attention, cross-attention where present, query feed-forward. */
    static final class Layer extends Module {
        final Attention attention;
        final Attention crossattention; // null on layers without cross-attention
        final Linear intermediateQuery;
        final Activation act;
        final Output outputQuery;

        Layer(Config c, int index) {
            attention = addChild("attention", new Attention(c, c.hiddenSize()));
            crossattention = c.hasCrossAttention(index) ? addChild("crossattention", new Attention(c, c.encoderHiddenSize())) : null;
            // HF nests the query FFN's Linear one level down: intermediate_query.dense.weight
            intermediateQuery = addChild("intermediate_query", new Intermediate(c)).dense;
            act = c.hiddenAct();
            outputQuery = addChild("output_query", new Output(c, c.intermediateSize()));
        }

        NDArray forward(NDArray x, NDArray image) {
            NDArray h = attention.forward(x, x);
            if (crossattention != null) {
                h = crossattention.forward(h, image);
            }
            return outputQuery.forward(act.apply(intermediateQuery.forward(h)), h);
        }
    }

    /** BERT's {@code encoder}, which only holds the {@code layer} list. */
    static final class Encoder extends Module {
        final ModuleList<Layer> layer;

        Encoder(Config c) {
            layer = addChild("layer", new ModuleList<>(IntStream.range(0, c.numHiddenLayers()).mapToObj(i -> new Layer(c, i)).toList()));
        }
    }

    private final Config config;
    private final LayerNorm layernorm;
    private final ModuleList<Layer> layer;

    /** An unloaded Q-Former under HF's {@code Blip2QFormerModel} keys ({@code layernorm.*}, {@code encoder.layer.N.*}). */
    public QFormer(Config c) {
        this.config = c;
        layernorm = addChild("layernorm", new LayerNorm(c.hiddenSize(), c.layerNormEps()));
        layer = addChild("encoder", new Encoder(c)).layer;
    }

    /** A Q-Former with random weights ({@link RandomWeights}), owned by a sub-manager of {@code parent}. */
    public static QFormer random(Config config, NDManager parent, long seed) {
        QFormer q = new QFormer(config);
        q.randomOwned(parent, seed);
        return q;
    }

    /**
     * A Q-Former with the weights of a saved {@code Blip2QFormerModel} (keys {@code layernorm.*},
     * {@code encoder.layer.N.*}) as float32, owned by a sub-manager of {@code parent}; for a whole BLIP-2
     * checkpoint use {@link QFormerProjector#load}.
     */
    public static QFormer load(Config config, StateDict weights, NDManager parent) {
        QFormer q = new QFormer(config);
        q.loadOwned(weights, parent);
        return q;
    }

    /**
     * The Q-Former in a folder: {@code config.json} ({@code model_type: blip_2_qformer}) and its
     * safetensors, as {@code Blip2QFormerModel.save_pretrained} writes them.
     */
    public static QFormer fromDirectory(Path dir, NDManager parent) throws IOException {
        JsonObject json = ConfigFiles.readObject(dir.resolve("config.json"));
        try (StateDict weights = StateDict.open(dir)) {
            return load(Config.fromJson(json), weights, parent);
        }
    }

    public Config config() {
        return config;
    }

    /**
     * {@code last_hidden_state}: query embeddings [B, Q, hidden] attend to each other and to the image
     * tokens [B, N, encoder_hidden_size] → [B, Q, hidden].
     */
    public NDArray forward(NDArray queryEmbeds, NDArray imageTokens) {
        Shape q = queryEmbeds.getShape();
        Shape e = imageTokens.getShape();
        if (q.dimension() != 3 || q.get(2) != config.hiddenSize()) {
            throw new IllegalArgumentException("query_embeds of shape " + q + " do not fit: expected [B, Q, " + config.hiddenSize() + "]");
        }
        if (e.dimension() != 3 || e.get(2) != config.encoderHiddenSize() || e.get(0) != q.get(0)) {
            throw new IllegalArgumentException("encoder_hidden_states of shape " + e + " do not fit: expected [" + q.get(0)
                    + ", N, " + config.encoderHiddenSize() + "]");
        }
        NDArray x = layernorm.forward(queryEmbeds);
        for (int i = 0; i < layer.size(); i++) {
            x = layer.get(i).forward(x, imageTokens);
        }
        return x;
    }
}
