package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The kernel through a real Jupyter client: interrupting {@code while (true) {}} within 2 s, 500 cells
 * with a flat heap, magic errors with usage lines, short user stack traces, a throttled live chart.
 * The cases are in src/test/python/test_behaviour.py; they share one kernel.
 */
class KernelBehaviourTest {

    @Test
    void kernelBehavesThroughJupyterClient() throws Exception {
        JupyterHarness.assumeJupyter();
        JupyterHarness.Result r = JupyterHarness.python(900, "-m", "unittest", "-v", "test_behaviour");
        String out = JupyterHarness.clean(r.output());
        System.out.println(out);
        assertEquals(0, r.code(), "kernel behaviour tests failed:\n" + out);
        assertTrue(out.contains("Ran 9 tests") && out.contains("\nOK\n"), out);
    }
}
