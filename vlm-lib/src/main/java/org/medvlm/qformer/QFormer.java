package org.medvlm.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import java.util.stream.IntStream;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.Activation;
import org.medvlm.layers.ConfigReader;
import org.medvlm.layers.Dropout;
import org.medvlm.layers.InitPolicy;
import org.medvlm.layers.LayerNorm;
import org.medvlm.layers.Linear;
import org.medvlm.layers.Module;
import org.medvlm.layers.ModuleList;
import org.medvlm.layers.ScaledDotProductAttention;

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
public final class QFormer extends Module {

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
     * @param hiddenDropoutProb dropout after the query embedding LayerNorm and before each residual LayerNorm (0.1)
     * @param attentionProbsDropoutProb dropout on the attention probabilities (0.1)
     */
    public record Config(int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize,
            int encoderHiddenSize, int crossAttentionFrequency, double layerNormEps, Activation hiddenAct,
            int numQueryTokens, double hiddenDropoutProb, double attentionProbsDropoutProb) {

        public Config {
            if (hiddenSize <= 0 || numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0) {
                throw new IllegalArgumentException("hidden_size " + hiddenSize + " must be a positive multiple of num_attention_heads "
                        + numAttentionHeads);
            }
            if (numHiddenLayers < 0 || intermediateSize <= 0 || encoderHiddenSize <= 0 || crossAttentionFrequency <= 0
                    || layerNormEps <= 0 || numQueryTokens <= 0) {
                throw new IllegalArgumentException("Q-Former sizes, cross_attention_frequency and layer_norm_eps must be positive");
            }
            if (!(hiddenDropoutProb >= 0 && hiddenDropoutProb < 1 && attentionProbsDropoutProb >= 0 && attentionProbsDropoutProb < 1)) {
                throw new IllegalArgumentException("Q-Former dropout probabilities must be in [0, 1)");
            }
        }

        /** True when layer {@code index} has cross-attention, as HF's {@code layer_idx % frequency == 0}. */
        public boolean hasCrossAttention(int index) {
            return index % crossAttentionFrequency == 0;
        }

        /** A copy with another number of query tokens (the composite's {@code num_query_tokens}). */
        public Config withNumQueryTokens(int n) {
            return new Config(hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, encoderHiddenSize,
                    crossAttentionFrequency, layerNormEps, hiddenAct, n, hiddenDropoutProb, attentionProbsDropoutProb);
        }

        /** A copy reading image tokens of another width. */
        public Config withEncoderHiddenSize(int width) {
            return new Config(hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, width,
                    crossAttentionFrequency, layerNormEps, hiddenAct, numQueryTokens, hiddenDropoutProb, attentionProbsDropoutProb);
        }

        /**
         * Reads a {@code Blip2QFormerConfig} ({@code model_type: blip_2_qformer}, or the {@code qformer_config} object
         * of a BLIP-2 config); absent fields take HF's defaults, and {@code encoder_hidden_size} is {@code visionWidth}
         * when absent (as {@code Blip2Config} sets it from the vision tower), or required when that is 0.
         */
        public static Config fromJson(ConfigReader c, int visionWidth) {
            Builder b = builder();
            int encoder = visionWidth > 0 ? c.integer("encoder_hidden_size", visionWidth, 1, ConfigReader.MAX_WIDTH)
                    : c.requiredInteger("encoder_hidden_size", 1, ConfigReader.MAX_WIDTH);
            b.setEncoderHiddenSize(encoder)
                    .optHiddenSize(c.integer("hidden_size", b.hiddenSize, 1, ConfigReader.MAX_WIDTH))
                    .optNumHiddenLayers(c.integer("num_hidden_layers", b.numHiddenLayers, 0, ConfigReader.MAX_LAYERS))
                    .optNumAttentionHeads(c.integer("num_attention_heads", b.numAttentionHeads, 1, 4096))
                    .optIntermediateSize(c.integer("intermediate_size", b.intermediateSize, 1, 8 * ConfigReader.MAX_WIDTH))
                    .optCrossAttentionFrequency(c.integer("cross_attention_frequency", b.crossAttentionFrequency, 1, ConfigReader.MAX_LAYERS))
                    .optLayerNormEps(c.number("layer_norm_eps", b.layerNormEps, 0, 1))
                    .optHiddenAct(Activation.fromConfig(c.string("hidden_act", "gelu")))
                    .optDropout(c.number("hidden_dropout_prob", b.hiddenDropoutProb, 0, 0.999),
                            c.number("attention_probs_dropout_prob", b.attentionProbsDropoutProb, 0, 0.999));
            String position = c.string("position_embedding_type", "absolute");
            c.require(position.equals("absolute"), "position_embedding_type '" + position
                    + "' is not supported (absolute: the queries carry no positions)");
            c.require(!c.bool("use_qformer_text_input", false), "use_qformer_text_input (InstructBLIP-style text input) is not supported");
            return c.build(b::build);
        }

        /** As {@link #fromJson(ConfigReader, int)} with {@code encoder_hidden_size} required. */
        public static Config fromJson(ConfigReader c) {
            return fromJson(c, 0);
        }

        /** The config as HF writes {@code Blip2QFormerConfig}. */
        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("model_type", "blip_2_qformer");
            o.addProperty("hidden_size", hiddenSize);
            o.addProperty("num_hidden_layers", numHiddenLayers);
            o.addProperty("num_attention_heads", numAttentionHeads);
            o.addProperty("intermediate_size", intermediateSize);
            o.addProperty("encoder_hidden_size", encoderHiddenSize);
            o.addProperty("cross_attention_frequency", crossAttentionFrequency);
            o.addProperty("layer_norm_eps", layerNormEps);
            o.addProperty("hidden_act", hiddenAct.configName());
            o.addProperty("hidden_dropout_prob", hiddenDropoutProb);
            o.addProperty("attention_probs_dropout_prob", attentionProbsDropoutProb);
            return o;
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
        private double hiddenDropoutProb = 0.1;
        private double attentionProbsDropoutProb = 0.1;

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

        /** Hidden-state and attention-probability dropout (BERT's 0.1 and 0.1). */
        public Builder optDropout(double hidden, double attention) {
            this.hiddenDropoutProb = hidden;
            this.attentionProbsDropoutProb = attention;
            return this;
        }

        public Config build() {
            if (encoderHiddenSize <= 0) {
                throw new IllegalArgumentException("setEncoderHiddenSize is required: the width of the vision tokens"
                        + " (768 for BiomedCLIP), got " + encoderHiddenSize);
            }
            return new Config(hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize, encoderHiddenSize,
                    crossAttentionFrequency, layerNormEps, hiddenAct, numQueryTokens, hiddenDropoutProb,
                    attentionProbsDropoutProb);
        }
    }

