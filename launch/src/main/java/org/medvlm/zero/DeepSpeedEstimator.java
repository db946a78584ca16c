package org.medvlm.zero;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * DeepSpeed's model-state estimators, reproduced to the byte: {@code estimate_zero2_model_states_mem_needs}
 * ({@code deepspeed/runtime/zero/stage_1_and_2.py}, the formula of DeepSpeed ≥ 0.14.3: 2P + 18P/T per
 * GPU without offload) and {@code estimate_zero3_model_states_mem_needs} ({@code stage3.py}), and
 * their {@code _all_cold} printouts.
 *
 * <p>DeepSpeed computes in Python floats and truncates with {@code int()}; the arithmetic here follows
 * the same operations in the same order in IEEE doubles, so every byte agrees. Its printed "GB" are
 * GiB (bytes / 2^30). CPU figures are per node, GPU figures per GPU.
 */
public final class DeepSpeedEstimator {
    /** DeepSpeed's {@code additional_buffer_factor} default. */
    public static final double BUFFER_FACTOR = 1.5;

    private DeepSpeedEstimator() {}

    /** {@code estimate_zero2_model_states_mem_needs(P, g, n, cpu_offload, f)}. */
    public static DeepSpeedEstimate zero2(long totalParams, int gpusPerNode, int nodes, boolean cpuOffload, double factor) {
        check(totalParams, gpusPerNode, nodes);
        checkFactor(factor);
        long totalGpus = (long) nodes * gpusPerNode;
        double cpu;
        long gpu;
        // products of integers stay integers, as in Python; only where they would leave a long are they doubles
        if (cpuOffload) {
            gpu = 2 * totalParams;
            cpu = product(totalParams, Math.max(4 * totalGpus, 16)) * factor;
        } else {
            gpu = 2 * totalParams + (long) ((double) (18 * totalParams) / totalGpus);
            cpu = product(totalParams, 4L * gpusPerNode) * factor;
        }
        return new DeepSpeedEstimate(ZeroStage.STAGE_2, Offload.NONE, cpuOffload ? Offload.CPU : Offload.NONE,
                Optional.empty(), bytes(cpu), gpu);
    }

    /** The stage-2 GPU figure of DeepSpeed ≤ 0.14.2 (still in its docs): 4P + 16P/T. */
    public static long zero2LegacyGpuBytes(long totalParams, int gpusPerNode, int nodes) {
        check(totalParams, gpusPerNode, nodes);
        return 4 * totalParams + (long) ((double) (16 * totalParams) / ((long) nodes * gpusPerNode));
    }

    /**
     * {@code estimate_zero3_model_states_mem_needs(P, L, g, n, cpu_offload, cpu_offload_params, zero_init, f)}.
     * As in DeepSpeed, parameter offload without optimizer offload is treated like no offload.
     */
    public static DeepSpeedEstimate zero3(long totalParams, long largestLayerParams, int gpusPerNode, int nodes,
                                          boolean cpuOffload, boolean cpuOffloadParams, boolean zeroInit, double factor) {
        check(totalParams, gpusPerNode, nodes);
        checkFactor(factor);
        if (largestLayerParams < 0) {
            throw new IllegalArgumentException("largest layer must not be negative, not " + largestLayerParams);
        }
        long totalGpus = (long) nodes * gpusPerNode;
        double gpusFactor = 1.0 / nodes;
        long largestLayerMemory = 4 * largestLayerParams;
        double cpu;
        long gpu;
        if (cpuOffload) {
            double states = cpuOffloadParams ? 18 : 16;
            gpu = cpuOffloadParams ? largestLayerMemory
                    : largestLayerMemory + (long) ((double) (2 * totalParams) / totalGpus);
            if (zeroInit) {
                cpu = product(totalParams, (long) states) * gpusFactor * factor;
            } else {
                double perNode = states * gpusFactor;
                long perProcess = 4L * gpusPerNode;
                // Python's max(int, float) keeps the int unless the float is larger; int × int stays exact
                cpu = perNode > perProcess ? totalParams * perNode * factor : product(totalParams, perProcess) * factor;
            }
        } else {
            gpu = largestLayerMemory + (long) ((double) (18 * totalParams) / totalGpus);
            cpu = zeroInit ? product(largestLayerParams, 4L * gpusPerNode) * factor
                    : product(totalParams, 4L * gpusPerNode) * factor;
        }
        Offload param = cpuOffload && cpuOffloadParams ? Offload.CPU : Offload.NONE;
        return new DeepSpeedEstimate(ZeroStage.STAGE_3, param, cpuOffload ? Offload.CPU : Offload.NONE,
                Optional.of(zeroInit), bytes(cpu), gpu);
    }

    /** a·b as Python's int × int then float(): exact while it fits a long, else rounded once. */
    private static double product(long a, long b) {
        try {
            return (double) Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return new java.math.BigDecimal(a).multiply(new java.math.BigDecimal(b)).doubleValue();
        }
    }

    /** The rows {@code estimate_zero2_model_states_mem_needs_all_cold} prints: offload cpu, then none. */
    public static List<DeepSpeedEstimate> zero2All(long totalParams, int gpusPerNode, int nodes, double factor) {
        return List.of(zero2(totalParams, gpusPerNode, nodes, true, factor), zero2(totalParams, gpusPerNode, nodes, false, factor));
    }

