package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Training losses. */
public final class Losses {
    private Losses() {}

    /**
     * Mean cross-entropy of {@code logits [N, V]} against class indices {@code targets [N]} (int64), computed in float32
     * (float64 stays float64) as torch's {@code F.cross_entropy}. Callers pass only the positions that count (labels other than -100), which
     * also keeps the log-softmax off the masked positions.
     */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        NDArray wide = logits.getDataType() == DataType.FLOAT64 ? logits : logits.toType(DataType.FLOAT32, false);
        NDArray logProbs = wide.logSoftmax(-1); // (N, V)
        NDArray picked = logProbs.gather(targets.toType(DataType.INT64, false).reshape(-1, 1), 1); // (N, 1)
        return picked.mean().neg();
    }
}
