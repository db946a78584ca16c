package org.medvlm.zero;

import java.util.List;
import java.util.Locale;

/**
 * A GPU model and its memory. The catalogue gives the capacity {@code nvidia-smi} reports as total
 * memory (MiB × 2^20), which is what the CUDA allocator can at most hand out.
 *
 * @param name          the name a user types, e.g. {@code A100-40GB}
 * @param capacityBytes total device memory in bytes
 */
public record Gpu(String name, long capacityBytes) {
    public static final Gpu V100_32GB = new Gpu("V100-32GB", 32_768L << 20);
    public static final Gpu A100_40GB = new Gpu("A100-40GB", 40_960L << 20);
    public static final Gpu A100_80GB = new Gpu("A100-80GB", 81_920L << 20);
    /** H100 SXM 80GB HBM3: nvidia-smi reports 81,559 MiB. */
    public static final Gpu H100_80GB = new Gpu("H100-80GB", 81_559L << 20);

    public static final List<Gpu> CATALOGUE = List.of(V100_32GB, A100_40GB, A100_80GB, H100_80GB);

    public Gpu {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("GPU name is empty");
        }
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("GPU " + name + ": capacity must be positive, not " + capacityBytes);
        }
    }

    /** A GPU that is not in the catalogue. */
    public static Gpu custom(long capacityBytes) {
        return new Gpu("custom-" + String.format(Locale.ROOT, "%.1fGiB", Units.gib(capacityBytes)), capacityBytes);
    }

    /**
     * A catalogue name (case-insensitive, e.g. {@code a100-40gb}, {@code H100}), or a size for a
     * custom GPU ({@code 24GB}, {@code 24GiB}, {@code custom:24GiB}).
     */
    public static Gpu parse(String text) {
        String s = text.strip();
        for (Gpu g : CATALOGUE) {
            if (g.name.equalsIgnoreCase(s) || g.name.replace("-", "").equalsIgnoreCase(s.replace("-", ""))) {
                return g;
            }
        }
        if (s.equalsIgnoreCase("H100")) {
            return H100_80GB;
        }
        if (s.equalsIgnoreCase("V100")) {
            return V100_32GB;
        }
        String size = s.regionMatches(true, 0, "custom:", 0, 7) ? s.substring(7) : s;
        if (!size.isEmpty() && Character.isDigit(size.charAt(0))) {
            return custom(Units.parseBytes(size, "--gpu"));
        }
        throw new IllegalArgumentException("--gpu: unknown GPU " + Units.quote(text) + "; known: "
                + String.join(", ", CATALOGUE.stream().map(Gpu::name).toList()) + ", or a size such as 24GiB");
    }

    @Override
    public String toString() {
        return name + " (" + Units.both(capacityBytes) + ")";
    }
}
