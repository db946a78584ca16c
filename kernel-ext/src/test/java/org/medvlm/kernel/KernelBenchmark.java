package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kernel start-up to first result and the median round trip of a trivial cell over 200 cells, through
 * jupyter_client. The alternative a user would pick is IJava: ~80-100 ms per trivial cell and ~50 ms per
 * kernel_info on this machine (shared/facts/jvm-kernel.md, B7), floored by the base library's 50 ms
 * polling sleep, which this kernel replaces with a blocking poll.
 */
@Tag("benchmark")
class KernelBenchmark {
    /** IJava's measured median trivial cell on this machine (BK direct engine, Java 17: 89 ms; Java 25: 82 ms). */
    static final double IJAVA_CELL_MS = 89;
    static final double IJAVA_KERNEL_INFO_MS = 52;

    @Test
    void startupAndTrivialCellRoundTrip() throws Exception {
        JupyterHarness.assumeJupyter();
        JupyterHarness.Result r = JupyterHarness.python(900, "bench.py", "200", "3");
        String out = JupyterHarness.clean(r.output());
        System.out.println(out);
        assertEquals(0, r.code(), out);
        double median = number(out, "median_ms=([\\d.]+)");
        double info = number(out, "kernel_info_median_ms=([\\d.]+)");
        System.out.printf("trivial cell: median %.1f ms vs IJava ~%.0f ms -> %.1fx faster%n", median, IJAVA_CELL_MS, IJAVA_CELL_MS / median);
        System.out.printf("kernel_info: median %.1f ms vs IJava ~%.0f ms -> %.1fx faster%n", info, IJAVA_KERNEL_INFO_MS, IJAVA_KERNEL_INFO_MS / info);
        System.out.println("start-up to first result (ms, per start): " + out.lines().filter(l -> l.contains("first_result_ms")).findFirst().orElse("?"));
        System.out.println("machine load average: " + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()
                + " on " + Runtime.getRuntime().availableProcessors() + " CPUs");
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new AssertionError("no " + regex + " in:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }
}
