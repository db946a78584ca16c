package org.medvlm.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.Activation;
import org.medvlm.layers.ConfigReader;
import org.medvlm.layers.Conv2d;
import org.medvlm.layers.Dropout;
import org.medvlm.layers.InitPolicy;
import org.medvlm.layers.LayerNorm;
import org.medvlm.layers.Linear;
import org.medvlm.layers.Module;
import org.medvlm.layers.ModuleList;
import org.medvlm.layers.Parameter;
import org.medvlm.layers.Rows;
import org.medvlm.layers.ScaledDotProductAttention;

/**
 * timm's {@code VisionTransformer}, all of it in this file: patch embedding (a stride-p convolution, optionally after
 * a small convolutional stem as in timm's hybrid models), class token, learned position embeddings over class token +
 * patches, pre-norm blocks of fused-qkv attention and an exact-GELU MLP, then the final LayerNorm. Parameter names are
 * timm's state-dict keys ({@code patch_embed.proj.weight}, {@code blocks.3.attn.qkv.weight}, {@code norm.bias}); load
 * BiomedCLIP's open_clip files through {@link BiomedClipKeys#toTimm}.
 *
 * <p>Build it unloaded with {@code new VisionTransformer(config)} and {@link #load} or {@link #initialize} it, or use
 * the static {@link #load(Config, StateDict, NDManager, DataType)} and {@link #fromDirectory}; the arrays belong to the
 * manager passed in.
 *
 * <p>Shapes for ViT-B/16 at 224: pixels [B, 3, 224, 224] → {@link #forwardFeatures} [B, 197, 768]
 * (class token first, then 14×14 patches) → {@link #pool} [B, 768].
 */
public final class VisionTransformer extends Module {

    /** How {@link #pool} reduces the tokens, as timm's {@code global_pool}. */
    public enum GlobalPool {
        /** The class token (timm's default, and BiomedCLIP's). */
        TOKEN,
        /** The mean of the patch tokens, through {@code fc_norm} instead of {@code norm}. */
        AVG
    }

