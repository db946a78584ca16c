package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Jupyter project's kernel conformance suite (Debian's python3-jupyter-kernel-test) against the installed kernel. */
class KernelProtocolTest {

    @Test
    void jupyterKernelTestSuitePasses() throws Exception {
        JupyterHarness.assumeJupyter();
        JupyterHarness.Result r = JupyterHarness.python(600, "-m", "unittest", "-v", "test_protocol");
        String out = JupyterHarness.clean(r.output());
        System.out.println(out);
        assertEquals(0, r.code(), "jupyter_kernel_test failed:\n" + out);
        Matcher ran = Pattern.compile("Ran (\\d+) tests?").matcher(out);
        assertTrue(ran.find(), out);
        assertEquals(12, Integer.parseInt(ran.group(1)), "jupyter_kernel_test 0.4.5 has 12 tests");
        // every test has a sample, so nothing may be skipped
        assertTrue(out.contains("\nOK\n") && !out.contains("skipped"), "some tests were skipped:\n" + out);
    }
}
