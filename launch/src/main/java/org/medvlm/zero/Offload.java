package org.medvlm.zero;

import java.util.Locale;

/** Where DeepSpeed keeps offloaded optimizer states or parameters ({@code offload_*.device}). */
public enum Offload {
    NONE,
    CPU,
    /** ZeRO-Infinity; stage 3 only. */
    NVME;

    /** The value DeepSpeed's JSON uses. */
    public String device() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return device();
    }
}
