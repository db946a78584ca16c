package org.medvlm.cli;

import java.util.Optional;
import org.medvlm.vlm.VisionLanguageModel;

/**
 * What {@code vlm} commands remember between calls: the loaded model. Like {@link DatasetCatalog}, a
 * session belongs to one command tree unless the {@link Display} provides one: the notebook kernel's
 * display is a {@link Provider}, so {@code %vlm load} in one cell serves {@code %vlm ask} in the next,
 * and the kernel hands the same model to notebook code. There is no static state.
 */
public final class VlmSession implements AutoCloseable {
    private VisionLanguageModel model;
    private String modelSource;

    /** A display that owns the session (the kernel's); other displays get a fresh one per command tree. */
    public interface Provider {
        VlmSession vlmSession();
    }

    /** The display's session, or a new one where the display keeps none. */
    static VlmSession of(Display display) {
        return display instanceof Provider p ? p.vlmSession() : new VlmSession();
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
