package org.medvlm.bloom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.lang.reflect.Field;
import java.util.Map;
import ai.djl.ndarray.types.DataType;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.testing.RandomWeights;

/** A random BLOOM small enough for unit tests, with a head count that is not a power of two (6). */
public final class TinyBloom {
    private TinyBloom() {}

    public static final BloomConfig CONFIG = BloomConfig.bloomz560m().withVocabSize(97).withHidden(48, 6).withNLayer(2);

    public static Map<String, NDArray> weights(NDManager m, long seed) {
        return RandomWeights.of(new Bloom(CONFIG), m, seed);
    }

    public static Bloom model(NDManager m, long seed) {
        return load(CONFIG, weights(m, seed));
    }

    /** A model of {@code config} with the weights in {@code w} (copied into their manager, as float32). */
    public static Bloom load(BloomConfig config, Map<String, NDArray> w) {
        return Bloom.load(config, StateDict.of(w, "test weights"), w.values().iterator().next().getManager(), DataType.FLOAT32);
    }

    /** Native resources attached directly to a manager (for leak checks). */
    public static int resources(NDManager m) {
        try {
            Field f = ai.djl.ndarray.BaseNDManager.class.getDeclaredField("resources");
            f.setAccessible(true);
            return ((Map<?, ?>) f.get(m)).size();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
