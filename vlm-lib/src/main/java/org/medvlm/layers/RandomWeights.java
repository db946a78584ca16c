package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A random state dict for a module, for fixtures and benchmarks when no checkpoint is on disk. Like the project's
 * reference generator it perturbs norm weights (1 + 0.1·N) and biases (0.1·N) so that a wrong order of operations
 * shows (timm's LayerScale {@code gamma} counts as a norm weight); matrices get N(0, 0.02²) as in HF's {@code initializer_range}; other vectors (e.g. gates) start at 0.
 */
public final class RandomWeights {
    private RandomWeights() {}

    /** Draws every parameter of {@code module} (float32) in {@code manager}, reproducibly for a given seed. */
    public static Map<String, NDArray> of(Module module, NDManager manager, long seed) {
        manager.getEngine().setRandomSeed((int) seed);
        Map<String, NDArray> out = new LinkedHashMap<>();
        module.namedParameters().forEach((key, p) -> {
            NDArray a;
            if (p.shape().dimension() >= 2) {
                a = manager.randomNormal(0f, 0.02f, p.shape(), DataType.FLOAT32);
            } else if (key.endsWith("weight") || key.endsWith("gamma")) { // LayerScale's gamma is a scale too
                a = manager.randomNormal(0f, 0.1f, p.shape(), DataType.FLOAT32).addi(1f);
            } else if (key.endsWith("bias")) {
                a = manager.randomNormal(0f, 0.1f, p.shape(), DataType.FLOAT32);
            } else {
                a = manager.zeros(p.shape(), DataType.FLOAT32);
            }
            a.setName(key);
            out.put(key, a);
        });
        return out;
    }
}
