package org.medvlm.cli;

import java.util.Optional;
import org.medvlm.vlm.VisionLanguageModel;

/**
 * What {@code vlm} commands remember between calls: the loaded model. It is kept in the display's
 * {@link Session}, so in a notebook {@code %vlm load} in one cell serves {@code %vlm ask} in the next.
 */
public final class VlmSession implements AutoCloseable {
    private VisionLanguageModel model;
    private String modelSource;

    /** The model state of {@code display}'s session. */
    static VlmSession of(Display display) {
        return display.session().get(VlmSession.class, VlmSession::new);
    }

    /** The loaded model, if {@code vlm load} (or a first {@code vlm ask}) ran in this session. */
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
        modelSource = next == null ? null : source;
    }

    /** Frees the model. */
    @Override
    public synchronized void close() {
        setModel(null, null);
    }
}
