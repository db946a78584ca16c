package org.medvlm.check;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.ConfigReader;
import org.medvlm.vision.BiomedClipKeys;
import org.medvlm.vision.VisionTransformer;

/** {@code model_type: timm_vit}: {@code pixel_values} in, {@code features} and {@code pooled} compared. */
final class VitCheck implements ModelCheck {
    @Override
    public CheckResult run(ConfigReader config, StateDict weights, Map<String, NDArray> reference, NDManager manager) {
        VisionTransformer.Config c = VisionTransformer.Config.fromJson(config);
        NDArray pixels = ModelChecks.tensor(reference, "pixel_values");
        NDArray features = ModelChecks.tensor(reference, "features");
        NDArray pooled = ModelChecks.tensor(reference, "pooled");
        VisionTransformer vit = VisionTransformer.load(c, BiomedClipKeys.toTimm(weights), manager, DataType.FLOAT32);
        VisionTransformer.Output out = vit.forward(pixels.toType(DataType.FLOAT32, false));
        Map<String, Double> diffs = new LinkedHashMap<>();
        diffs.put("features", ModelChecks.maxAbsDiff("features", out.features(), features));
        diffs.put("pooled", ModelChecks.maxAbsDiff("pooled", out.pooled(), pooled));
        return CheckResult.of("timm_vit", diffs, null);
    }
}
