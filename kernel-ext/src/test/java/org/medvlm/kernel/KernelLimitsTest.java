package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * What used to stop the kernel, through a real Jupyter client, each case followed by a cell that must
 * run: magic arguments and cell bodies over 64 KiB, string constants over 64 KiB, System.exit /
 * Runtime.halt / exit on a background thread, 2,000,000 printed lines, a 50 MB value; and, on a kernel
 * without the exit guard, System.exit reported before the JVM ends. The cases are in
 * src/test/python/test_limits.py.
 */
class KernelLimitsTest {

    @Test
    void theKernelSurvivesAndTheNextCellRuns() throws Exception {
        JupyterHarness.assumeJupyter();
        JupyterHarness.Result r = JupyterHarness.python(900, "-m", "unittest", "-v", "test_limits");
        String out = JupyterHarness.clean(r.output());
        System.out.println(out);
        assertEquals(0, r.code(), "kernel limit tests failed:\n" + out);
        assertTrue(out.contains("Ran 8 tests") && out.contains("\nOK\n") && !out.contains("skipped"), out);
    }
}
