package org.medvlm.zero;

import java.util.Optional;

/**
 * Parameter count of a timm {@code VisionTransformer} (class token, learned position embedding over
 * the class token and the patches, pre-LN blocks with qkv bias, final {@code norm}, no classifier).
 *
 * <p>{@code patch_embed.proj} D·C·p² + D, {@code cls_token} D, {@code pos_embed} (N + 1)·D; per block
 * {@code norm1} 2D, {@code attn.qkv} 3D² + 3D, {@code attn.proj} D² + D, {@code norm2} 2D,
 * {@code mlp.fc1} D·M + M, {@code mlp.fc2} M·D + D; {@code norm} 2D. An optional bias-free projection
 * head (BiomedCLIP's {@code visual.head.proj}, 768→512) adds D·P.
 */
public final class VitSize {
    private VitSize() {}

    public static ModelSize of(String name, int imgSize, int patchSize, int channels, int dim, int depth, int heads,
                               double mlpRatio, boolean qkvBias, int headProjection) {
        if (imgSize % patchSize != 0) {
            throw new IllegalArgumentException(name + ": img_size " + imgSize + " is not a multiple of patch_size " + patchSize);
        }
        if (dim % heads != 0) {
            throw new IllegalArgumentException(name + ": embed_dim " + dim + " is not a multiple of num_heads " + heads);
        }
        if (!(mlpRatio > 0) || mlpRatio > 1000) {
            throw new IllegalArgumentException(name + ": mlp_ratio " + mlpRatio + " must lie in (0, 1000]");
        }
        long params;
        long largest;
        try {
            long d = dim;
            long m = (long) (dim * mlpRatio); // timm: int(embed_dim * mlp_ratio)
            long patches = Math.multiplyExact((long) (imgSize / patchSize), (long) (imgSize / patchSize));
            long patchEmbed = Math.addExact(Math.multiplyExact(Math.multiplyExact(d, (long) channels), (long) patchSize * patchSize), d);
            long dd = Math.multiplyExact(d, d);
            long dm = Math.multiplyExact(d, m);
            long qkv = Math.addExact(Math.multiplyExact(3, dd), qkvBias ? 3 * d : 0);
            long block = Math.addExact(Math.addExact(Math.addExact(qkv, dd), Math.multiplyExact(2, dm)), 6 * d + m);
            long posEmbed = Math.multiplyExact(patches + 1, d);
            params = Math.addExact(Math.addExact(patchEmbed, d + 2 * d), posEmbed);
            params = Math.addExact(params, Math.multiplyExact((long) depth, block));
            params = Math.addExact(params, Math.multiplyExact(d, (long) headProjection));
            // the model's own parameters (cls_token and pos_embed) count as one module, as DeepSpeed's recurse=False sums them
            largest = Math.max(Math.max(dm + m, qkv), Math.max(patchEmbed, d + posEmbed));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + ": the parameter count of embed_dim " + dim + " × depth " + depth
                    + " overflows; beyond what is planned here (at most 10^15)");
        }
        return new ModelSize(name, params, largest, Optional.empty());
    }

    /** timm ViT variants by name: {embed_dim, depth, num_heads, patch_size, img_size}. */
    private static final java.util.Map<String, int[]> VARIANTS = java.util.Map.of(
            "vit_tiny_patch16_224", new int[] {192, 12, 3, 16, 224},
            "vit_small_patch16_224", new int[] {384, 12, 6, 16, 224},
            "vit_base_patch16_224", new int[] {768, 12, 12, 16, 224},
            "vit_base_patch32_224", new int[] {768, 12, 12, 32, 224},
            "vit_large_patch16_224", new int[] {1024, 24, 16, 16, 224});

    /**
     * A timm ViT by its registered name (a pretrained tag after a dot is ignored), without classifier,
     * plus an optional bias-free projection to {@code projection} features.
     */
    public static ModelSize named(String name, String timmName, int projection) {
        int[] v = variant(timmName);
        return of(name, v[4], v[3], 3, v[0], v[1], v[2], 4.0, true, projection);
    }

    /** The embed_dim of a named timm ViT. */
    public static int width(String timmName) {
        return variant(timmName)[0];
    }

    private static int[] variant(String timmName) {
        String base = timmName.contains(".") ? timmName.substring(0, timmName.indexOf('.')) : timmName;
        int[] v = VARIANTS.get(base);
        if (v == null) {
            throw new IllegalArgumentException("timm model '" + timmName + "' is not known here; known: "
                    + String.join(", ", new java.util.TreeSet<>(VARIANTS.keySet())) + ", or describe it with model_type timm_vit");
        }
        return v;
    }

    /** timm {@code vit_base_patch16_224} without a classifier: BiomedCLIP's vision trunk, 85,798,656 parameters. */
    public static ModelSize biomedClipVitB16() {
        return of("biomedclip-vit-b16", 224, 16, 3, 768, 12, 12, 4.0, true, 0);
    }
}