    /** The six rows {@code estimate_zero3_model_states_mem_needs_all_cold} prints, in its order. */
    public static List<DeepSpeedEstimate> zero3All(long totalParams, long largestLayerParams, int gpusPerNode, int nodes,
                                                   double factor) {
        List<DeepSpeedEstimate> rows = new ArrayList<>();
        for (boolean cpuOffload : new boolean[] {true, false}) {
            for (boolean cpuOffloadParams : new boolean[] {true, false}) {
                if (!cpuOffload && cpuOffloadParams) {
                    continue;
                }
                for (boolean zeroInit : new boolean[] {true, false}) {
                    rows.add(zero3(totalParams, largestLayerParams, gpusPerNode, nodes, cpuOffload, cpuOffloadParams, zeroInit, factor));
                }
            }
        }
        return List.copyOf(rows);
    }

    /** The rows as a table for a notebook: bytes, and GiB as DeepSpeed prints them (labelled "GB" there). */
    public static Table table(List<DeepSpeedEstimate> rows) {
        return Table.create("DeepSpeed estimate_zero" + (rows.isEmpty() ? "" : rows.get(0).stage().number()) + "_model_states_mem_needs",
                StringColumn.create("options", rows.stream().map(DeepSpeedEstimate::options).map(String::strip).toList()),
                DoubleColumn.create("per CPU GiB", rows.stream().mapToDouble(r -> Double.parseDouble(pythonFixed(Units.gib(r.cpuBytesPerNode()), 0))).toArray()),
                DoubleColumn.create("per GPU GiB", rows.stream().mapToDouble(r -> Double.parseDouble(pythonFixed(Units.gib(r.gpuBytesPerGpu()), 0))).toArray()),
                LongColumn.create("cpu bytes per node", rows.stream().mapToLong(DeepSpeedEstimate::cpuBytesPerNode).toArray()),
                LongColumn.create("gpu bytes per GPU", rows.stream().mapToLong(DeepSpeedEstimate::gpuBytesPerGpu).toArray()));
    }

    /** DeepSpeed's stage-2 printout, line for line. */
    public static String printZero2(long totalParams, int gpusPerNode, int nodes, double factor) {
        StringBuilder sb = header(gpusPerNode, nodes)
                .append("SW: Model with ").append((long) (totalParams / 1e6)).append("M total params.\n");
        return table(sb, zero2All(totalParams, gpusPerNode, nodes, factor));
    }

    /** DeepSpeed's stage-3 printout, line for line. */
    public static String printZero3(long totalParams, long largestLayerParams, int gpusPerNode, int nodes, double factor) {
        StringBuilder sb = header(gpusPerNode, nodes)
                .append("SW: Model with ").append((long) (totalParams / 1e6)).append("M total params, ")
                .append((long) (largestLayerParams / 1e6)).append("M largest layer params.\n");
        return table(sb, zero3All(totalParams, largestLayerParams, gpusPerNode, nodes, factor));
    }

    private static StringBuilder header(int gpusPerNode, int nodes) {
        return new StringBuilder("Estimated memory needed for params, optim states and gradients for a:\n")
                .append("HW: Setup with ").append(nodes).append(nodes > 1 ? " nodes, " : " node, ")
                .append(gpusPerNode).append(gpusPerNode > 1 ? " GPUs" : " GPU").append(" per node.\n");
    }

    private static String table(StringBuilder sb, List<DeepSpeedEstimate> rows) {
        sb.append("  per CPU  |  per GPU |   Options\n");
        for (DeepSpeedEstimate r : rows) {
            sb.append(row(r)).append('\n');
        }
        return sb.toString();
    }

    /** {@code f" {cpu/2**30:7.2f}GB | {gpu/2**30:6.2f}GB | {options}"}. */
    static String row(DeepSpeedEstimate r) {
        return " " + pythonFixed(r.cpuBytesPerNode() / 1073741824.0, 7) + "GB | "
                + pythonFixed(r.gpuBytesPerGpu() / 1073741824.0, 6) + "GB | " + r.options();
    }

    /**
     * Python's {@code format(x, "W.2f")}: the double's exact binary value rounded half-even (Java's
     * Formatter rounds the shortest decimal form half-up, which differs on some ties).
     */
    static String pythonFixed(double value, int width) {
        String s = new BigDecimal(value).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
        return " ".repeat(Math.max(0, width - s.length())) + s;
    }

    /** The largest {@code additional_buffer_factor} taken (DeepSpeed's default is 1.5). */
    public static final double MAX_BUFFER_FACTOR = 100;

    /**
     * DeepSpeed's figures exactly, or a refusal where they leave a long: Python's integers and floats do
     * not overflow, so an absurd input there gives an absurd number, here an error instead of a wrapped one.
     */
    private static long bytes(double value) {
        if (!(value < 0x1p63)) {
            throw new IllegalArgumentException("the estimate exceeds 2^63 bytes; beyond what is estimated here");
        }
        return (long) value;
    }

    private static void checkFactor(double factor) {
        if (!(factor > 0) || factor > MAX_BUFFER_FACTOR) {
            throw new IllegalArgumentException("additional_buffer_factor must lie in (0, " + (int) MAX_BUFFER_FACTOR + "], not " + factor);
        }
    }

    private static void check(long totalParams, int gpusPerNode, int nodes) {
        if (totalParams <= 0) {
            throw new IllegalArgumentException("total params must be positive, not " + totalParams);
        }
        if (gpusPerNode <= 0) {
            throw new IllegalArgumentException("GPUs per node must be positive, not " + gpusPerNode);
        }
        if (nodes <= 0) {
            throw new IllegalArgumentException("nodes must be positive, not " + nodes);
        }
        if (totalParams > ModelSize.MAX_PARAMS || (long) gpusPerNode * nodes > 1_000_000) {
            throw new IllegalArgumentException("beyond what is estimated here: at most 10^15 parameters and 10^6 GPUs");
        }
    }
}
