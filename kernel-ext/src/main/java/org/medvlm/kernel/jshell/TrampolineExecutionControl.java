package org.medvlm.kernel.jshell;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * The JDK's in-process engine, kept for its {@link #stop()} (a CPU-bound {@code while (true) {}} can be
 * stopped on Java 17 and 25, unlike IJava's {@code Future.cancel}), with each snippet routed through
 * {@link Trampoline} so the kernel gets the real result object instead of a string.
 */
final class TrampolineExecutionControl extends LocalExecutionControl {
    private static final Method TRAMPOLINE = Trampoline.method();

    private final AtomicBoolean stopRequested;

    private TrampolineExecutionControl(AtomicBoolean stopRequested) {
        this.stopRequested = stopRequested;
    }

    @Override
    protected String invoke(Method doit) throws Exception {
        // an interrupt that came while the snippet was still compiling: the JDK's stop() only acts on
        // running user code, so without this check the snippet would start anyway
        if (stopRequested.get()) {
            throw new StoppedException();
        }
        synchronized (Trampoline.INVOKE_LOCK) {
            Trampoline.arm(doit);
            return super.invoke(TRAMPOLINE);
        }
    }

    /** Registers the engine with JShell's builder. */
    static ExecutionControlProvider provider(AtomicBoolean stopRequested) {
        return new ExecutionControlProvider() {
            @Override
            public String name() {
                return "medvlm-local";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return new TrampolineExecutionControl(stopRequested);
            }
        };
    }
}