    /**
     * The architecture, as timm's constructor arguments; defaults are BiomedCLIP's ViT-B/16.
     *
     * @param imgSize input height and width (224)
     * @param patchSize token spacing in input pixels (16): the patch side, or the stem's stride times the projection's
     * @param inChans input channels (3)
     * @param embedDim token width (768)
     * @param depth number of blocks (12)
     * @param numHeads attention heads (12; head width embedDim / numHeads)
     * @param mlpRatio MLP hidden width over embedDim (4.0, so 3072)
     * @param qkvBias whether {@code attn.qkv} has a bias (true)
     * @param layerNormEps LayerNorm epsilon (1e-6, timm's, not torch's 1e-5)
     * @param classToken whether a class token leads the sequence (true)
     * @param globalPool pooling of {@link #pool}: the class token, or the mean through {@code fc_norm}
     * @param preNorm a LayerNorm {@code norm_pre} before the blocks, and no patch-embedding bias (false,
     *     CLIP-style towers set it)
     * @param initValues LayerScale init; non-null adds {@code ls1.gamma}/{@code ls2.gamma} per block (null)
     * @param numClasses classifier width; 0 means no {@code head} (BiomedCLIP's trunk has none)
     * @param convStemChannels a hybrid's stem: 3×3 stride-2 convolutions to these widths, each followed by GELU, before
     *     the patch projection ({@code patch_embed.backbone.{0,2,..}}); empty for a plain ViT
     * @param convStemAct the stem's activation ({@code conv_stem_act}: relu or gelu)
     * @param dropRate timm's {@code drop_rate}: dropout after the position embedding ({@code pos_drop}) (0)
     * @param projDropRate timm's {@code proj_drop_rate}: dropout after {@code attn.proj} and in the MLP (0)
     * @param attnDropRate timm's {@code attn_drop_rate}: dropout on the attention probabilities (0)
     */
    public record Config(int imgSize, int patchSize, int inChans, int embedDim, int depth, int numHeads,
            double mlpRatio, boolean qkvBias, double layerNormEps, boolean classToken, GlobalPool globalPool,
            boolean preNorm, Double initValues, int numClasses, List<Integer> convStemChannels, Activation convStemAct,
            double dropRate, double projDropRate, double attnDropRate) {

        public Config {
            convStemChannels = List.copyOf(convStemChannels);
            require(imgSize > 0 && patchSize > 0 && imgSize % patchSize == 0,
                    "img_size " + imgSize + " must be a positive multiple of patch_size " + patchSize);
            require(embedDim > 0 && numHeads > 0 && embedDim % numHeads == 0,
                    "embed_dim " + embedDim + " must be a positive multiple of num_heads " + numHeads);
            require(depth >= 0 && inChans > 0 && mlpRatio > 0 && layerNormEps > 0 && numClasses >= 0,
                    "depth, in_chans, mlp_ratio, layer_norm_eps and num_classes must be positive");
            require(classToken || globalPool != GlobalPool.TOKEN, "global_pool 'token' needs class_token");
            int stride = 1 << convStemChannels.size();
            require(convStemChannels.size() <= 8 && patchSize % stride == 0, "patch_size " + patchSize
                    + " must be a multiple of the conv stem's stride " + stride);
            require(dropRate >= 0 && dropRate < 1 && projDropRate >= 0 && projDropRate < 1 && attnDropRate >= 0
                    && attnDropRate < 1, "dropout rates must be in [0, 1)");
        }

        /** A plain ViT without stem or dropout. */
        public Config(int imgSize, int patchSize, int inChans, int embedDim, int depth, int numHeads, double mlpRatio,
                boolean qkvBias, double layerNormEps, boolean classToken, GlobalPool globalPool, boolean preNorm,
                Double initValues, int numClasses) {
            this(imgSize, patchSize, inChans, embedDim, depth, numHeads, mlpRatio, qkvBias, layerNormEps, classToken,
                    globalPool, preNorm, initValues, numClasses, List.of(), Activation.RELU, 0, 0, 0);
        }

        /** BiomedCLIP's vision trunk: timm {@code vit_base_patch16_224}, no classifier. */
        public static Config vitBasePatch16_224() {
            return new Config(224, 16, 3, 768, 12, 12, 4.0, true, 1e-6, true, GlobalPool.TOKEN, false, null, 0);
        }

        /**
         * Reads a {@code model_type: timm_vit} config (timm's argument names: {@code img_size}, {@code patch_size},
         * {@code embed_dim}, {@code depth}, {@code num_heads}, {@code mlp_ratio}, {@code qkv_bias},
         * {@code layer_norm_eps}, {@code class_token}, and optionally {@code in_chans}, {@code global_pool},
         * {@code pre_norm}, {@code init_values}, {@code num_classes}, {@code conv_stem_channels}, {@code drop_rate},
         * {@code proj_drop_rate}, {@code attn_drop_rate}); absent fields take timm's defaults.
         */
        public static Config fromJson(ConfigReader c) {
            Config d = vitBasePatch16_224();
            boolean classToken = c.bool("class_token", true);
            String pool = c.string("global_pool", classToken ? "token" : "avg");
            GlobalPool gp = switch (pool.toLowerCase(Locale.ROOT)) {
                case "token" -> GlobalPool.TOKEN;
                case "avg" -> GlobalPool.AVG;
                default -> throw new IllegalArgumentException(c.where() + ": global_pool '" + pool + "' is not supported (token, avg)");
            };
            int[] size = c.isList("img_size") ? c.integers("img_size", 1, 1 << 14, 2) : new int[0];
            if (size.length == 2) {
                c.require(size[0] == size[1], "img_size " + size[0] + "x" + size[1] + " is not square; only square inputs are supported");
            }
            int[] patch = c.isList("patch_size") ? c.integers("patch_size", 1, 1 << 14, 2) : new int[0];
            if (patch.length == 2) {
                c.require(patch[0] == patch[1], "patch_size is not square; only square patches are supported");
            }
            List<Integer> stem = new ArrayList<>();
            for (int ch : c.integers("conv_stem_channels", 1, ConfigReader.MAX_WIDTH, 8)) {
                stem.add(ch);
            }
            return c.build(() -> new Config(c.integer("img_size", d.imgSize(), 1, 1 << 14), c.integer("patch_size", d.patchSize(), 1, 1 << 14),
                    c.integer("in_chans", d.inChans(), 1, 64), c.integer("embed_dim", d.embedDim(), 1, ConfigReader.MAX_WIDTH),
                    c.integer("depth", d.depth(), 0, ConfigReader.MAX_LAYERS), c.integer("num_heads", d.numHeads(), 1, 4096),
                    c.number("mlp_ratio", d.mlpRatio(), 1e-3, 64), c.bool("qkv_bias", d.qkvBias()),
                    c.number("layer_norm_eps", d.layerNormEps(), 0, 1), classToken, gp, c.bool("pre_norm", false),
                    c.has("init_values") ? c.number("init_values", 0, -1e6, 1e6) : null,
                    c.integer("num_classes", 0, 0, 1 << 20), stem, Activation.fromConfig(c.string("conv_stem_act", "relu")),
                    c.number("drop_rate", 0, 0, 0.999),
                    c.number("proj_drop_rate", 0, 0, 0.999), c.number("attn_drop_rate", 0, 0, 0.999)));
        }

        /** The config as a {@code model_type: timm_vit} config.json. */
        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("model_type", "timm_vit");
            o.addProperty("img_size", imgSize);
            o.addProperty("patch_size", patchSize);
            o.addProperty("in_chans", inChans);
            o.addProperty("embed_dim", embedDim);
            o.addProperty("depth", depth);
            o.addProperty("num_heads", numHeads);
            o.addProperty("mlp_ratio", mlpRatio);
            o.addProperty("qkv_bias", qkvBias);
            o.addProperty("layer_norm_eps", layerNormEps);
            o.addProperty("class_token", classToken);
            o.addProperty("global_pool", globalPool.name().toLowerCase(Locale.ROOT));
            o.addProperty("pre_norm", preNorm);
            if (initValues != null) {
                o.addProperty("init_values", initValues);
            }
            o.addProperty("num_classes", numClasses);
            if (!convStemChannels.isEmpty()) {
                JsonArray a = new JsonArray();
                convStemChannels.forEach(a::add);
                o.add("conv_stem_channels", a);
                o.addProperty("conv_stem_act", convStemAct.configName());
            }
            o.addProperty("drop_rate", dropRate);
            o.addProperty("proj_drop_rate", projDropRate);
            o.addProperty("attn_drop_rate", attnDropRate);
            return o;
        }

