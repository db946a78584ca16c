package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kernel start-up to first result and the median round trip of a trivial cell ({@code 1 + 1}) over 200
 * cells, through jupyter_client. The alternative a user would pick is IJava, ~80-100 ms per trivial cell
 * and ~52 ms per kernel_info on this machine when idle (shared/facts/jvm-kernel.md, B7), floored by the
 * base library's 50 ms polling sleep. IJava's jar is not on Maven Central, so the same comparison is also
 * run live: this kernel with the base library's polling loop put back ({@code -Dmedvlm.kernel.basePolling=true}),
 * interleaved under the same machine load.
 */
@Tag("benchmark")
class KernelBenchmark {
    /** IJava's measured median trivial cell on this machine (BK direct engine, Java 17). */
    static final double IJAVA_CELL_MS = 89;
    static final double IJAVA_KERNEL_INFO_MS = 52;

    @Test
    void startupAndTrivialCellRoundTrip() throws Exception {
        JupyterHarness.assumeJupyter();
        double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        JupyterHarness.Result r = JupyterHarness.python(1200, "bench.py", "200", "3");
        String out = JupyterHarness.clean(r.output());
        System.out.println(out);
        assertEquals(0, r.code(), out);
        double cell = number(out, "medvlm cells=\\d+ median_ms=([\\d.]+)");
        double baseCell = number(out, "base-polling cells=\\d+ median_ms=([\\d.]+)");
        double info = number(out, "medvlm kernel_info_median_ms=([\\d.]+)");
        double baseInfo = number(out, "base-polling kernel_info_median_ms=([\\d.]+)");
        System.out.printf("trivial cell median: %.1f ms; base-library polling loop %.1f ms (%.2fx); IJava idle reference ~%.0f ms (%.2fx)%n",
                cell, baseCell, baseCell / cell, IJAVA_CELL_MS, IJAVA_CELL_MS / cell);
        System.out.printf("kernel_info median: %.1f ms; base-library polling loop %.1f ms (%.2fx); IJava idle reference ~%.0f ms (%.2fx)%n",
                info, baseInfo, baseInfo / info, IJAVA_KERNEL_INFO_MS, IJAVA_KERNEL_INFO_MS / info);
        System.out.printf("machine load average at start: %.1f on %d CPUs (the IJava reference was measured idle)%n",
                load, Runtime.getRuntime().availableProcessors());
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new AssertionError("no " + regex + " in:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }
}
