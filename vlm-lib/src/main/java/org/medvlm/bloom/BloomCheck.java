package org.medvlm.bloom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.medvlm.generate.GenerationConfig;
import org.medvlm.generate.Generator;

/**
 * Runs a BLOOM model on the inputs of a transformers reference file and compares: the {@code check} command
 * dispatches here for {@code model_type: bloom}.
 *
 * <p>Reference layout ({@code make_reference.py}): {@code input_ids [B, T]} int64, {@code attention_mask [B, T]}
 * (row 1 left-padded), {@code logits [B, T, vocab]} float32, {@code greedy_ids [1, T + n]} = row 0's prompt followed by
 * n greedy tokens. Logits are compared at every position, padded ones included: HF's values there are finite and
 * deterministic (a fully masked query row attends uniformly to all keys because the mask adds finfo.min, not −inf),
 * and this model reproduces that rule, so nothing needs to be skipped.
 */
public final class BloomCheck {
    private BloomCheck() {}

    /**
     * Outcome of a comparison.
     *
     * @param maxAbsDiff largest |logit − reference| over all positions
     * @param greedyMatch whether greedy decoding reproduced {@code greedy_ids}; null when the reference has none
     */
    public record Result(double maxAbsDiff, Boolean greedyMatch) {
        /** True when the logits agree within {@code tolerance} and greedy tokens match (or were not stored). */
        public boolean passed(double tolerance) {
            return maxAbsDiff <= tolerance && !Boolean.FALSE.equals(greedyMatch);
        }
    }

    /** Parses {@code configJson}, loads {@code weights} strictly and compares with {@code reference}. */
    public static Result run(String configJson, Map<String, NDArray> weights, Map<String, NDArray> reference) {
        return run(BloomConfig.fromJson(configJson), weights, reference);
    }

    /** Loads {@code weights} strictly into a model of {@code config} and compares with {@code reference}. */
    public static Result run(BloomConfig config, Map<String, NDArray> weights, Map<String, NDArray> reference) {
        NDArray ids = require(reference, "input_ids");
        NDArray expected = require(reference, "logits");
        Bloom model = Bloom.load(config, weights);
        try (NDManager m = ids.getManager().newSubManager()) {
            NDArray inputIds = ids.toType(DataType.INT64, true);
            inputIds.attach(m);
            NDArray mask = reference.containsKey("attention_mask")
                    ? reference.get("attention_mask").toType(DataType.INT64, true)
                    : inputIds.onesLike();
            mask.attach(m);
            NDArray logits = model.logits(inputIds, mask);
            if (!logits.getShape().equals(expected.getShape())) {
                throw new IllegalArgumentException("reference logits have shape " + expected.getShape()
                        + " but the model gives " + logits.getShape());
            }
            NDArray exp = expected.toType(DataType.FLOAT32, true);
            exp.attach(m);
            double maxAbsDiff = logits.toType(DataType.FLOAT32, false).sub(exp).abs().max().getFloat();
            Boolean greedy = null;
            NDArray ref = reference.get("greedy_ids");
            if (ref != null) {
                greedy = greedyMatches(model, m, inputIds, mask, ref.toType(DataType.INT64, true));
            }
            return new Result(maxAbsDiff, greedy);
        }
    }

    private static boolean greedyMatches(Bloom model, NDManager m, NDArray ids, NDArray mask, NDArray refIds) {
        refIds.attach(m);
        long[] want = refIds.toLongArray();
        long[] row = ids.get(0).toLongArray();
        long[] rowMask = mask.get(0).toLongArray();
        int newTokens = want.length - row.length;
        if (newTokens <= 0) {
            throw new IllegalArgumentException("greedy_ids has " + want.length + " tokens, not more than the prompt's " + row.length);
        }
        GenerationConfig g = GenerationConfig.greedy(newTokens).withStopTokens(List.of(model.config().eosTokenId()))
                .withPadTokenId(model.config().paddingId());
        List<long[]> out = Generator.generate(BloomLm.of(model), m, new long[][] {row}, new long[][] {rowMask}, g);
        long[] got = new long[row.length + out.get(0).length];
        System.arraycopy(row, 0, got, 0, row.length);
        System.arraycopy(out.get(0), 0, got, row.length, out.get(0).length);
        return Arrays.equals(got, want);
    }

    private static NDArray require(Map<String, NDArray> reference, String key) {
        NDArray a = reference.get(key);
        if (a == null) {
            throw new IllegalArgumentException("reference file has no '" + key + "' tensor (has " + reference.keySet() + ")");
        }
        return a;
    }
}
