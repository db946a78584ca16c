package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which java gets {@code -Djava.security.manager=allow}: the kernel's exit guard needs it on Java 18 to 23 only. */
class InstallKernelCommandTest {
    private static final Path SELF = Path.of(System.getProperty("java.home"), "bin", "java");

    @Test
    void theFlagFollowsTheJavaVersion(@TempDir Path prefix) throws Exception {
        int feature = Runtime.version().feature();
        assertEquals(feature, InstallKernelCommand.javaFeatureVersion(SELF));
        assertEquals(feature >= 18 && feature <= 23, InstallKernelCommand.needsSecurityManagerFlag(SELF));
        CliRun run = CliRun.of("install-kernel", "--prefix", prefix.toString(), "--name", "flag", "--classpath", "/x");
        assertEquals(0, run.exitCode(), run.err());
        String argv = JsonParser.parseString(Files.readString(prefix.resolve("share/jupyter/kernels/flag/kernel.json")))
                .getAsJsonObject().getAsJsonArray("argv").toString();
        assertEquals(InstallKernelCommand.needsSecurityManagerFlag(SELF), argv.contains("-Djava.security.manager=allow"), argv);
        // a java that cannot be asked gets no flag
        assertEquals(0, InstallKernelCommand.javaFeatureVersion(prefix.resolve("no-java")));
        // another installed JDK, where this machine has one: 24 and later refuse the flag at start-up
        try (var jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path jdk : (Iterable<Path>) jdks::iterator) {
                Path java = jdk.resolve("bin/java");
                if (Files.isExecutable(java)) {
                    int v = InstallKernelCommand.javaFeatureVersion(java);
                    assertTrue(v >= 8, java + ": " + v);
                    assertEquals(v >= 18 && v <= 23, InstallKernelCommand.needsSecurityManagerFlag(java), java.toString());
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            assertFalse(Files.exists(Path.of("/usr/lib/jvm")));
        }
    }
}