    /** {@code attention.{query,key,value}}: key and value read {@code kvWidth}-wide inputs. */
    static final class SelfAttention extends Module {
        final Linear query;
        final Linear key;
        final Linear value;
        final Dropout dropout;
        final int numHeads;
        ScaledDotProductAttention.Probe probe; // set while an attention map is being recorded

        SelfAttention(Config c, int kvWidth) {
            query = addChild("query", new Linear(c.hiddenSize(), c.hiddenSize(), true));
            key = addChild("key", new Linear(kvWidth, c.hiddenSize(), true));
            value = addChild("value", new Linear(kvWidth, c.hiddenSize(), true));
            dropout = addChild("dropout", new Dropout(c.attentionProbsDropoutProb()));
            numHeads = c.numAttentionHeads();
        }

        NDArray forward(NDArray x, NDArray context) {
            NDArray q = ScaledDotProductAttention.splitHeads(query.forward(x), numHeads); // (B, nh, N, hd)
            NDArray k = ScaledDotProductAttention.splitHeads(key.forward(context), numHeads); // (B, nh, M, hd)
            NDArray v = ScaledDotProductAttention.splitHeads(value.forward(context), numHeads); // (B, nh, M, hd)
            double scale = 1.0 / Math.sqrt(q.getShape().get(3));
            return ScaledDotProductAttention.mergeHeads(ScaledDotProductAttention.apply(q, k, v, null, scale, dropout, probe));
        }
    }

