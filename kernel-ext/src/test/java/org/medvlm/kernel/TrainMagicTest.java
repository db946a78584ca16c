package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code %%train} through real Jupyter clients (src/test/python/test_train.py): a notebook's train cell executed by
 * nbclient streams the progress bar, the loss and score charts and the answer table; ■ and {@code %train stop} (of a
 * run in the background, whose view keeps updating after its cell ended) both leave a checkpoint that
 * {@code %vlm ask --model RUN_DIR} answers from; {@code %train attach} shows a run folder in the same view.
 */
class TrainMagicTest {

    @Test
    void trainMagicThroughJupyterClients() throws Exception {
        JupyterHarness.assumeJupyter();
        JupyterHarness.Result r = JupyterHarness.python(900, "-m", "unittest", "-v", "test_train");
        String out = JupyterHarness.clean(r.output());
        System.out.println(out);
        assertEquals(0, r.code(), "%%train tests failed:\n" + out);
        assertTrue(out.contains("Ran 4 tests") && out.contains("\nOK\n") && !out.contains("skipped"), out);
    }
}
