package org.medvlm.layers;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Whether the engine records operations for backward, per thread as in PyTorch. A thread the engine did not start
 * records by default (libtorch's thread-local default), so inference and optimizer updates run inside
 * {@link #noGrad}: no graph is built for parameters that carry gradients, and in-place updates of them are allowed.
 */
public final class Autograd {
    private Autograd() {}

    /** Runs {@code body} with recording off on this thread ({@code torch.no_grad()}), restoring the previous state. */
    public static <T> T noGrad(Supplier<T> body) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /** As {@link #noGrad(Supplier)} for code without a result. */
    public static void noGrad(Runnable body) {
        noGrad(() -> {
            body.run();
            return null;
        });
    }
}
