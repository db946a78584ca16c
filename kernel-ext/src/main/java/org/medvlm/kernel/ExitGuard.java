package org.medvlm.kernel;

import java.security.Permission;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import org.medvlm.kernel.jshell.JShellEngine;

/**
 * Keeps a cell from ending the kernel's JVM: a SecurityManager whose only check is {@link #checkExit},
 * which {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt} all call, from any code on any
 * thread. It refuses with {@link ExitRefusedException} until the kernel itself shuts down
 * ({@link #allowExit}). Every other permission is granted without a check, so nothing else changes.
 *
 * <p>Java 17 allows installing it (with a warning on the kernel's stderr, in Jupyter's log); Java 18 to 23
 * only with {@code -Djava.security.manager=allow}, which {@code medvlm install-kernel} adds for them;
 * Java 24 and later have no SecurityManager. Where it cannot be installed, the kernel still reports an
 * exit to the front end before the JVM ends (see {@link JavaKernel#reportExit}), but cannot prevent it.
 */
@SuppressWarnings("removal")
final class ExitGuard extends SecurityManager {
    private static volatile boolean kernelExiting;
    /** Where a refused exit on a thread other than the cell's is reported (JShell drops such threads' exceptions). */
    private static volatile Consumer<String> notices = line -> { };

    private ExitGuard() {}

    /** Installs the guard; false where this JVM does not allow a SecurityManager. */
    static boolean install() {
        // with a SecurityManager present, the common pool would be built with "innocuous" worker threads
        // (no context class loader): build it the ordinary way first
        ForkJoinPool.commonPool();
        try {
            System.setSecurityManager(new ExitGuard());
            return true;
        } catch (UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Whether the guard is the JVM's SecurityManager. */
    static boolean installed() {
        return System.getSecurityManager() instanceof ExitGuard;
    }

    /** Reports refused exits of threads a cell started to {@code sink}. */
    static void reportTo(Consumer<String> sink) {
        notices = sink;
    }

    /** Lets the kernel's own shutdown exit. */
    static void allowExit() {
        kernelExiting = true;
    }

    @Override
    public void checkExit(int status) {
        if (!kernelExiting) {
            ExitRefusedException refused = new ExitRefusedException(status);
            if (!JShellEngine.onCellThread()) {
                // the cell's own thread shows it as the cell's error; any other thread's uncaught exception is
                // dropped by JShell's thread group, so it is said here
                notices.accept("thread \"" + Thread.currentThread().getName() + "\": " + refused.getMessage());
            }
            throw refused;
        }
    }

    @Override
    public void checkPermission(Permission perm) {
        // the guard stays: replacing or removing it would only re-enable exit
        if (!kernelExiting && perm instanceof RuntimePermission && "setSecurityManager".equals(perm.getName())) {
            throw new SecurityException("the kernel's exit guard cannot be replaced");
        }
    }

    @Override
    public void checkPermission(Permission perm, Object context) {
        checkPermission(perm);
    }
}
