package org.medvlm.bloom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medvlm.check.CheckResult;
import org.medvlm.check.ModelChecks;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.testing.Configs;
import org.medvlm.testing.Shared;

/** bloom-tiny against transformers 5.17 (reference made by ../shared/reference/make_reference.py). */
class BloomReferenceTest {

    @Test
    void logitsAndGreedyMatchTransformers() throws Exception {
        Path dir = Shared.path("reference/bloom-tiny");
        try (NDManager m = NDManager.newBaseManager();
             StateDict weightsFile = StateDict.open(dir.resolve("model.safetensors"));
             StateDict refFile = StateDict.open(dir.resolve("reference.safetensors"))) {
            Map<String, NDArray> ref = refFile.toMap(m);
            CheckResult r = ModelChecks.run(dir, dir.resolve("reference.safetensors"), m);
            System.out.println("bloom-tiny: " + r);
            assertTrue(r.maxAbsDiff() <= 1e-4, "max_abs_diff " + r.maxAbsDiff());
            assertEquals(Boolean.TRUE, r.greedyMatch());
        }
    }

    @Test
    void leftPaddedRowMatchesAtRealPositions() throws Exception {
        Path dir = Shared.path("reference/bloom-tiny");
        try (NDManager m = NDManager.newBaseManager();
             StateDict weightsFile = StateDict.open(dir.resolve("model.safetensors"));
             StateDict refFile = StateDict.open(dir.resolve("reference.safetensors"))) {
            Map<String, NDArray> ref = refFile.toMap(m);
            Bloom model = Bloom.load(BloomConfig.fromJson(Configs.file(dir.resolve("config.json"))), weightsFile, m,
                    ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray logits = model.logits(ref.get("input_ids"), ref.get("attention_mask"));
            NDIndex real = new NDIndex("1, 2:, :");
            double d = logits.get(real).sub(ref.get("logits").get(real)).abs().max().getFloat();
            assertTrue(d <= 1e-4, "row 1 real positions differ by " + d);
        }
    }
}
