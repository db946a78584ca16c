package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every notebook under notebooks/ is executed by nbclient (the engine of {@code jupyter nbconvert
 * --execute}) on the installed kernel, and each code cell's outputs are checked against its tags
 * (see src/test/python/run_notebook.py): image/png where a chart or image is promised, HTML tables with
 * {@code <img} thumbnails, update_display_data for live displays, and no error outputs.
 */
class NotebookTest {

    @Test
    void notebooksRunAndShowWhatTheirCellsPromise() throws Exception {
        JupyterHarness.assumeJupyter();
        Path dir = Path.of(System.getProperty("medvlm.root", ".."), "notebooks").toAbsolutePath().normalize();
        List<String> args = new ArrayList<>(List.of("run_notebook.py"));
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".ipynb")).sorted().forEach(p -> args.add(p.toString()));
        }
        assertFalse(args.size() == 1, "no notebooks in " + dir);
        Path saved = Path.of("target/executed-notebooks").toAbsolutePath();
        args.addAll(List.of("--save", saved.toString()));
        JupyterHarness.Result r = JupyterHarness.python(900, args.toArray(String[]::new));
        String out = JupyterHarness.clean(r.output());
        System.out.println(out);
        assertEquals(0, r.code(), "notebook check failed:\n" + out);
    }
}
