package org.medvlm.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.Module;

/**
 * A random state dict for test fixtures and benchmarks when no checkpoint is on disk. Like the project's reference
 * generator it perturbs norm weights (1 + 0.1·N) and biases (0.1·N) so that a wrong order of operations shows (timm's
 * LayerScale {@code gamma} counts as a norm weight); matrices get N(0, 0.02²); other vectors (e.g. gates) start at 0.
 * This is not how a model is initialised for training ({@link Module#initialize} is).
 */
public final class RandomWeights {
    private RandomWeights() {}

    /** Draws every parameter of {@code module} (float32) in {@code manager}, reproducibly for a given seed. */
    public static Map<String, NDArray> of(Module module, NDManager manager, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, NDArray> out = new LinkedHashMap<>();
        module.namedParameters().forEach((key, p) -> {
            float[] v = new float[Math.toIntExact(p.shape().size())];
            boolean matrix = p.shape().dimension() >= 2;
            boolean scale = key.endsWith("weight") || key.endsWith("gamma"); // LayerScale's gamma is a scale too
            boolean bias = key.endsWith("bias");
            for (int i = 0; i < v.length; i++) {
                double g = random.nextGaussian();
                v[i] = (float) (matrix ? 0.02 * g : scale ? 1 + 0.1 * g : bias ? 0.1 * g : 0);
            }
            NDArray a = manager.create(v, p.shape());
            a.setName(key);
            out.put(key, a);
        });
        return out;
    }

    /** The same weights as a state dict (loads copy them). */
    public static StateDict stateDict(Module module, NDManager manager, long seed) {
        return StateDict.of(of(module, manager, seed), "random weights (seed " + seed + ")");
    }

    /** Loads random weights into {@code module} (arrays in {@code manager}) and returns it. */
    public static <M extends Module> M load(M module, NDManager manager, long seed) {
        module.load(stateDict(module, manager, seed), manager, DataType.FLOAT32);
        return module;
    }
}
