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

    /**
     * Mean binary cross-entropy of {@code logits} against 0/1 {@code targets} of the same shape, in the numerically
     * stable form of torch's {@code binary_cross_entropy_with_logits}: {@code max(x, 0) - x·t + log(1 + e^(-|x|))}.
     */
    public static NDArray binaryCrossEntropyWithLogits(NDArray logits, NDArray targets) {
        NDArray x = logits.getDataType() == DataType.FLOAT64 ? logits : logits.toType(DataType.FLOAT32, false);
        NDArray t = targets.toType(x.getDataType(), false);
        return Scalars.maximum(x, 0).sub(x.mul(t)).add(Scalars.add(x.abs().neg().exp(), 1).log()).mean();
    }
}
