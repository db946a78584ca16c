package org.medvlm.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's {@code ../shared} folder (fact sheets, reference models, external files). CI has it; a
 * user's fresh clone does not, so tests that need it skip with a message instead of failing, except where the
 * environment variable {@code CI} is set: there a missing folder is a failure, so a broken CI checkout cannot turn
 * the reference checks into silent skips.
 */
public final class Shared {
    private Shared() {}

    /** The shared folder, or a skipped test when it is absent. */
    public static Path root() {
        String prop = System.getProperty("medvlm.shared");
        Path dir = prop != null ? Path.of(prop) : Path.of("..", "..", "shared");
        if (System.getenv("CI") != null && !Files.isDirectory(dir)) {
            throw new AssertionError("CI is set but ../shared is absent (" + dir.toAbsolutePath().normalize()
                    + "): the reference and external-file tests cannot run");
        }
        assumeTrue(Files.isDirectory(dir), "../shared is absent (" + dir.toAbsolutePath().normalize()
                + "): tests on the shared reference and external files are skipped");
        return dir.toAbsolutePath().normalize();
    }

    /** A file or folder under the shared folder; skips the test when it is absent. */
    public static Path path(String relative) {
        Path p = root().resolve(relative);
        if (System.getenv("CI") != null && !Files.exists(p)) {
            throw new AssertionError("CI is set but the shared file is absent: " + p);
        }
        assumeTrue(Files.exists(p), "shared file absent: " + p);
        return p;
    }

    /** The project root (the folder with the parent pom). */
    public static Path projectRoot() {
        String prop = System.getProperty("medvlm.root");
        return (prop != null ? Path.of(prop) : Path.of("..")).toAbsolutePath().normalize();
    }
}
