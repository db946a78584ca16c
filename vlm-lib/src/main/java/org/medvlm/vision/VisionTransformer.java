package org.medvlm.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.Activation;
import org.medvlm.layers.ConfigFiles;
import org.medvlm.layers.Conv2d;
import org.medvlm.layers.LayerNorm;
import org.medvlm.layers.Linear;
import org.medvlm.layers.Module;
import org.medvlm.layers.ModuleList;
import org.medvlm.layers.Parameter;
import org.medvlm.layers.RandomWeights;
import org.medvlm.layers.StateDictMismatchException;
import org.medvlm.layers.Rows;

/**
 * timm's {@code VisionTransformer}, all of it in this file: patch embedding (a stride-p convolution),
 * class token, learned position embeddings over class token + patches, pre-norm blocks of fused-qkv
 * attention and an exact-GELU MLP, then the final LayerNorm. Parameter names are timm's state-dict
 * keys ({@code patch_embed.proj.weight}, {@code blocks.3.attn.qkv.weight}, {@code norm.bias}); load
 * BiomedCLIP's open_clip files through {@link BiomedClipKeys#toTimm}.
 *
 * <p>Build it unloaded with {@code new VisionTransformer(config)} and call {@link #loadStateDict}, or use
 * {@link #load}/{@link #fromDirectory}/{@link #random}, which own the arrays and free them on {@link #close}.
 *
 * <p>Shapes for ViT-B/16 at 224: pixels [B, 3, 224, 224] → {@link #forwardFeatures} [B, 197, 768]
 * (class token first, then 14×14 patches) → {@link #pool} [B, 768].
 */
