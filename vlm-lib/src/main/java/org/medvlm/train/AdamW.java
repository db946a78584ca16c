package org.medvlm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.medvlm.layers.Autograd;
import org.medvlm.layers.LayerNorm;
import org.medvlm.layers.Module;
import org.medvlm.layers.Parameter;

/**
 * AdamW with PyTorch's update rule ({@code torch.optim.AdamW}, Loshchilov &amp; Hutter): decoupled weight decay
 * {@code p -= lr·wd·p}, then {@code m = β1·m + (1-β1)·g}, {@code v = β2·v + (1-β2)·g²},
 * {@code p -= (lr / (1-β1^t)) · m / (√v / √(1-β2^t) + ε)}. Parameter groups are Hugging Face's: biases and LayerNorm
 * weights get no weight decay. The moments are float32 arrays of the optimizer's own manager, keyed like the
 * parameters, so a checkpoint stores them as {@code exp_avg.<key>} and {@code exp_avg_sq.<key>}.
 */
public final class AdamW implements AutoCloseable {

    /**
     * The hyper-parameters ({@code torch.optim.AdamW} names).
     *
     * @param beta1 first-moment decay (0.9)
     * @param beta2 second-moment decay (0.999)
     * @param eps added to the denominator (1e-8)
     * @param weightDecay decoupled decay of the decayed group (0.01, PyTorch's default)
     */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {
        public Settings {
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0 && weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW needs betas in [0, 1), eps > 0 and weight_decay >= 0");
            }
        }

        /** PyTorch's defaults with {@code weightDecay}. */
        public static Settings defaults(double weightDecay) {
            return new Settings(0.9, 0.999, 1e-8, weightDecay);
        }
    }

    private final Settings settings;
    private final NDManager manager;
    private final Map<String, Parameter> params;
    private final Map<String, Boolean> decay = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private long step;

    /** An optimizer of {@code model}'s trainable parameters; its state lives in a sub-manager of {@code parent}. */
    public AdamW(Module model, Settings settings, NDManager parent) {
        this.settings = settings;
        this.manager = parent.newSubManager();
        this.params = model.trainableParameters();
        Map<String, Module> owners = new LinkedHashMap<>();
        model.namedModules().forEach((path, m) -> {
            if (m instanceof LayerNorm) {
                owners.put(path, m);
            }
        });
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String key = e.getKey();
            String owner = key.contains(".") ? key.substring(0, key.lastIndexOf('.')) : "";
            decay.put(key, !(e.getValue().name().equals("bias") || owners.containsKey(owner)));
            NDArray a = e.getValue().array();
            expAvg.put(key, manager.zeros(a.getShape(), DataType.FLOAT32));
            expAvgSq.put(key, manager.zeros(a.getShape(), DataType.FLOAT32));
        }
    }

    /** The parameters it updates, by key. */
    public Map<String, Parameter> parameters() {
        return params;
    }

    /** Whether the parameter {@code key} is in the weight-decay group (not a bias, not a LayerNorm weight). */
    public boolean decays(String key) {
        return decay.get(key);
    }

    /** Updates taken so far ({@code state['step']}). */
    public long steps() {
        return step;
    }

    /**
     * One update at learning rate {@code lr} from the gradients in {@code grads} (by key, e.g. after clipping); runs
     * without gradient recording, in place on the parameters.
     */
    public void step(Map<String, NDArray> grads, double lr) {
        step++;
        double b1 = settings.beta1();
        double b2 = settings.beta2();
        double bias1 = 1 - Math.pow(b1, step);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(b2, step));
        double stepSize = lr / bias1;
        Autograd.noGrad(() -> {
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                String key = e.getKey();
                NDArray g = grads.get(key);
                if (g == null) {
                    continue; // no gradient reached it (PyTorch skips parameters whose grad is None)
                }
                NDArray p = e.getValue().array();
                try (NDManager tmp = manager.newSubManager()) {
                    NDArray grad = g.getDataType() == DataType.FLOAT32 ? g : tempOf(g.toType(DataType.FLOAT32, false), tmp);
                    if (decay.get(key) && settings.weightDecay() > 0) {
                        p.muli((float) (1 - lr * settings.weightDecay()));
                    }
                    NDArray m = expAvg.get(key);
                    NDArray v = expAvgSq.get(key);
                    m.muli((float) b1).addi(tempOf(grad.mul((float) (1 - b1)), tmp));
                    v.muli((float) b2).addi(tempOf(grad.mul(grad).muli((float) (1 - b2)), tmp));
                    NDArray denom = tempOf(v.sqrt(), tmp).divi((float) bias2Sqrt).addi((float) settings.eps());
                    p.subi(tempOf(m.div(denom), tmp).muli((float) stepSize));
                }
            }
        });
    }

    private static NDArray tempOf(NDArray a, NDManager tmp) {
        a.attach(tmp);
        return a;
    }

    /** The moments by checkpoint key: {@code exp_avg.<param>} and {@code exp_avg_sq.<param>}. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        expAvg.forEach((k, v) -> out.put("exp_avg." + k, v));
        expAvgSq.forEach((k, v) -> out.put("exp_avg_sq." + k, v));
        return out;
    }

    /** Restores the moments and the step count saved by {@link #state()} (resuming a run). */
    public void load(Map<String, NDArray> state, long steps) {
        for (String key : params.keySet()) {
            restore(state, "exp_avg.", key, expAvg);
            restore(state, "exp_avg_sq.", key, expAvgSq);
        }
        this.step = steps;
    }

    private void restore(Map<String, NDArray> state, String prefix, String key, Map<String, NDArray> into) {
        NDArray saved = state.get(prefix + key);
        NDArray current = into.get(key);
        if (saved == null || !saved.getShape().equals(current.getShape())) {
            throw new IllegalArgumentException("optimizer state has no " + prefix + key + " of shape " + current.getShape());
        }
        NDArray copy = saved.toType(DataType.FLOAT32, true);
        copy.attach(manager);
        current.close();
        into.put(key, copy);
    }

    @Override
    public void close() {
        manager.close();
    }
}
