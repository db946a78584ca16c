package org.medvlm.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Optional;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.Linear;

/**
 * BiomedCLIP's open_clip names → timm's, at the loading edge (as timm's {@code checkpoint_filter_fn}
 * does for OpenCLIP): the image tower is a timm trunk under {@code visual.trunk.} plus a bias-free
 * projection {@code visual.head.proj.weight} [512, 768] into the joint CLIP space. The text tower
 * ({@code text.*}) and {@code logit_scale} are not the vision encoder's and are left out.
 */
public final class BiomedClipKeys {
    static final String TRUNK = "visual.trunk.";
    static final String HEAD_PROJ = "visual.head.proj.weight";

    private BiomedClipKeys() {}

    /** True when {@code sd} holds an open_clip image tower. */
    public static boolean isOpenClip(StateDict sd) {
        return sd.find(TRUNK + "pos_embed").isPresent();
    }

    /** The trunk's tensors under timm names; timm checkpoints pass through unchanged. */
    public static StateDict toTimm(StateDict sd) {
        return isOpenClip(sd) ? sd.under(TRUNK) : sd;
    }

    /** The timm name of one open_clip key, or null for keys outside the trunk. */
    public static String rename(String key) {
        return key.startsWith(TRUNK) ? key.substring(TRUNK.length()) : null;
    }

    /**
     * The CLIP image projection {@code visual.head.proj} (pooled [B, 768] → embedding [B, 512], no bias),
     * or empty when the checkpoint has none. Its weight is float32 and belongs to {@code manager}.
     */
    public static Optional<Linear> imageProjection(StateDict sd, long embedDim, NDManager manager) {
        return sd.find(HEAD_PROJ).map(spec -> {
            long out = spec.shape().get(0);
            NDArray w = sd.load(HEAD_PROJ, new Shape(out, embedDim), manager);
            Linear proj = new Linear(embedDim, out, false);
            proj.loadStateDict(Map.of("weight", w.getDataType() == DataType.FLOAT32 ? w : w.toType(DataType.FLOAT32, false)));
            return proj;
        });
    }
}