public final class VisionTransformer extends Module implements AutoCloseable {

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
     * @param patchSize patch height and width (16)
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
     */
    public record Config(int imgSize, int patchSize, int inChans, int embedDim, int depth, int numHeads,
            double mlpRatio, boolean qkvBias, double layerNormEps, boolean classToken, GlobalPool globalPool,
            boolean preNorm, Double initValues, int numClasses) {

        public Config {
            require(imgSize > 0 && patchSize > 0 && imgSize % patchSize == 0,
                    "img_size " + imgSize + " must be a positive multiple of patch_size " + patchSize);
            require(embedDim > 0 && numHeads > 0 && embedDim % numHeads == 0,
                    "embed_dim " + embedDim + " must be a positive multiple of num_heads " + numHeads);
            require(depth >= 0 && inChans > 0 && mlpRatio > 0 && layerNormEps > 0 && numClasses >= 0,
                    "depth, in_chans, mlp_ratio, layer_norm_eps and num_classes must be positive");
            require(classToken || globalPool != GlobalPool.TOKEN, "global_pool 'token' needs class_token");
        }

        /** BiomedCLIP's vision trunk: timm {@code vit_base_patch16_224}, no classifier. */
        public static Config vitBasePatch16_224() {
            return new Config(224, 16, 3, 768, 12, 12, 4.0, true, 1e-6, true, GlobalPool.TOKEN, false, null, 0);
        }

        /**
         * Reads a {@code model_type: timm_vit} config.json (timm's argument names: {@code img_size},
         * {@code patch_size}, {@code embed_dim}, {@code depth}, {@code num_heads}, {@code mlp_ratio},
         * {@code qkv_bias}, {@code layer_norm_eps}, {@code class_token}, and optionally {@code in_chans},
         * {@code global_pool}, {@code pre_norm}, {@code init_values}, {@code num_classes}); absent fields
         * take timm's defaults.
         */
        public static Config fromJson(JsonObject c) {
            Config d = vitBasePatch16_224();
            String pool = str(c, "global_pool", null);
            boolean classToken = bool(c, "class_token", true);
            GlobalPool gp;
            if (pool == null) {
                gp = classToken ? GlobalPool.TOKEN : GlobalPool.AVG;
            } else {
                gp = switch (pool.toLowerCase(Locale.ROOT)) {
                    case "token" -> GlobalPool.TOKEN;
                    case "avg" -> GlobalPool.AVG;
                    default -> throw new IllegalArgumentException("global_pool '" + pool + "' is not supported (token, avg)");
                };
            }
            return new Config(square(c, "img_size", d.imgSize()), square(c, "patch_size", d.patchSize()),
                    integer(c, "in_chans", d.inChans()), integer(c, "embed_dim", d.embedDim()),
                    integer(c, "depth", d.depth()), integer(c, "num_heads", d.numHeads()),
                    number(c, "mlp_ratio", d.mlpRatio()), bool(c, "qkv_bias", d.qkvBias()),
                    number(c, "layer_norm_eps", d.layerNormEps()), classToken, gp, bool(c, "pre_norm", false),
                    c.has("init_values") && !c.get("init_values").isJsonNull() ? c.get("init_values").getAsDouble() : null,
                    integer(c, "num_classes", 0));
        }

        /** A copy with another depth (for tests and small models). */
        public Config withDepth(int newDepth) {
            return new Config(imgSize, patchSize, inChans, embedDim, newDepth, numHeads, mlpRatio, qkvBias,
                    layerNormEps, classToken, globalPool, preNorm, initValues, numClasses);
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

        private static int square(JsonObject c, String name, int fallback) {
            JsonElement e = c.get(name);
            if (e == null || e.isJsonNull()) {
                return fallback;
            }
            if (e.isJsonArray()) {
                int h = e.getAsJsonArray().get(0).getAsInt();
                int w = e.getAsJsonArray().get(e.getAsJsonArray().size() - 1).getAsInt();
                require(h == w, name + " " + e + " is not square; only square inputs are supported");
                return h;
            }
            return e.getAsInt();
        }

        private static int integer(JsonObject c, String name, int fallback) {
            return c.has(name) && !c.get(name).isJsonNull() ? c.get(name).getAsInt() : fallback;
        }

        private static double number(JsonObject c, String name, double fallback) {
            return c.has(name) && !c.get(name).isJsonNull() ? c.get(name).getAsDouble() : fallback;
        }

        private static boolean bool(JsonObject c, String name, boolean fallback) {
            return c.has(name) && !c.get(name).isJsonNull() ? c.get(name).getAsBoolean() : fallback;
        }

        private static String str(JsonObject c, String name, String fallback) {
            return c.has(name) && !c.get(name).isJsonNull() ? c.get(name).getAsString() : fallback;
        }
    }

    /** timm's {@code PatchEmbed}: a stride-p convolution {@code proj}, then the patches flattened to tokens. */
    static final class PatchEmbed extends Module {
        final Conv2d proj;

        PatchEmbed(Config c) {
            // CLIP-style towers (pre_norm) have no bias here: norm_pre follows at once
            proj = addChild("proj", new Conv2d(c.inChans(), c.embedDim(), c.patchSize(), c.patchSize(), !c.preNorm()));
        }

        NDArray forward(NDArray pixels) {
            Shape s = pixels.getShape();
            NDArray x = proj.forward(pixels); // (B, D, gh, gw)
            return x.reshape(s.get(0), x.getShape().get(1), -1).transpose(0, 2, 1); // (B, gh*gw, D)
        }
    }

    /**
     * Multi-head self-attention with fused {@code qkv}. Its output rows are [Q of all heads | K | V]
     * (timm reshapes to (B, N, 3, heads, head_dim)); BLOOM's fused qkv interleaves per head instead.
     */
    static final class Attention extends Module {
        final Linear qkv;
        final Linear proj;
        final int numHeads;

        Attention(Config c) {
            qkv = addChild("qkv", new Linear(c.embedDim(), 3L * c.embedDim(), c.qkvBias()));
            proj = addChild("proj", new Linear(c.embedDim(), c.embedDim(), true));
            numHeads = c.numHeads();
        }

        NDArray forward(NDArray x) {
            Shape s = x.getShape();
            long b = s.get(0);
            long n = s.get(1);
            long dim = s.get(2);
            long hd = dim / numHeads;
            NDArray qkvOut = qkv.forward(x).reshape(b, n, 3, numHeads, hd).transpose(2, 0, 3, 1, 4); // (3, B, nh, N, hd)
            NDArray q = qkvOut.get(0); // (B, nh, N, hd)
            NDArray k = qkvOut.get(1);
            NDArray v = qkvOut.get(2);
            NDArray attn = q.matMul(k.transpose(0, 1, 3, 2)).mul((float) (1.0 / Math.sqrt(hd))).softmax(-1); // (B, nh, N, N)
            NDArray out = attn.matMul(v).transpose(0, 2, 1, 3).reshape(b, n, dim); // (B, N, C)
            return proj.forward(out);
        }
    }

    /** fc1 → exact GELU → fc2. */
    static final class Mlp extends Module {
        final Linear fc1;
        final Linear fc2;

        Mlp(Config c) {
            fc1 = addChild("fc1", new Linear(c.embedDim(), c.mlpHidden(), true));
            fc2 = addChild("fc2", new Linear(c.mlpHidden(), c.embedDim(), true));
        }

        NDArray forward(NDArray x) {
            return fc2.forward(Activation.GELU.apply(fc1.forward(x)));
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
    private final UnaryOperator<NDArray> normPre;
    private final ModuleList<Block> blocks;
    private final UnaryOperator<NDArray> norm; // identity when pooling by average (timm moves it to fc_norm)
    private final LayerNorm fcNorm; // only when pooling by average
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
        normPre = c.preNorm() ? addChild("norm_pre", new LayerNorm(d, c.layerNormEps()))::forward : UnaryOperator.identity();
        blocks = addChild("blocks", new ModuleList<>(IntStream.range(0, c.depth()).mapToObj(i -> new Block(c)).toList()));
        boolean avg = c.globalPool() == GlobalPool.AVG;
        norm = avg ? UnaryOperator.identity() : addChild("norm", new LayerNorm(d, c.layerNormEps()))::forward;
        fcNorm = avg ? addChild("fc_norm", new LayerNorm(d, c.layerNormEps())) : null;
        head = c.numClasses() > 0 ? addChild("head", new Linear(d, c.numClasses(), true)) : null;
    }

    /** A model with random weights ({@link RandomWeights}), owned by a sub-manager of {@code parent}. */
    public static VisionTransformer random(Config config, NDManager parent, long seed) {
        VisionTransformer vit = new VisionTransformer(config);
        vit.randomOwned(parent, seed);
        return vit;
    }

    /**
     * The model with weights from {@code weights} (timm names; wrap open_clip files with
     * {@link BiomedClipKeys#toTimm}) as float32, owned by a sub-manager of {@code parent}. Fails with a
     * {@link org.medvlm.layers.StateDictMismatchException} naming the keys when the checkpoint lacks any,
     * holds others, or has a tensor of another shape.
     */
    public static VisionTransformer load(Config config, StateDict weights, NDManager parent) {
        VisionTransformer vit = new VisionTransformer(config);
        vit.loadOwned(weights, parent);
        return vit;
    }

    /**
     * The model in a folder: {@code config.json} ({@code model_type: timm_vit}) and
     * {@code model.safetensors} or a sharded index, in timm or open_clip (BiomedCLIP) names.
     */
    public static VisionTransformer fromDirectory(Path dir, NDManager parent) throws IOException {
        JsonObject json = ConfigFiles.readObject(dir.resolve("config.json"));
        try (StateDict weights = StateDict.open(dir)) {
            return load(Config.fromJson(json), BiomedClipKeys.toTimm(weights), parent);
        }
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
        x = normPre.apply(x.add(posEmbed.array()));
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
        return head.forward(pooled);
    }

    /**
     * What {@link #forward} returns.
     *
     * @param features all tokens after the final norm [B, N, D]
     * @param pooled the pooled token [B, D]
     */
    public record Output(NDArray features, NDArray pooled) {}
}
