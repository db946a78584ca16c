package org.medvlm.kernel.jshell;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The method JShell's {@code LocalExecutionControl} runs instead of a snippet's {@code do_it$}. The JDK
 * engine only hands back the value's {@code toString}; calling the snippet through here parks the real
 * object so the kernel can render it (an image, a chart), and returns a key that comes back as the
 * snippet's "value".
 *
 * <p>Internal: public only because the JDK invokes it reflectively.
 */
public final class Trampoline {
    // one invocation at a time per JVM: the engine holds INVOKE_LOCK while the JDK runs call()
    static final Object INVOKE_LOCK = new Object();
    private static volatile Method target;
    private static volatile Object parked;
    private static volatile boolean hasParked;
    /** The thread running a cell's snippet right now, or null. */
    static volatile Thread cellThread;

    static final String KEY = "medvlm-trampoline-value";

    private Trampoline() {}

    /** Runs the pending snippet method; its exception propagates unwrapped, as if the JDK called it. */
    public static String call() throws Throwable {
        Method m = target;
        target = null;
        m.setAccessible(true);
        cellThread = Thread.currentThread();
        try {
            parked = m.invoke(null);
            hasParked = true;
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            cellThread = null;
        }
        return KEY;
    }

    static Method method() {
        try {
            return Trampoline.class.getMethod("call");
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    static void arm(Method doit) {
        target = doit;
        parked = null;
        hasParked = false;
    }

    /** The value of the last snippet run, or null; clears it so no cell result outlives its cell. */
    static Object take() {
        Object v = parked;
        parked = null;
        hasParked = false;
        return v;
    }

    static boolean hasValue() {
        return hasParked;
    }
}
