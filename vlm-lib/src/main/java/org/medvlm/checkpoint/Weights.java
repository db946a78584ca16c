package org.medvlm.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a model's constructor gets its parameters, by the literal checkpoint key segments:
 * {@code w.child("blocks").child(3).child("attn").get("qkv.weight", shape, Init.NORMAL)} is the tensor
 * {@code blocks.3.attn.qkv.weight}. {@link #load} reads them from a {@link StateDict}, checking every
 * shape; {@link #random} makes them up (for tests and untrained models). Loading is strict:
 * {@link #finish()} lists the keys the model asked for that the checkpoint lacks and the keys the
 * checkpoint holds that the model never asked for, so a checkpoint is never loaded in part silently.
 */
public final class Weights {

    /** How a parameter starts when it is made up rather than loaded. */
    public enum Init {
        /** Normal with std 0.02 (projection matrices, embeddings). */
        NORMAL,
        /** Ones (LayerNorm scales). */
        ONES,
        /** Zeros (biases, and gates that must start closed). */
        ZEROS
    }

    private static final class Tracker {
        final StateDict dict; // null when parameters are made up
        final NDManager manager;
        final DataType dtype;
        final double perturb;
        final Map<String, NDArray> params = new LinkedHashMap<>();
        final List<String> missing = new ArrayList<>();

        Tracker(StateDict dict, NDManager manager, DataType dtype, double perturb) {
            this.dict = dict;
            this.manager = manager;
            this.dtype = dtype;
            this.perturb = perturb;
        }
    }

    private final Tracker tracker;
    private final String prefix;

    private Weights(Tracker tracker, String prefix) {
        this.tracker = tracker;
        this.prefix = prefix;
    }

    /** Parameters read from {@code dict} into {@code manager} as float32. */
    public static Weights load(StateDict dict, NDManager manager) {
        return load(dict, manager, DataType.FLOAT32);
    }

    /** Parameters read from {@code dict} into {@code manager}, converted to {@code dtype}. */
    public static Weights load(StateDict dict, NDManager manager, DataType dtype) {
        return new Weights(new Tracker(dict, manager, dtype, 0), "");
    }

    /**
     * Made-up float32 parameters: normal(0, 0.02) matrices, ones and zeros for norms and biases, each of
     * those plus normal noise of std {@code perturb} (0 for a clean init; tests use 0.1 so that a wrong
     * order of operations changes the numbers). Seeds the engine's generator with {@code seed}.
     */
    public static Weights random(NDManager manager, long seed, double perturb) {
        manager.getEngine().setRandomSeed((int) seed);
        return new Weights(new Tracker(null, manager, DataType.FLOAT32, perturb), "");
    }

    /** The parameters under {@code segment.} (a module name such as {@code attn}). */
    public Weights child(String segment) {
        return new Weights(tracker, prefix + segment + ".");
    }

    /** The parameters under {@code index.} (an entry of a module list such as {@code blocks}). */
    public Weights child(int index) {
        return child(Integer.toString(index));
    }

    /** The full key of {@code name} here. */
    public String key(String name) {
        return prefix + name;
    }

    /** The manager that owns the parameters. */
    public NDManager manager() {
        return tracker.manager;
    }

    /** True when parameters come from a checkpoint, false when they are made up. */
    public boolean isLoaded() {
        return tracker.dict != null;
    }

    /**
     * The parameter {@code name} under this prefix, of exactly {@code shape}. A checkpoint tensor of
     * another shape fails at once, naming the key and both shapes; a missing one is reported by
     * {@link #finish()} together with the others.
     */
    public NDArray get(String name, Shape shape, Init init) {
        String key = key(name);
        NDArray value;
        if (tracker.dict == null) {
            value = makeUp(shape, init);
        } else if (tracker.dict.find(key).isEmpty()) {
            tracker.missing.add(key);
            value = tracker.manager.zeros(shape, tracker.dtype);
        } else {
            NDArray raw = tracker.dict.load(key, shape, tracker.manager);
            value = raw.getDataType() == tracker.dtype ? raw : raw.toType(tracker.dtype, false);
            if (value != raw) {
                raw.close();
            }
        }
        value.setName(key);
        tracker.params.put(key, value);
        return value;
    }

    private NDArray makeUp(Shape shape, Init init) {
        NDManager m = tracker.manager;
        NDArray base = switch (init) {
            case NORMAL -> m.randomNormal(0f, 0.02f, shape, DataType.FLOAT32);
            case ONES -> m.ones(shape, DataType.FLOAT32);
            case ZEROS -> m.zeros(shape, DataType.FLOAT32);
        };
        if (init != Init.NORMAL && tracker.perturb > 0) {
            NDArray noisy = base.add(m.randomNormal(0f, (float) tracker.perturb, shape, DataType.FLOAT32));
            base.close();
            return noisy;
        }
        return base;
    }

    /**
     * Checks that the model took every tensor of the checkpoint and found every tensor it asked for;
     * throws a {@link CheckpointKeyMismatchException} listing both sets (first ten of each) otherwise.
     */
    public void finish() {
        if (tracker.dict == null) {
            return;
        }
        Set<String> unexpected = new LinkedHashSet<>(tracker.dict.keys());
        unexpected.removeAll(tracker.params.keySet());
        if (tracker.missing.isEmpty() && unexpected.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(tracker.dict.source()).append(" does not fit the model:");
        if (!tracker.missing.isEmpty()) {
            sb.append(" missing ").append(tracker.missing.size()).append(" key(s) ").append(first(tracker.missing));
        }
        if (!unexpected.isEmpty()) {
            sb.append(tracker.missing.isEmpty() ? "" : ";").append(" unexpected ").append(unexpected.size())
                    .append(" key(s) ").append(first(new ArrayList<>(unexpected)));
        }
        throw new CheckpointKeyMismatchException(sb.toString());
    }

    private static String first(List<String> keys) {
        return keys.size() <= 10 ? keys.toString() : keys.subList(0, 10) + " ...";
    }

    /** Every parameter taken so far, by full key, in the order the model asked for them. */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(tracker.params);
    }
}
