package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * What a new user tripped over, through a real Jupyter client (src/test/python/test_ux.py): the is_complete indent,
 * errors with the cell's lines and variable names, %help kept by saved and exported notebooks, Tab completion of magic
 * options, values and paths, "did you mean", short text forms, {@code %zero --model NAME}, whole DICOM headers.
 */
class KernelUxTest {

    @Test
    void newUsersStumblingBlocksThroughJupyterClient() throws Exception {
        JupyterHarness.assumeJupyter();
        JupyterHarness.Result r = JupyterHarness.python(600, "-m", "unittest", "-v", "test_ux");
        String out = JupyterHarness.clean(r.output());
        System.out.println(out);
        assertEquals(0, r.code(), "kernel UX tests failed:\n" + out);
        assertTrue(out.contains("Ran 8 tests") && out.contains("\nOK"), out);
    }
}
