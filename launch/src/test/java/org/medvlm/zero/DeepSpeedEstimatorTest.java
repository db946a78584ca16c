package org.medvlm.zero;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.medvlm.testing.Shared;

/** DeepSpeed's estimate_zero2/zero3_model_states_mem_needs, to the byte, and its printed layout. */
class DeepSpeedEstimatorTest {

    /** One row of the test-vector table. */
    record Vector(long params, int gpus, String stage, String offload, String zeroInit, long cpuBytes, String cpuGib,
                  long gpuBytes, String gpuGib, String legacyGib) {}

    static List<Vector> vectors() throws IOException {
        List<Vector> out = new ArrayList<>();
        try (InputStream in = DeepSpeedEstimatorTest.class.getResourceAsStream("deepspeed-vectors.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                out.add(new Vector(new BigDecimal(f[0]).longValueExact(), Integer.parseInt(f[1]), f[2], f[3], f[4],
                        Long.parseLong(f[5]), f[6], Long.parseLong(f[7]), f[8], f[9]));
            }
        }
        return out;
    }

    /** The test vectors' largest layer: bloom-560m's 250,880 × 1,024 embedding, bloom-7b1's 250,880 × 4,096 otherwise. */
    private static long largestLayer(long params) {
        return params == 560_000_000L ? 250_880L * 1_024 : 250_880L * 4_096;
    }

    private static DeepSpeedEstimate compute(Vector v) {
        if (v.stage().equals("Z2")) {
            return DeepSpeedEstimator.zero2(v.params(), v.gpus(), 1, v.offload().endsWith("/cpu"), 1.5);
        }
        String[] parts = v.offload().split("/");
        return DeepSpeedEstimator.zero3(v.params(), largestLayer(v.params()), v.gpus(), 1, parts[1].equals("cpu"),
                parts[0].equals("cpu"), v.zeroInit().equals("1"), 1.5);
    }

    @Test
    void all72VectorsToTheByte() throws IOException {
        List<Vector> vs = vectors();
        assertEquals(72, vs.size());
        for (Vector v : vs) {
            DeepSpeedEstimate e = compute(v);
            String where = v.toString();
            assertEquals(v.cpuBytes(), e.cpuBytesPerNode(), where);
            assertEquals(v.gpuBytes(), e.gpuBytesPerGpu(), where);
            assertEquals(v.cpuGib(), DeepSpeedEstimator.pythonFixed(e.cpuBytesPerNode() / 1073741824.0, 0), where);
            assertEquals(v.gpuGib(), DeepSpeedEstimator.pythonFixed(e.gpuBytesPerGpu() / 1073741824.0, 0), where);
            if (v.stage().equals("Z2")) {
                long legacy = v.offload().endsWith("/cpu") ? 2 * v.params() : DeepSpeedEstimator.zero2LegacyGpuBytes(v.params(), v.gpus(), 1);
                assertEquals(v.legacyGib(), DeepSpeedEstimator.pythonFixed(legacy / 1073741824.0, 0), where);
            }
        }
    }

    /** The resource is the fact sheet's table, transcribed: checked against the sheet when it is present. */
    @Test
    void vectorsMatchTheFactSheet() throws IOException {
        String sheet = Files.readString(Shared.path("facts/zero-memory.md"));
        Pattern row = Pattern.compile("(?m)^\\| (560e6|7\\.07e9|7\\.5e9) \\| (\\d+) \\| (Z[23]) \\| (\\S+) \\| (\\S+) \\| ([\\d,]+) \\| ([\\d.]+) \\| ([\\d,]+) \\| ([\\d.]+) \\|");
        Matcher m = row.matcher(sheet);
        List<Vector> vs = vectors();
        int i = 0;
        while (m.find()) {
            Vector v = vs.get(i++);
            assertEquals(v.cpuBytes(), Long.parseLong(m.group(6).replace(",", "")));
            assertEquals(v.gpuBytes(), Long.parseLong(m.group(8).replace(",", "")));
        }
        assertEquals(72, i);
    }

    @Test
    void printedLayoutFor7b1On8Gpus() {
        String expected = """
                Estimated memory needed for params, optim states and gradients for a:
                HW: Setup with 1 node, 8 GPUs per node.
                SW: Model with 7070M total params.
                  per CPU  |  per GPU |   Options
                  316.05GB |  13.17GB | offload_optimizer=cpu\s
                  316.05GB |  27.98GB | offload_optimizer=none
                Estimated memory needed for params, optim states and gradients for a:
                HW: Setup with 1 node, 8 GPUs per node.
                SW: Model with 7070M total params, 1027M largest layer params.
                  per CPU  |  per GPU |   Options
                  177.78GB |   3.83GB | offload_param=cpu , offload_optimizer=cpu , zero_init=1
                  316.05GB |   3.83GB | offload_param=cpu , offload_optimizer=cpu , zero_init=0
                  158.03GB |   5.47GB | offload_param=none, offload_optimizer=cpu , zero_init=1
                  316.05GB |   5.47GB | offload_param=none, offload_optimizer=cpu , zero_init=0
                   45.94GB |  18.64GB | offload_param=none, offload_optimizer=none, zero_init=1
                  316.05GB |  18.64GB | offload_param=none, offload_optimizer=none, zero_init=0
                """;
        String actual = DeepSpeedEstimator.printZero2(7_070_000_000L, 8, 1, 1.5)
                + DeepSpeedEstimator.printZero3(7_070_000_000L, 1_027_604_480L, 8, 1, 1.5);
        assertEquals(expected, actual);
    }

    /** The docs' t5-3b example (2851e6 params, 32e6 largest layer, 1 × 8 GPUs) reproduces with the current code. */
    @Test
    void docsT5Example() {
        List<String> rows = DeepSpeedEstimator.zero3All(2_851_000_000L, 32_000_000L, 8, 1, 1.5).stream()
                .map(e -> DeepSpeedEstimator.pythonFixed(e.cpuBytesPerNode() / 1073741824.0, 0) + "/"
                        + DeepSpeedEstimator.pythonFixed(e.gpuBytesPerGpu() / 1073741824.0, 0))
                .toList();
        assertEquals(List.of("71.69/0.12", "127.45/0.12", "63.72/0.78", "127.45/0.78", "1.43/6.09", "127.45/6.09"), rows);
        List<DeepSpeedEstimate> z2 = DeepSpeedEstimator.zero2All(2_851_000_000L, 8, 1, 1.5);
        assertEquals("5.31", DeepSpeedEstimator.pythonFixed(z2.get(0).gpuBytesPerGpu() / 1073741824.0, 0));
        assertEquals("11.28", DeepSpeedEstimator.pythonFixed(z2.get(1).gpuBytesPerGpu() / 1073741824.0, 0));
        assertEquals("15.93", DeepSpeedEstimator.pythonFixed(DeepSpeedEstimator.zero2LegacyGpuBytes(2_851_000_000L, 8, 1) / 1073741824.0, 0));
    }

    @Test
    void multiNodeUsesTotalGpusForOffloadAndPerNodeCountOtherwise() {
        // 2 nodes × 8: the offload CPU term uses T = 16, the no-offload one g = 8
        DeepSpeedEstimate offload = DeepSpeedEstimator.zero2(1_000_000_000L, 8, 2, true, 1.5);
        assertEquals(1_000_000_000L * 64 * 3 / 2, offload.cpuBytesPerNode());
        DeepSpeedEstimate none = DeepSpeedEstimator.zero2(1_000_000_000L, 8, 2, false, 1.5);
        assertEquals(1_000_000_000L * 32 * 3 / 2, none.cpuBytesPerNode());
        assertEquals(2_000_000_000L + 18_000_000_000L / 16, none.gpuBytesPerGpu());
        // zero_init=0 with 4 nodes of 1 GPU: max(4·1, 18/4 = 4.5) picks the float, P·4.5·1.5
        DeepSpeedEstimate z3 = DeepSpeedEstimator.zero3(1_000_000_001L, 10, 1, 4, true, true, false, 1.5);
        assertEquals((long) (1_000_000_001L * 4.5 * 1.5), z3.cpuBytesPerNode());
        String header = DeepSpeedEstimator.printZero2(1_000_000_000L, 1, 2, 1.5).lines().toList().get(1);
        assertEquals("HW: Setup with 2 nodes, 1 GPU per node.", header);
    }

    @Test
    void tableForNotebooks() {
        tech.tablesaw.api.Table t = DeepSpeedEstimator.table(DeepSpeedEstimator.zero3All(7_070_000_000L, 1_027_604_480L, 8, 1, 1.5));
        assertEquals(6, t.rowCount());
        assertEquals(45.94, t.doubleColumn("per CPU GiB").get(4));
        assertEquals(20_017_917_920L, t.longColumn("gpu bytes per GPU").get(4));
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> DeepSpeedEstimator.zero2(0, 1, 1, true, 1.5));
        assertThrows(IllegalArgumentException.class, () -> DeepSpeedEstimator.zero2(10, 0, 1, true, 1.5));
        assertThrows(IllegalArgumentException.class, () -> DeepSpeedEstimator.zero3(10, -1, 1, 1, true, true, true, 1.5));
    }

    @Test
    void pythonRoundingOfTies() {
        // 0.125 is exact in binary: Python rounds half to even (0.12); 0.375 → 0.38
        assertEquals("   0.12", DeepSpeedEstimator.pythonFixed(0.125, 7));
        assertEquals("  0.38", DeepSpeedEstimator.pythonFixed(0.375, 6));
        // 2.675 is 2.67499999... in binary: 2.67, as Python prints
        assertEquals("2.67", DeepSpeedEstimator.pythonFixed(2.675, 0));
    }
}
