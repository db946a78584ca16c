package org.medvlm.testing;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the model-part tests that build arrays and files themselves: one {@link NDManager} per test class
 * (opened before its first test, closed after its last, so a test's arrays never outlive the class) and a
 * fresh temporary folder per test.
 */
public abstract class ManagerFixture {
    protected static NDManager manager;

    @TempDir
    protected Path dir;

    @BeforeAll
    static void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }
}
