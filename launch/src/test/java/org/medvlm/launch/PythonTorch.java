package org.medvlm.launch;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's /usr/bin/python3 with torch and Pillow, which the launch tests run the trainer with. Where it is missing
 * the tests are skipped with a message, or fail when the CI variable is set (launch/test-suite installs
 * python3-torch there).
 */
public final class PythonTorch {
    public static final String PYTHON = "/usr/bin/python3";
    private static Boolean available;

    private PythonTorch() {}

    public static String require() {
        if (available == null) {
            available = Files.isExecutable(Path.of(PYTHON))
                    && PythonEnv.run(List.of(PYTHON, "-c", "import torch, PIL"), Optional.empty(), 120).code() == 0;
        }
        if (!available) {
            String message = PYTHON + " with torch and Pillow is missing (apt-get install python3-torch python3-pil)";
            if (System.getenv("CI") != null) {
                fail(message + " and CI is set");
            }
            Assumptions.abort(message + ": skipped");
        }
        return PYTHON;
    }
}
