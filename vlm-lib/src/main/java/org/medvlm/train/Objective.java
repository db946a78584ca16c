package org.medvlm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import ai.djl.ndarray.types.DataType;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.Module;

/**
 * What a run trains, the seam between the generic {@link Trainer} (optimizer, schedule, accumulation, checkpoints,
 * events) and a task: the VLM on question–answer pairs ({@link VqaObjective}), or a part's pre-training.
 */
public interface Objective extends AutoCloseable {

    /** One micro-batch encoded in plain Java (made on the data-loading thread). */
    interface Prepared {
        /** Examples in it. */
        int examples();

        /** Text tokens in it (for tokens/s). */
        int tokens();
    }

    /** What trains; its trainable parameters are marked (frozen ones are not). */
    Module model();

    /** The manager that owns the model's weights (the optimizer's state goes in a sub-manager of it). */
    NDManager manager();

    /** Training examples per epoch. */
    int trainSize();

    /** Encodes the training examples at {@code indices}; runs on the data-loading thread, so no engine arrays. */
    Prepared prepare(int[] indices);

    /** The mean loss of a prepared micro-batch, as an array of {@code step} (the training thread, recording). */
    NDArray loss(Prepared batch, NDManager step);

    /** The held-out evaluation after {@code step} updates. */
    RunEvents.Eval evaluate(long step, double epoch, double elapsedS);

    /** Writes the model folder (config, weights, tokenizer) that checkpoints and the final model hold. */
    void saveModel(Path folder) throws IOException;

    /** Loads the weights a checkpoint's {@link #saveModel} wrote (resuming), strictly. */
    default void restore(Path folder) throws IOException {
        try (StateDict weights = StateDict.open(folder.resolve("model.safetensors"))) {
            model().load(weights, manager(), DataType.FLOAT32);
        }
    }

    @Override
    default void close() {}
}