        /** A copy with another depth (for tests and small models). */
        public Config withDepth(int newDepth) {
            return new Config(imgSize, patchSize, inChans, embedDim, newDepth, numHeads, mlpRatio, qkvBias, layerNormEps,
                    classToken, globalPool, preNorm, initValues, numClasses, convStemChannels, convStemAct, dropRate,
                    projDropRate, attnDropRate);
        }

        /** A copy with a classifier of {@code n} classes (0: none). */
        public Config withNumClasses(int n) {
            return new Config(imgSize, patchSize, inChans, embedDim, depth, numHeads, mlpRatio, qkvBias, layerNormEps,
                    classToken, globalPool, preNorm, initValues, n, convStemChannels, convStemAct, dropRate, projDropRate,
                    attnDropRate);
        }

        /** Patches per side. */
        public int gridSize() {
            return imgSize / patchSize;
        }

        /** Tokens out of {@link VisionTransformer#forwardFeatures}: patches plus the class token. */
        public int numTokens() {
            return gridSize() * gridSize() + (classToken ? 1 : 0);
        }

        /** MLP hidden width, truncated as timm's {@code int(embed_dim * mlp_ratio)}. */
        public int mlpHidden() {
            return (int) (embedDim * mlpRatio);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /**
     * A hybrid's convolutional stem, timm-style {@code nn.Sequential(Conv2d, ReLU, Conv2d, ReLU, ...)}: each 3×3
     * convolution halves the resolution; the activations have no parameters, so the keys are {@code 0, 2, 4, ...}.
     */
    static final class ConvStem extends Module {
        final List<Conv2d> convs = new ArrayList<>();
        final Activation act;

        ConvStem(Config c) {
            act = c.convStemAct();
            long in = c.inChans();
            for (int i = 0; i < c.convStemChannels().size(); i++) {
                int out = c.convStemChannels().get(i);
                convs.add(addChild(Integer.toString(2 * i), new Conv2d(in, out, 3, 2, 1, true)));
                in = out;
            }
        }

        NDArray forward(NDArray x) {
            for (Conv2d conv : convs) {
                x = act.apply(conv.forward(x));
            }
            return x;
        }
    }

    /**
     * timm's {@code PatchEmbed} (or {@code HybridEmbed} with a stem as {@code backbone}): a stride-k convolution
     * {@code proj} over the pixels or the stem's feature map, then the patches flattened to tokens.
     */
    static final class PatchEmbed extends Module {
        final ConvStem backbone; // null for a plain ViT
        final Conv2d proj;

        PatchEmbed(Config c) {
            List<Integer> stem = c.convStemChannels();
            backbone = stem.isEmpty() ? null : addChild("backbone", new ConvStem(c));
            long in = stem.isEmpty() ? c.inChans() : stem.get(stem.size() - 1);
            int kernel = c.patchSize() >> stem.size();
            // CLIP-style towers (pre_norm) have no bias here: norm_pre follows at once
            proj = addChild("proj", new Conv2d(in, c.embedDim(), kernel, kernel, !c.preNorm()));
        }

        NDArray forward(NDArray pixels) {
            NDArray x = proj.forward(backbone == null ? pixels : backbone.forward(pixels)); // (B, D, gh, gw)
            return x.reshape(pixels.getShape().get(0), x.getShape().get(1), -1).transpose(0, 2, 1); // (B, gh*gw, D)
        }
    }

    /**
     * Multi-head self-attention with fused {@code qkv}. Its output rows are [Q of all heads | K | V]
     * (timm reshapes to (B, N, 3, heads, head_dim)); BLOOM's fused qkv interleaves per head instead.
     */
    static final class Attention extends Module {
        final Linear qkv;
        final Dropout attnDrop;
        final Linear proj;
        final Dropout projDrop;
        final int numHeads;
        ScaledDotProductAttention.Probe probe; // set while an attention map is being recorded

        Attention(Config c) {
            qkv = addChild("qkv", new Linear(c.embedDim(), 3L * c.embedDim(), c.qkvBias()));
            attnDrop = addChild("attn_drop", new Dropout(c.attnDropRate()));
            proj = addChild("proj", new Linear(c.embedDim(), c.embedDim(), true));
            projDrop = addChild("proj_drop", new Dropout(c.projDropRate()));
            numHeads = c.numHeads();
        }

        NDArray forward(NDArray x) {
            Shape s = x.getShape();
            long b = s.get(0);
            long n = s.get(1);
            long hd = s.get(2) / numHeads;
            NDArray qkvOut = qkv.forward(x).reshape(b, n, 3, numHeads, hd).transpose(2, 0, 3, 1, 4); // (3, B, nh, N, hd)
            NDArray out = ScaledDotProductAttention.apply(qkvOut.get(0), qkvOut.get(1), qkvOut.get(2), null,
                    1.0 / Math.sqrt(hd), attnDrop, probe); // (B, nh, N, hd)
            return projDrop.forward(proj.forward(ScaledDotProductAttention.mergeHeads(out))); // (B, N, C)
        }
    }

    /** timm's {@code Mlp}: fc1 → exact GELU → drop1 → fc2 → drop2. */
    static final class Mlp extends Module {
        final Linear fc1;
        final Dropout drop1;
        final Linear fc2;
        final Dropout drop2;

        Mlp(Config c) {
            fc1 = addChild("fc1", new Linear(c.embedDim(), c.mlpHidden(), true));
            drop1 = addChild("drop1", new Dropout(c.projDropRate()));
            fc2 = addChild("fc2", new Linear(c.mlpHidden(), c.embedDim(), true));
            drop2 = addChild("drop2", new Dropout(c.projDropRate()));
        }

        NDArray forward(NDArray x) {
            return drop2.forward(fc2.forward(drop1.forward(Activation.GELU.apply(fc1.forward(x)))));
        }
    }

    /** timm's LayerScale: a learned per-channel {@code gamma} [D]. */
    static final class LayerScale extends Module {
        final Parameter gamma;

        LayerScale(Config c) {
            gamma = addParameter("gamma", c.embedDim());
        }

        NDArray forward(NDArray x) {
            return x.mul(gamma.array());
        }
    }

    /**
     * Pre-norm block: x + ls1(attn(norm1(x))), then x + ls2(mlp(norm2(x))). Without {@code init_values} the
     * LayerScales are identities with no keys, as timm's {@code nn.Identity()}, so forward reads the same.
     */
    static final class Block extends Module {
        final LayerNorm norm1;
        final Attention attn;
        final UnaryOperator<NDArray> ls1;
        final LayerNorm norm2;
        final Mlp mlp;
        final UnaryOperator<NDArray> ls2;

        Block(Config c) {
            norm1 = addChild("norm1", new LayerNorm(c.embedDim(), c.layerNormEps()));
            attn = addChild("attn", new Attention(c));
            ls1 = c.initValues() == null ? UnaryOperator.identity() : addChild("ls1", new LayerScale(c))::forward;
            norm2 = addChild("norm2", new LayerNorm(c.embedDim(), c.layerNormEps()));
            mlp = addChild("mlp", new Mlp(c));
            ls2 = c.initValues() == null ? UnaryOperator.identity() : addChild("ls2", new LayerScale(c))::forward;
        }

        NDArray forward(NDArray x) {
            NDArray h = x.add(ls1.apply(attn.forward(norm1.forward(x))));
            return h.add(ls2.apply(mlp.forward(norm2.forward(h))));
        }
    }

    private final Config config;
    private final Parameter clsToken; // [1, 1, D], absent without a class token
    private final Parameter posEmbed; // [1, numTokens, D]
    private final PatchEmbed patchEmbed;
    private final Dropout posDrop;
    private final UnaryOperator<NDArray> normPre;
    private final ModuleList<Block> blocks;
    private final UnaryOperator<NDArray> norm; // identity when pooling by average (timm moves it to fc_norm)
    private final LayerNorm fcNorm; // only when pooling by average
    private final Dropout headDrop;
    private final Linear head; // only with num_classes > 0

    /**
     * An unloaded model: parameters registered under timm's keys, in timm's {@code state_dict()} order
     * (the model's own tensors {@code cls_token}, {@code pos_embed} first, then its children).
     */
    public VisionTransformer(Config c) {
        this.config = c;
        int d = c.embedDim();
        clsToken = c.classToken() ? addParameter("cls_token", 1, 1, d) : null;
        posEmbed = addParameter("pos_embed", 1, c.numTokens(), d);
        patchEmbed = addChild("patch_embed", new PatchEmbed(c));
        posDrop = addChild("pos_drop", new Dropout(c.dropRate()));
        normPre = c.preNorm() ? addChild("norm_pre", new LayerNorm(d, c.layerNormEps()))::forward : UnaryOperator.identity();
        blocks = addChild("blocks", new ModuleList<>(IntStream.range(0, c.depth()).mapToObj(i -> new Block(c)).toList()));
        boolean avg = c.globalPool() == GlobalPool.AVG;
        norm = avg ? UnaryOperator.identity() : addChild("norm", new LayerNorm(d, c.layerNormEps()))::forward;
        fcNorm = avg ? addChild("fc_norm", new LayerNorm(d, c.layerNormEps())) : null;
        headDrop = addChild("head_drop", new Dropout(c.dropRate()));
        head = c.numClasses() > 0 ? addChild("head", new Linear(d, c.numClasses(), true)) : null;
    }

    /**
     * The model with weights from {@code weights} (timm names; wrap open_clip files with {@link BiomedClipKeys#toTimm})
     * in the compute type {@code dtype}, as arrays of {@code manager}. Fails with a
     * {@link org.medvlm.checkpoint.StateDictMismatchException} naming the checkpoint and the keys when it lacks any,
     * holds others, or has a tensor of another shape.
     */
    public static VisionTransformer load(Config config, StateDict weights, NDManager manager, DataType dtype) {
        VisionTransformer vit = new VisionTransformer(config);
        vit.load(weights, manager, dtype);
        return vit;
    }

    /**
     * The model in a folder: {@code config.json} ({@code model_type: timm_vit}) and {@code model.safetensors} or a
     * sharded index, in timm or open_clip (BiomedCLIP) names, as float32 arrays of {@code manager}.
     */
    public static VisionTransformer fromDirectory(Path dir, NDManager manager) throws IOException {
        Config config = Config.fromJson(ConfigReader.read(dir.resolve("config.json")));
        try (StateDict weights = StateDict.open(dir)) {
            return load(config, BiomedClipKeys.toTimm(weights), manager, DataType.FLOAT32);
        }
    }

    /**
     * timm's {@code init_weights_vit_timm}: Linear weights truncated N(0, 0.02²) and zero biases, {@code pos_embed}
     * truncated N(0, 0.02²), {@code cls_token} N(0, 1e-12), LayerNorm 1/0, LayerScale at {@code init_values}; the
     * convolutions keep PyTorch's defaults (kaiming-uniform), as timm leaves them.
     */
    public InitPolicy initPolicy() {
        InitPolicy torch = InitPolicy.torchDefaults();
        return (key, p, owner, init) -> {
            if (key.equals("cls_token")) {
                return init.normal(1e-6);
            }
            if (key.equals("pos_embed")) {
                return init.truncNormal(0.02);
            }
            if (owner instanceof LayerScale) {
                return init.constant(config.initValues());
            }
            if (owner instanceof Linear) {
                return p.name().equals("bias") ? init.zeros() : init.truncNormal(0.02);
            }
            return torch.draw(key, p, owner, init);
        };
    }

    public Config config() {
        return config;
    }

    /**
     * All tokens after the final norm, as timm's {@code forward_features}: pixels [B, C, H, W]
     * (normalised, see {@link Preprocess}) → [B, numTokens, D]. These feed the Q-Former.
     */
    public NDArray forwardFeatures(NDArray pixels) {
        Shape s = pixels.getShape();
        if (s.dimension() != 4 || s.get(1) != config.inChans() || s.get(2) != config.imgSize() || s.get(3) != config.imgSize()) {
            throw new IllegalArgumentException("pixels of shape " + s + " do not fit this ViT: expected [B, "
                    + config.inChans() + ", " + config.imgSize() + ", " + config.imgSize() + "]");
        }
        NDArray x = patchEmbed.forward(pixels); // (B, gh*gw, D)
        if (clsToken != null) {
            // the class token repeated per image, as a view owned by the pixels' manager (not the weights')
            NDArray cls = Rows.expandTo(clsToken.array(), s.get(0), pixels.getManager()); // (B, 1, D)
            x = cls.concat(x, 1); // (B, 1 + gh*gw, D)
        }
        x = normPre.apply(posDrop.forward(x.add(posEmbed.array())));
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forward(x);
        }
        return norm.apply(x);
    }

