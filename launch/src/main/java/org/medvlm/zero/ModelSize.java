package org.medvlm.zero;

import java.util.Locale;
import java.util.Optional;

/**
 * What the planner needs from a model: its parameter count, its largest layer (DeepSpeed's
 * {@code largest_layer_params}: the most parameters one module holds itself, which ZeRO-3 gathers at
 * once), and, when known, the decoder shape for activation memory.
 *
 * @param name               a label, e.g. {@code bloomz-560m}
 * @param params             total parameters Ψ (tied weights counted once)
 * @param largestLayerParams parameters of the largest single module; 0 when unknown
 * @param shape              decoder shape, when the description gives one
 * @param trainableParams    the parameters training changes (frozen ones have weights but no gradients or
 *                           optimizer states); {@code params} when everything trains
 */
public record ModelSize(String name, long params, long largestLayerParams, Optional<TransformerShape> shape,
        long trainableParams) {
    /** 10^15 parameters: byte counts of every formula here stay far inside a long. */
    public static final long MAX_PARAMS = 1_000_000_000_000_000L;

    public ModelSize {
        if (params <= 0) {
            throw new IllegalArgumentException("parameter count must be positive, not " + params);
        }
        if (params > MAX_PARAMS) {
            throw new IllegalArgumentException("parameter count " + params + " is beyond what is planned here (at most 10^15)");
        }
        if (largestLayerParams < 0 || largestLayerParams > params) {
            throw new IllegalArgumentException("largest layer (" + largestLayerParams + ") must lie between 0 and the parameter count (" + params + ")");
        }
        shape = shape == null ? Optional.empty() : shape;
        if (trainableParams < 0 || trainableParams > params) {
            throw new IllegalArgumentException("trainable parameters (" + trainableParams + ") must lie between 0 and the"
                    + " parameter count (" + params + ")");
        }
    }

    /** A model whose parameters all train. */
    public ModelSize(String name, long params, long largestLayerParams, Optional<TransformerShape> shape) {
        this(name, params, largestLayerParams, shape, params);
    }

    /** The same model with only {@code n} of its parameters trained (the rest frozen). */
    public ModelSize withTrainable(long n) {
        return new ModelSize(name, params, largestLayerParams, shape, n);
    }

    /** Whether some parameters are frozen. */
    public boolean hasFrozen() {
        return trainableParams < params;
    }

    /** Only a count, as from {@code --params}. */
    public static ModelSize ofParams(long params) {
        return new ModelSize(humanCount(params), params, 0, Optional.empty());
    }

    public ModelSize withLargestLayer(long largest) {
        return new ModelSize(name, params, largest, shape, trainableParams);
    }

    public ModelSize withShape(TransformerShape s) {
        return new ModelSize(name, params, largestLayerParams, Optional.of(s), trainableParams);
    }

    /** 7.5B, 560M, 1.2T: three significant digits. */
    public static String humanCount(long n) {
        String[] suffix = {"", "K", "M", "B", "T"};
        double v = n;
        int i = 0;
        while (v >= 1000 && i < suffix.length - 1) {
            v /= 1000;
            i++;
        }
        String s = String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s + suffix[i];
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %,d parameters%s, largest layer %,d", name, params,
                hasFrozen() ? String.format(Locale.ROOT, " (%,d trainable)", trainableParams) : "", largestLayerParams);
    }
}
