package org.medvlm.check;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.ConfigReader;

/**
 * Runs one kind of model on the inputs stored in a reference file and compares its outputs with the
 * stored ones. Implementations read {@code config} (the model folder's config.json), load
 * {@code weights}, and take inputs and expected outputs from {@code reference} through
 * {@link ModelChecks#tensor}, so a missing entry is reported by name.
 */
@FunctionalInterface
public interface ModelCheck {
    CheckResult run(ConfigReader config, StateDict weights, Map<String, NDArray> reference, NDManager manager);
}
