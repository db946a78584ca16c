package org.medvlm.check;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.bloom.BloomLm;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.ConfigReader;
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
final class BloomCheck implements ModelCheck {

    @Override
    public CheckResult run(ConfigReader config, StateDict weights, Map<String, NDArray> reference, NDManager manager) {
        return run(BloomConfig.fromJson(config), weights, reference, manager);
    }

    /**
     * Loads {@code weights} strictly into a model of {@code config} and compares its logits (every position) and
     * greedy continuation of row 0 with {@code reference}.
     */
    static CheckResult run(BloomConfig config, StateDict weights, Map<String, NDArray> reference, NDManager manager) {
        NDArray ids = ModelChecks.tensor(reference, "input_ids");
        NDArray expected = ModelChecks.tensor(reference, "logits");
        Bloom model = Bloom.load(config, weights, manager, DataType.FLOAT32);
        try (NDManager m = ids.getManager().newSubManager()) {
            NDArray inputIds = ids.toType(DataType.INT64, true);
            inputIds.attach(m);
            NDArray mask = reference.containsKey("attention_mask")
                    ? reference.get("attention_mask").toType(DataType.INT64, true)
                    : inputIds.onesLike();
            mask.attach(m);
            double logits = ModelChecks.maxAbsDiff("logits", model.logits(inputIds, mask), expected);
            Boolean greedy = null;
            NDArray ref = reference.get("greedy_ids");
            if (ref != null) {
                greedy = greedyMatches(model, m, inputIds, mask, ref.toType(DataType.INT64, true));
            }
            return CheckResult.of("bloom", Map.of("logits", logits), greedy);
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
}
