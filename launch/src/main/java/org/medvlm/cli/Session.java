package org.medvlm.cli;

import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import org.medvlm.vlm.VisionLanguageModel;

/**
 * What commands remember between calls in one notebook: the loaded VLM. The session belongs to the
 * {@link Display} the commands write to, so a kernel (one display) keeps one session for its lifetime and
 * a terminal run (a fresh display per process) starts empty. The kernel reaches the same object through
 * {@link #of(Display)} to hand the loaded model to notebook code.
 */
public final class Session {
    private static final Map<Display, Session> SESSIONS = new WeakHashMap<>();

    private VisionLanguageModel model;
    private String modelSource;

    /** The session of a display, made on first use. */
    public static Session of(Display display) {
        synchronized (SESSIONS) {
            return SESSIONS.computeIfAbsent(display, d -> new Session());
        }
    }

    /** The loaded model, if {@code vlm load} ran in this session. */
    public synchronized Optional<VisionLanguageModel> model() {
        return Optional.ofNullable(model);
    }

    /** Where the loaded model came from ({@code built-in} or its folder). */
    public synchronized Optional<String> modelSource() {
        return Optional.ofNullable(modelSource);
    }

    /** Keeps {@code next} as the session's model; the one it replaces is closed (its native memory freed). */
    public synchronized void setModel(VisionLanguageModel next, String source) {
        if (model != null && model != next) {
            model.close();
        }
        model = next;
        modelSource = source;
    }

    /** Frees what the session holds. */
    public synchronized void close() {
        setModel(null, null);
    }
}
