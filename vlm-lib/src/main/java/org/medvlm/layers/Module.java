package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medvlm.checkpoint.StateDict;

/**
 * A model part whose registered parameter and child names are the literal checkpoint key segments, as in PyTorch's
 * {@code nn.Module}: {@code h.3.self_attention.query_key_value.weight} is the path from the root to that parameter.
 * Insertion order is kept so that {@link #namedParameters()} lists keys in checkpoint order.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private NDManager owner; // set by loadOwned / randomOwned, which make the arrays themselves

    /** Registers a parameter under its key segment (e.g. {@code "weight"}). */
    protected final Parameter addParameter(String key, long... shape) {
        Parameter p = new Parameter(key, new Shape(shape));
        if (parameters.putIfAbsent(key, p) != null || children.containsKey(key)) {
            throw new IllegalArgumentException("duplicate key segment '" + key + "' in " + getClass().getSimpleName());
        }
        return p;
    }

    /** Registers a child module under its key segment (e.g. {@code "self_attention"}). */
    protected final <M extends Module> M addChild(String key, M child) {
        if (children.putIfAbsent(key, child) != null || parameters.containsKey(key)) {
            throw new IllegalArgumentException("duplicate key segment '" + key + "' in " + getClass().getSimpleName());
        }
        return child;
    }

    /** Every parameter under its full dotted key, in registration order. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((k, p) -> out.put(prefix + k, p));
        children.forEach((k, c) -> c.collect(prefix + k + ".", out));
    }

    /**
     * Every loaded array under its full dotted key, in registration order (PyTorch's {@code state_dict()}): what
     * {@link org.medvlm.checkpoint.SafetensorsWriter} writes and {@link #loadStateDict} reads back.
     */
    public final Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> out.put(k, p.array()));
        return Collections.unmodifiableMap(out);
    }

    /** Number of scalar weights. */
    public final long parameterCount() {
        return namedParameters().values().stream().mapToLong(p -> p.shape().size()).sum();
    }

    /**
     * Loads weights strictly (timm/PyTorch {@code strict=True}): every key must be present with the expected shape and
     * no extra key may remain. On any mismatch nothing is loaded and a {@link StateDictMismatchException} names the
     * missing keys, the unexpected keys and the first shape mismatch with both shapes. Arrays are used as they are
     * (no copy), so their owner must outlive the model.
     */
    public final void loadStateDict(Map<String, NDArray> stateDict) {
        Map<String, Parameter> expected = namedParameters();
        List<String> missing = new ArrayList<>();
        String mismatch = null;
        for (Map.Entry<String, Parameter> e : expected.entrySet()) {
            NDArray a = stateDict.get(e.getKey());
            if (a == null) {
                missing.add(e.getKey());
            } else if (mismatch == null && !a.getShape().equals(e.getValue().shape())) {
                mismatch = e.getKey() + ": expected " + dims(e.getValue().shape()) + ", got " + dims(a.getShape());
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String k : stateDict.keySet()) {
            if (!expected.containsKey(k)) {
                unexpected.add(k);
            }
        }
        Collections.sort(unexpected);
        if (!missing.isEmpty() || !unexpected.isEmpty() || mismatch != null) {
            StringBuilder msg = new StringBuilder("checkpoint does not match " + getClass().getSimpleName() + ":");
            if (!missing.isEmpty()) {
                msg.append(" missing keys ").append(abbreviate(missing)).append(';');
            }
            if (!unexpected.isEmpty()) {
                msg.append(" unexpected keys ").append(abbreviate(unexpected)).append(';');
            }
            if (mismatch != null) {
                msg.append(" shape mismatch ").append(mismatch).append(';');
            }
            msg.setLength(msg.length() - 1);
            throw new StateDictMismatchException(msg.toString(), missing, unexpected);
        }
        expected.forEach((k, p) -> p.set(stateDict.get(k)));
    }

    /**
     * Loads {@code weights} as float32 into arrays owned by a new sub-manager of {@code parent}, which
     * {@link #close} frees. On a failure the sub-manager is closed at once, and a key/shape mismatch names
     * {@code weights.source()} (the checkpoint file) as well as the keys.
     */
    protected final void loadOwned(StateDict weights, NDManager parent) {
        NDManager m = parent.newSubManager();
        try {
            loadStateDict(weights.toMap(m, DataType.FLOAT32));
        } catch (StateDictMismatchException e) {
            m.close();
            throw e.in(weights.source());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        owner = m;
    }

    /** Loads {@link RandomWeights} for {@code seed} into arrays owned by a new sub-manager of {@code parent}. */
    protected final void randomOwned(NDManager parent, long seed) {
        owner = parent.newSubManager();
        loadStateDict(RandomWeights.of(this, owner, seed));
    }

    /**
     * Frees the arrays when {@link #loadOwned} or {@link #randomOwned} made them; else nothing (arrays loaded
     * through {@link #loadStateDict} belong to the caller's manager).
     */
    public void close() {
        if (owner != null) {
            owner.close();
        }
    }

    private static String dims(Shape s) {
        return java.util.Arrays.toString(s.getShape());
    }

    private static String abbreviate(List<String> keys) {
        int shown = Math.min(keys.size(), 8);
        String head = String.join(", ", keys.subList(0, shown));
        return "[" + head + (keys.size() > shown ? ", ... " + (keys.size() - shown) + " more" : "") + "] (" + keys.size() + ")";
    }
}
