package org.medvlm.cli;

import org.medvlm.zero.Gpu;
import org.medvlm.zero.ModelSize;
import org.medvlm.zero.Units;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The option converters every command shares, so the same kind of bad value gets the same message and
 * exit code ({@link Medvlm#EXIT_USAGE}) everywhere: {@code vlm ask --n 0} like {@code zero --gpus 0}.
 * picocli puts {@code Invalid value for option '--n': } in front of the message; the value is echoed at
 * most 80 characters long ({@link Units#quote}).
 *
 * <p>Use: {@code @Option(names = "--n", converter = Converters.PositiveInt.class) int n;}. Bounds that
 * differ per option are small subclasses ({@link Layers}, {@link TokenCount}), since picocli makes
 * converters from their class.
 */
public final class Converters {
    /** The longest answer a command asks the model for (tokens); the model side has its own bound. */
    public static final int MAX_NEW_TOKENS = 4096;

    private Converters() {}

    /** A whole number in [min, max]. */
    public abstract static class BoundedInt implements ITypeConverter<Integer> {
        private final long min;
        private final long max;

        protected BoundedInt(long min, long max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public Integer convert(String value) {
            long v;
            if (value.length() > 100) {
                throw new TypeConversionException(Units.quote(value) + " is not a whole number (" + value.length() + " characters)");
            }
            try {
                v = Long.parseLong(value.strip().replace("_", ""));
            } catch (NumberFormatException e) {
                boolean digits = value.strip().replace("_", "").matches("[+-]?[0-9]+");
                throw new TypeConversionException(Units.quote(value) + (digits ? " is too large (at most " + max + ")" : " is not a whole number"));
            }
            if (v < min) {
                throw new TypeConversionException(Units.quote(value) + (min == 0 ? " must not be negative" : " must be at least " + min));
            }
            if (v > max) {
                throw new TypeConversionException(Units.quote(value) + " is too large (at most " + max + ")");
            }
            return (int) v;
        }
    }

    /** 1 or more. */
    public static final class PositiveInt extends BoundedInt {
        public PositiveInt() {
            super(1, Integer.MAX_VALUE);
        }
    }

    /** 0 or more. */
    public static final class NonNegativeInt extends BoundedInt {
        public NonNegativeInt() {
            super(0, Integer.MAX_VALUE);
        }
    }

    /** Tokens to generate: 1 to {@link #MAX_NEW_TOKENS}. */
    public static final class TokenCount extends BoundedInt {
        public TokenCount() {
            super(1, MAX_NEW_TOKENS);
        }
    }

    /** Transformer layers: 1 to 10,000 (BLOOM-176B has 70). */
    public static final class Layers extends BoundedInt {
        public Layers() {
            super(1, 10_000);
        }
    }

    /** A width such as a hidden size or a head count: 1 to 1,000,000. */
    public static final class Width extends BoundedInt {
        public Width() {
            super(1, 1_000_000);
        }
    }

    /** GPUs: 1 to 1,000,000. */
    public static final class GpuCount extends BoundedInt {
        public GpuCount() {
            super(1, 1_000_000);
        }
    }

    /** Sequences or tokens of a batch: 1 to 100,000,000. */
    public static final class BatchSize extends BoundedInt {
        public BatchSize() {
            super(1, 100_000_000);
        }
    }

    /** A count with decimal K/M/B/T suffixes (7.5B, 560M), 1 to 10^15. */
    public static final class Count implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long v;
            try {
                v = Units.parseCount(value, "count");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage().replaceFirst("^count: ", ""));
            }
            if (v > ModelSize.MAX_PARAMS) {
                throw new TypeConversionException(Units.quote(value) + " is too large (at most 10^15)");
            }
            return v;
        }
    }

    /** A number in a range; NaN and the infinities are refused as malformed, not passed on. */
    public abstract static class BoundedDouble implements ITypeConverter<Double> {
        private final double min;
        private final boolean minInclusive;
        private final double max;

        protected BoundedDouble(double min, boolean minInclusive, double max) {
            this.min = min;
            this.minInclusive = minInclusive;
            this.max = max;
        }

        @Override
        public Double convert(String value) {
            double v;
            if (value.length() > 100) {
                throw new TypeConversionException(Units.quote(value) + " is not a number (" + value.length() + " characters)");
            }
            try {
                v = Double.parseDouble(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException(Units.quote(value) + " is not a number");
            }
            if (!Double.isFinite(v)) {
                throw new TypeConversionException(Units.quote(value) + " is not a finite number");
            }
            if (minInclusive ? v < min : v <= min) {
                throw new TypeConversionException(Units.quote(value) + (min == 0 ? (minInclusive ? " must not be negative" : " must be positive")
                        : " must be at least " + min));
            }
            if (v > max) {
                throw new TypeConversionException(Units.quote(value) + " is too large (at most " + max + ")");
            }
            return v;
        }
    }

    /** More than 0, finite. */
    public static final class PositiveDouble extends BoundedDouble {
        public PositiveDouble() {
            super(0, false, Double.MAX_VALUE);
        }
    }

    /** 0 or more, finite (a tolerance). */
    public static final class NonNegativeDouble extends BoundedDouble {
        public NonNegativeDouble() {
            super(0, true, Double.MAX_VALUE);
        }
    }

    /** DeepSpeed's additional_buffer_factor: more than 0, at most 100 (its default is 1.5). */
    public static final class BufferFactor extends BoundedDouble {
        public BufferFactor() {
            super(0, false, 100);
        }
    }

    /** A learning rate: more than 0, at most 10. */
    public static final class LearningRate extends BoundedDouble {
        public LearningRate() {
            super(0, false, 10);
        }
    }

    /** A memory size: 24GB (10^9), 24GiB (2^30), 512MiB or bytes. */
    public static final class ByteSize implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Units.parseBytes(value, "size");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage().replaceFirst("^size: ", ""));
            }
        }
    }

    /** A GPU from the catalogue (A100-40GB, H100-80GB, ...) or a size. */
    public static final class GpuModel implements ITypeConverter<Gpu> {
        @Override
        public Gpu convert(String value) {
            try {
                return Gpu.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage().replaceFirst("^--gpu: ", ""));
            }
        }
    }

    /**
     * A usage error found after parsing (two options that exclude each other, an option without the one
     * it needs): the same one line and exit code as a parse error.
     */
    static CommandLine.ParameterException usage(CommandLine.Model.CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
