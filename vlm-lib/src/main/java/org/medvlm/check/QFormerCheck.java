package org.medvlm.check;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.ConfigReader;
import org.medvlm.qformer.LavisKeys;
import org.medvlm.qformer.QFormer;

/**
 * {@code model_type: blip_2_qformer}: {@code query_embeds} and {@code encoder_hidden_states} in,
 * {@code last_hidden_state} compared. Takes a saved {@code Blip2QFormerModel}, or the {@code qformer.}
 * part of a whole BLIP-2 checkpoint (LAVIS names converted).
 */
final class QFormerCheck implements ModelCheck {
    @Override
    public CheckResult run(ConfigReader config, StateDict weights, Map<String, NDArray> reference, NDManager manager) {
        QFormer.Config c = QFormer.Config.fromJson(config);
        NDArray query = ModelChecks.tensor(reference, "query_embeds").toType(DataType.FLOAT32, false);
        NDArray image = ModelChecks.tensor(reference, "encoder_hidden_states").toType(DataType.FLOAT32, false);
        NDArray expected = ModelChecks.tensor(reference, "last_hidden_state");
        StateDict hf = LavisKeys.toHf(weights);
        StateDict own = hf.find("qformer.layernorm.weight").isPresent() ? hf.under("qformer.") : hf;
        QFormer q = QFormer.load(c, own, manager, DataType.FLOAT32);
        NDArray out = q.forward(query, image);
        return CheckResult.of("blip_2_qformer",
                Map.of("last_hidden_state", ModelChecks.maxAbsDiff("last_hidden_state", out, expected)), null);
    }
}