    /**
     * The pooled representation before any classifier (timm's {@code forward_head(pre_logits=True)}):
     * the class token, or the mean of the patch tokens through {@code fc_norm}. [B, N, D] → [B, D].
     */
    public NDArray pool(NDArray features) {
        if (config.globalPool() == GlobalPool.TOKEN) {
            return features.get(new NDIndex(":, 0"));
        }
        int prefix = config.classToken() ? 1 : 0;
        return fcNorm.forward(features.get(new NDIndex(":, {}:", prefix)).mean(new int[] {1}));
    }

    /** Features and pooled output together. */
    public Output forward(NDArray pixels) {
        NDArray features = forwardFeatures(pixels);
        return new Output(features, pool(features));
    }

    /** Class scores from the {@code head} ([B, numClasses]); only for configs with {@code num_classes > 0}. */
    public NDArray logits(NDArray pooled) {
        if (head == null) {
            throw new IllegalStateException("this ViT has no classifier head (num_classes 0)");
        }
        return head.forward(headDrop.forward(pooled));
    }

    /**
     * Records every block's attention probabilities {@code [B, nh, N, N]} with {@code probe} (block index, probs) until
     * called with null; for attention maps. Not thread-safe: one recording at a time.
     */
    public void observeAttention(java.util.function.BiConsumer<Integer, NDArray> probe) {
        for (int i = 0; i < blocks.size(); i++) {
            int layer = i;
            blocks.get(i).attn.probe = probe == null ? null : probs -> probe.accept(layer, probs);
        }
    }

    /**
     * What {@link #forward} returns.
     *
     * @param features all tokens after the final norm [B, N, D]
     * @param pooled the pooled token [B, D]
     */
    public record Output(NDArray features, NDArray pooled) {}
}