    /** BERT's post-LN residual: {@code LayerNorm(dropout(dense(x)) + input)}. */
    static final class Output extends Module {
        final Linear dense;
        final LayerNorm layerNorm;
        final Dropout dropout;

        Output(Config c, long inWidth) {
            dense = addChild("dense", new Linear(inWidth, c.hiddenSize(), true));
            layerNorm = addChild("LayerNorm", new LayerNorm(c.hiddenSize(), c.layerNormEps()));
            dropout = addChild("dropout", new Dropout(c.hiddenDropoutProb()));
        }

        NDArray forward(NDArray x, NDArray input) {
            return layerNorm.forward(dropout.forward(dense.forward(x)).add(input));
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
    private final Dropout dropout;
    private final ModuleList<Layer> layer;

    /** An unloaded Q-Former under HF's {@code Blip2QFormerModel} keys ({@code layernorm.*}, {@code encoder.layer.N.*}). */
    public QFormer(Config c) {
        this.config = c;
        layernorm = addChild("layernorm", new LayerNorm(c.hiddenSize(), c.layerNormEps()));
        dropout = addChild("dropout", new Dropout(c.hiddenDropoutProb()));
        layer = addChild("encoder", new Encoder(c)).layer;
    }

    /**
     * A Q-Former with the weights of a saved {@code Blip2QFormerModel} (keys {@code layernorm.*},
     * {@code encoder.layer.N.*}) in the compute type {@code dtype}, as arrays of {@code manager}; for a whole BLIP-2
     * checkpoint use {@link QFormerProjector}.
     */
    public static QFormer load(Config config, StateDict weights, NDManager manager, DataType dtype) {
        QFormer q = new QFormer(config);
        q.load(weights, manager, dtype);
        return q;
    }

    /**
     * The Q-Former in a folder: {@code config.json} ({@code model_type: blip_2_qformer}) and its
     * safetensors, as {@code Blip2QFormerModel.save_pretrained} writes them (float32 arrays of {@code manager}).
     */
    public static QFormer fromDirectory(Path dir, NDManager manager) throws IOException {
        Config config = Config.fromJson(ConfigReader.read(dir.resolve("config.json")));
        try (StateDict weights = StateDict.open(dir)) {
            return load(config, weights, manager, DataType.FLOAT32);
        }
    }

    /** HF's {@code Blip2PreTrainedModel._init_weights}: N(0, 0.02²) weights, zero biases, LayerNorm 1/0. */
    public static InitPolicy initPolicy() {
        return InitPolicy.huggingFace(0.02);
    }

    public Config config() {
        return config;
    }

    /**
     * Records the cross-attention probabilities {@code [B, nh, Q, N]} of every layer that has cross-attention with
     * {@code probe} (layer index, probs) until called with null; for attention maps.
     */
    public void observeCrossAttention(BiConsumer<Integer, NDArray> probe) {
        for (int i = 0; i < layer.size(); i++) {
            Layer l = layer.get(i);
            if (l.crossattention != null) {
                int index = i;
                l.crossattention.attention.probe = probe == null ? null : probs -> probe.accept(index, probs);
            }
        }
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
        NDArray x = dropout.forward(layernorm.forward(queryEmbeds));
        for (int i = 0; i < layer.size(); i++) {
            x = layer.get(i).forward(x, imageTokens);
        }
        return x;
    }
}
