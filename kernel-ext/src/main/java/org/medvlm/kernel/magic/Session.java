package org.medvlm.kernel.magic;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * State that lives as long as one kernel: the datasets a notebook loaded by name, a loaded model.
 * Keyed by type, so a command's state (e.g. a dataset catalogue) needs no change here. Commands reach it
 * through the notebook's display ({@link KernelDisplay#session()}); notebook code through
 * {@code Notebook.session()}.
 */
public final class Session {
    private final Map<Class<?>, Object> state = new LinkedHashMap<>();

    /** The session's instance of {@code type}, made on first use. */
    public synchronized <T> T get(Class<T> type, Supplier<? extends T> create) {
        return type.cast(state.computeIfAbsent(type, k -> create.get()));
    }

    /** The session's instance of {@code type}, if one was made. */
    public synchronized <T> java.util.Optional<T> find(Class<T> type) {
        return java.util.Optional.ofNullable(type.cast(state.get(type)));
    }

    @Override
    public synchronized String toString() {
        return "Session" + state.keySet().stream().map(Class::getSimpleName).toList();
    }
}
