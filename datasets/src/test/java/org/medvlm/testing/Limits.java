package org.medvlm.testing;

import java.util.HashMap;
import java.util.Map;
import org.medvlm.io.Limit;

/** Sets limits for the length of a test and puts the previous values back: {@code try (var l = Limits.set(...))}. */
public final class Limits implements AutoCloseable {
    private final Map<String, String> before = new HashMap<>();

    private Limits() {}

    /** Sets {@code limit} to {@code value} until {@link #close}. */
    public static Limits set(Limit limit, long value) {
        return new Limits().and(limit, value);
    }

    /** Sets one more. */
    public Limits and(Limit limit, long value) {
        before.putIfAbsent(limit.property(), System.getProperty(limit.property()));
        System.setProperty(limit.property(), Long.toString(value));
        return this;
    }

    /** Sets a system property (not a limit) until {@link #close}. */
    public static Limits property(String name, String value) {
        Limits l = new Limits();
        l.before.put(name, System.getProperty(name));
        System.setProperty(name, value);
        return l;
    }

    @Override
    public void close() {
        before.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }
}
