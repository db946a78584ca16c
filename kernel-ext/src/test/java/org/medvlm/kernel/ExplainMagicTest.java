package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code %vlm explain} through a real Jupyter client (src/test/python/test_explain.py): one output with the image,
 * the heat map over it and the answer; the map as {@code last}; {@code --png}; one-line errors.
 */
class ExplainMagicTest {

    @Test
    void explainMagicThroughJupyterClient() throws Exception {
        JupyterHarness.assumeJupyter();
        JupyterHarness.Result r = JupyterHarness.python(600, "-m", "unittest", "-v", "test_explain");
        String out = JupyterHarness.clean(r.output());
        System.out.println(out);
        assertEquals(0, r.code(), "%vlm explain tests failed:\n" + out);
        assertTrue(out.contains("Ran 2 tests") && out.contains("\nOK\n"), out);
    }
}
