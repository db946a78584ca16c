package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.checkpoint.StateDictMismatchException;

/**
 * A model part whose registered parameter and child names are the literal checkpoint key segments, as in PyTorch's
 * {@code nn.Module}: {@code h.3.self_attention.query_key_value.weight} is the path from the root to that parameter.
 * Insertion order is kept so that {@link #namedParameters()} lists keys in checkpoint order.
 *
 * <p>A module does not own memory. Its arrays belong to the manager given to {@link #load} or {@link #initialize};
 * the model root (e.g. {@code VisionLanguageModel}) creates that manager and closes it. Forward code puts every
 * activation in the manager of its input (see the package documentation).
 *
 * <p>Training state follows PyTorch: {@link #train(boolean)} switches dropout on for this module and all below it;
 * {@link #freeze}/{@link #unfreeze} mark parameters by key prefix and {@link #trainableParameters()} lists the rest.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final List<Module> inline = new ArrayList<>();
    private boolean training;

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
        child.train(training);
        return child;
    }

    /**
     * Registers a child whose keys sit at this module's own level, with no segment of their own: a composite
     * checkpoint puts {@code query_tokens}, {@code qformer.*} and {@code language_projection.*} at its top level
     * although one class builds them.
     */
    protected final <M extends Module> M addInline(M child) {
        inline.add(child);
        child.train(training);
        return child;
    }

    /** Unregisters a child (LoRA merging removes its adapters); its arrays stay with their manager. */
    protected final void removeChild(String key) {
        if (children.remove(key) == null) {
            throw new IllegalArgumentException("no child '" + key + "' in " + getClass().getSimpleName());
        }
    }

    /** Every parameter under its full dotted key, in registration order. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((k, p) -> out.put(prefix + k, p));
        inline.forEach(m -> m.collect(prefix, out));
        children.forEach((k, c) -> c.collect(prefix + k + ".", out));
    }

    /**
     * This module and every module below it, by dotted path ({@code ""} for this one), parents first. Inline children
     * (see {@link #addInline}) have no path of their own: their children appear at this module's level.
     */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collectModules(String path, Map<String, Module> out) {
        out.put(path, this);
        collectChildren(path, out);
    }

    private void collectChildren(String path, Map<String, Module> out) {
        inline.forEach(m -> m.collectChildren(path, out));
        children.forEach((k, c) -> c.collectModules(join(path, k), out));
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
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

    /**
     * Scalar weights this module registers itself, not through its children (DeepSpeed's per-module count behind
     * {@code largest_layer_params}, the most one module's parameters ZeRO-3 gathers at once).
     */
    public final long ownParameterCount() {
        return ownParameters("").values().stream().mapToLong(p -> p.shape().size()).sum();
    }

    /** Number of scalar weights (from the shapes: an unloaded module can be counted too). */
    public final long parameterCount() {
        return namedParameters().values().stream().mapToLong(p -> p.shape().size()).sum();
    }

    // ---------------------------------------------------------------- loading

    /**
     * Loads weights strictly (timm/PyTorch {@code strict=True}): every key must be present with the expected shape and
     * no extra key may remain. On any mismatch nothing is loaded and a {@link StateDictMismatchException} names the
     * missing keys, the unexpected keys and the first shape mismatch with both shapes. Arrays are used as they are
     * (no copy), so their manager must outlive the model.
     */
    public final void loadStateDict(Map<String, NDArray> stateDict) {
        loadStateDict(stateDict, key -> true);
    }

    /**
     * As {@link #loadStateDict(Map)} for the parameters whose key {@code which} accepts (the others keep their
     * arrays): a part loaded from its checkpoint while another part is initialised fresh.
     */
    public final void loadStateDict(Map<String, NDArray> stateDict, Predicate<String> which) {
        Map<String, Parameter> expected = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> {
            if (which.test(k)) {
                expected.put(k, p);
            }
        });
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
     * The one way a part reads a checkpoint: every floating-point tensor of {@code weights} is converted to the compute
     * type {@code dtype} (float32 on the CPU: published bloomz files are F16, some BF16) and loaded strictly into arrays
     * of {@code manager}. On a mismatch nothing stays allocated and the exception names {@code weights.source()}.
     */
    public final void load(StateDict weights, NDManager manager, DataType dtype) {
        load(weights, manager, dtype, key -> true);
    }

    /** As {@link #load(StateDict, NDManager, DataType)} for the parameters whose key {@code which} accepts. */
    public final void load(StateDict weights, NDManager manager, DataType dtype, Predicate<String> which) {
        NDManager staging = manager.newSubManager();
        try {
            Map<String, NDArray> arrays = weights.toMap(staging, dtype);
            loadStateDict(arrays, which);
            arrays.values().forEach(a -> a.attach(manager));
        } catch (StateDictMismatchException e) {
            throw e.in(weights.source());
        } finally {
            staging.close();
        }
    }

    /**
     * Fresh weights for training, drawn as {@code policy} says for each parameter (HF's {@code _init_weights}, timm's
     * {@code init_weights}) from Java random streams seeded by {@code seed} and the parameter's key, so the same seed
     * gives the same weights on every machine and adding a parameter does not change the others. The engine's global
     * generator is never touched. The arrays belong to {@code manager}.
     */
    public final void initialize(NDManager manager, InitPolicy policy, long seed) {
        initialize(manager, policy, seed, key -> true);
    }

    /** As {@link #initialize(NDManager, InitPolicy, long)} for the parameters whose key {@code which} accepts. */
    public final void initialize(NDManager manager, InitPolicy policy, long seed, Predicate<String> which) {
        Map<String, Module> owners = new LinkedHashMap<>();
        namedModules().forEach((path, m) -> m.ownParameters(path).forEach((key, p) -> owners.put(key, m)));
        namedParameters().forEach((key, p) -> {
            if (which.test(key)) {
                float[] values = policy.draw(key, p, owners.get(key), new Initializer(seed, key, p.shape()));
                NDArray a = manager.create(values, p.shape());
                a.setName(key);
                p.set(a);
            }
        });
    }

    private Map<String, Parameter> ownParameters(String path) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        parameters.forEach((k, p) -> out.put(join(path, k), p));
        for (Module i : inline) {
            out.putAll(i.ownParameters(path));
        }
        return out;
    }

    // ---------------------------------------------------------------- training state

    /** Training mode (dropout active) or evaluation mode, for this module and every module below it. */
    public final void train(boolean on) {
        training = on;
        inline.forEach(m -> m.train(on));
        children.values().forEach(m -> m.train(on));
    }

    /** Whether dropout is active. */
    public final boolean isTraining() {
        return training;
    }

    /**
     * Gives every {@link Dropout} below this module a fresh random stream derived from {@code seed} and its position,
     * so a training step's masks depend only on the seed the trainer passes (resuming reproduces them).
     */
    public final void seedDropout(long seed) {
        int i = 0;
        for (Module m : namedModules().values()) {
            if (m instanceof Dropout d) {
                d.reseed(Initializer.mix(seed, i++));
            }
        }
    }

    /** Marks every parameter whose key starts with one of {@code prefixes} as frozen ({@code ""} freezes all). */
    public final void freeze(String... prefixes) {
        setTrainable(false, prefixes);
    }

    /** Marks every parameter whose key starts with one of {@code prefixes} as trainable again. */
    public final void unfreeze(String... prefixes) {
        setTrainable(true, prefixes);
    }

    private void setTrainable(boolean value, String... prefixes) {
        namedParameters().forEach((k, p) -> {
            for (String prefix : prefixes) {
                if (k.startsWith(prefix)) {
                    p.setTrainable(value);
                }
            }
        });
    }

    /** The parameters training changes, by key, in checkpoint order. */
    public final Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> {
            if (p.isTrainable()) {
                out.put(k, p);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** Number of trainable scalar weights. */
    public final long trainableParameterCount() {
        return trainableParameters().values().stream().mapToLong(p -> p.shape().size()).sum();
    }

    /**
     * Sets every recorded gradient to zero in place (PyTorch's {@code zero_grad(set_to_none=False)}); DJL's PyTorch
     * gradient collector accumulates and does not zero by itself.
     */
    public final void zeroGrad() {
        for (Parameter p : namedParameters().values()) {
            if (p.isLoaded() && p.hasGradient()) {
                JniUtils.zeroGrad((PtNDArray) p.array());
            }
        }
    }

    private static String dims(Shape s) {
        return Arrays.toString(s.getShape());
    }

    private static String abbreviate(List<String> keys) {
        int shown = Math.min(keys.size(), 8);
        String head = String.join(", ", keys.subList(0, shown));
        return "[" + head + (keys.size() > shown ? ", ... " + (keys.size() - shown) + " more" : "") + "] (" + keys.size() + ")";
    }
}
