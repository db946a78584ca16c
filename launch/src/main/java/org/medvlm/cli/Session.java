package org.medvlm.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What commands remember between calls: the datasets loaded by name, the loaded model. It lives as long
 * as its {@link Display}: one process in the terminal, one kernel in the notebook (so {@code %vlm load}
 * in one cell serves {@code %vlm ask} in the next). Keyed by type, so a command's state (a
 * {@link DatasetCatalog}, a {@link VlmSession}) needs no change here. There is no static state.
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
