package org.medvlm.check;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.ConfigReader;

/**
 * The checks by {@code model_type}, and the run that {@code medvlm check} performs: read
 * {@code DIR/config.json}, open the weights ({@code model.safetensors} or a sharded index), load the
 * reference file and dispatch.
 */
public final class ModelChecks {
    /** The tolerance of {@code medvlm check}: float32 models against float32 references. */
    public static final double TOLERANCE = 1e-4;

    /** The dispatch point: one entry per {@code model_type}, as the config.json files of transformers and timm name it. */
    private static final Map<String, ModelCheck> CHECKS = Map.of(
            "bloom", new BloomCheck(),
            "timm_vit", new VitCheck(),
            "blip_2_qformer", new QFormerCheck());

    private ModelChecks() {}

    /** The model types {@link #run} can check. */
    public static java.util.Set<String> modelTypes() {
        return new TreeSet<>(CHECKS.keySet());
    }

    /** Runs the model in {@code modelDir} on {@code referenceFile}'s inputs and compares its outputs. */
    public static CheckResult run(Path modelDir, Path referenceFile, NDManager manager) throws IOException {
        if (!Files.isDirectory(modelDir)) {
            throw new NoSuchFileException(modelDir.toString(), null, "not a model folder (config.json + safetensors)");
        }
        Path configFile = modelDir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new NoSuchFileException(configFile.toString(), null, "no config.json in the model folder");
        }
        ConfigReader config = ConfigReader.read(configFile);
        if (!config.has("model_type")) {
            throw new IllegalArgumentException(configFile + ": no model_type (expected one of " + modelTypes() + ")");
        }
        String type = config.string("model_type", "");
        ModelCheck check = CHECKS.get(type);
        if (check == null) {
            throw new IllegalArgumentException(configFile + ": model_type '" + type + "' is not supported (supported: "
                    + modelTypes() + ")");
        }
        if (!Files.isRegularFile(referenceFile)) {
            throw new NoSuchFileException(referenceFile.toString(), null, "reference file not found");
        }
        try (NDManager m = manager.newSubManager();
             StateDict weights = StateDict.open(modelDir);
             StateDict reference = StateDict.open(referenceFile)) {
            Map<String, NDArray> ref = reference.toMap(m);
            try {
                return check.run(config, weights, ref, m);
            } catch (MissingReferenceException e) {
                throw new IllegalArgumentException(referenceFile + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                String msg = String.valueOf(e.getMessage());
                throw msg.contains(modelDir.toString()) ? e : new IllegalArgumentException(modelDir + ": " + msg, e);
            }
        }
    }

    /** A reference entry, or an error naming it and listing what the reference holds. */
    public static NDArray tensor(Map<String, NDArray> reference, String name) {
        NDArray a = reference.get(name);
        if (a == null) {
            throw new MissingReferenceException("no '" + name + "' in the reference (it holds " + new TreeSet<>(reference.keySet()) + ")");
        }
        return a;
    }

    /**
     * The largest absolute difference between an output and its reference, both as float32. Shapes
     * must agree; a mismatch names the output and both shapes.
     */
    public static double maxAbsDiff(String name, NDArray actual, NDArray expected) {
        if (!actual.getShape().equals(expected.getShape())) {
            throw new IllegalArgumentException(name + ": the model gives shape " + actual.getShape() + ", the reference "
                    + expected.getShape());
        }
        NDArray a = actual.toType(DataType.FLOAT32, false);
        NDArray e = expected.toType(DataType.FLOAT32, false).toDevice(a.getDevice(), false);
        NDArray diff = a.sub(e).abs();
        if (diff.isNaN().any().getBoolean()) {
            return Double.NaN;
        }
        return diff.max().getFloat();
    }

    /** A reference file without an input or output a check needs. */
    static final class MissingReferenceException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        MissingReferenceException(String message) {
            super(message);
        }
    }
}
