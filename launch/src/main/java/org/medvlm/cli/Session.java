package org.medvlm.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What commands remember between calls: the datasets loaded by name, the loaded model. It lives as long
 * as its {@link Display}: one process in the terminal, one kernel in the notebook (so {@code %vlm load}
 * in one cell serves {@code %vlm ask} in the next). Keyed by type, so a command's state (a
 * {@link DatasetCatalog}, a {@link VlmSession}) needs no change here. There is no static state.
 *
 * <p>Closing it closes every state that is {@link AutoCloseable} (the model's native memory), newest
 * first, and forgets all of them; the terminal closes it when the command ends, the kernel at shutdown.
 */
public final class Session implements AutoCloseable {
    private final Map<Class<?>, Object> state = new LinkedHashMap<>();

    /** The session's instance of {@code type}, made on first use. */
    public synchronized <T> T get(Class<T> type, Supplier<? extends T> create) {
        return type.cast(state.computeIfAbsent(type, k -> create.get()));
    }

    /** The session's instance of {@code type}, if one was made. */
    public synchronized <T> Optional<T> find(Class<T> type) {
        return Optional.ofNullable(type.cast(state.get(type)));
    }

    /**
     * Closes the states that hold resources, newest first, and empties the session. One that fails to
     * close does not keep the others open; the first failure is thrown after all were tried.
     */
    @Override
    public void close() {
        List<Object> values;
        synchronized (this) {
            values = new ArrayList<>(state.values());
            state.clear();
        }
        Collections.reverse(values);
        RuntimeException first = null;
        for (Object v : values) {
            if (v instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e instanceof RuntimeException r ? r : new IllegalStateException("closing " + v.getClass().getSimpleName() + " failed", e);
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public synchronized String toString() {
        return "Session" + state.keySet().stream().map(Class::getSimpleName).toList();
    }
}
