package org.medvlm.layers;

import ai.djl.ndarray.types.Shape;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The random draws of one parameter's initialisation, from a Java stream seeded by the run's seed and the parameter's
 * key: reproducible on every machine and engine, and independent of the other parameters. Each method returns the
 * values in row-major order, as PyTorch's {@code nn.init} functions fill them.
 */
public final class Initializer {
    private final SplittableRandom random;
    private final Shape shape;

    Initializer(long seed, String key, Shape shape) {
        this.random = new SplittableRandom(mix(seed, fnv1a(key)));
        this.shape = shape;
    }

    /** N(0, std²) ({@code normal_}, HF's {@code initializer_range}). */
    public float[] normal(double std) {
        float[] out = new float[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (random.nextGaussian() * std);
        }
        return out;
    }

    /** N(0, std²) redrawn outside [-2, 2], timm's {@code trunc_normal_(std=...)} with its absolute default bounds. */
    public float[] truncNormal(double std) {
        float[] out = new float[size()];
        for (int i = 0; i < out.length; i++) {
            double v;
            do {
                v = random.nextGaussian() * std;
            } while (v < -2 || v > 2);
            out[i] = (float) v;
        }
        return out;
    }

    /** U(-bound, bound). */
    public float[] uniform(double bound) {
        float[] out = new float[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return out;
    }

    /**
     * PyTorch's default for {@code nn.Linear}/{@code nn.Conv2d} weights and PEFT's for {@code lora_A}:
     * {@code kaiming_uniform_(a=√5)}, i.e. U(±1/√fan_in).
     */
    public float[] kaimingUniform() {
        return uniform(1 / Math.sqrt(fanIn()));
    }

    /** PyTorch's default bias of a layer whose weight has fan-in {@code fanIn}: U(±1/√fan_in). */
    public float[] biasUniform(long fanIn) {
        return uniform(1 / Math.sqrt(fanIn));
    }

    /** All zeros. */
    public float[] zeros() {
        return new float[size()];
    }

    /** All {@code value}. */
    public float[] constant(double value) {
        float[] out = new float[size()];
        Arrays.fill(out, (float) value);
        return out;
    }

    /** Inputs per output unit: {@code shape[1] × receptive field} for weights of 2 or more axes, else the size. */
    public long fanIn() {
        if (shape.dimension() < 2) {
            return shape.size();
        }
        long receptive = 1;
        for (int i = 2; i < shape.dimension(); i++) {
            receptive *= shape.get(i);
        }
        return shape.get(1) * receptive;
    }

    private int size() {
        return Math.toIntExact(shape.size());
    }

    /** SplitMix64 of two values: independent streams for (seed, index) pairs. */
    public static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long fnv1a(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
