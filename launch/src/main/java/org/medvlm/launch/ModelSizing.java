package org.medvlm.launch;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.layers.ConfigReader;
import org.medvlm.layers.Module;
import org.medvlm.qformer.QFormer;
import org.medvlm.train.TrainPresets;
import org.medvlm.train.TrainSettings;
import org.medvlm.vision.VisionTransformer;
import org.medvlm.vlm.LoraConfig;
import org.medvlm.vlm.VisionLanguageModel;
import org.medvlm.vlm.VlmConfig;
import org.medvlm.zero.ModelDescriptions;
import org.medvlm.zero.ModelPresets;
import org.medvlm.zero.ModelSize;
import org.medvlm.zero.TransformerShape;

/**
 * The planner's view of a model, counted on the module tree the loader and the trainer build, so a plan is for the
 * exact model a run trains: all parameters, the largest module's own parameters (what ZeRO-3 gathers at once), and
 * the trainable subset under a freezing policy. The planner itself ({@code org.medvlm.zero}) knows no tensors; its
 * closed-form counts ({@code BloomSize}, {@code VitSize}, ...) stay as the tests' oracle and for configs the toolkit
 * cannot build (timm Hub and open_clip configs).
 */
public final class ModelSizing {
    private static final Set<String> BUILT = Set.of("medvlm", "bloom", "timm_vit", "blip_2_qformer");

    private ModelSizing() {}

    /** A module tree's size; {@code shape} is the decoder's, for activation memory. */
    public static ModelSize of(String name, Module model, Optional<TransformerShape> shape) {
        long largest = model.namedModules().values().stream().mapToLong(Module::ownParameterCount).max().orElse(0);
        return new ModelSize(name, model.parameterCount(), largest, shape, model.trainableParameterCount());
    }

    /**
     * The size of the model a {@code config.json} (or a folder holding one) describes; for a VLM, {@code freeze}
     * (null: everything trains) marks what a run would freeze, with LoRA adapters of rank {@code loraR} for
     * {@code lora}. Configs the toolkit does not build are counted by {@link ModelDescriptions}.
     */
    public static ModelSize read(Path path, TrainSettings.Freeze freeze, int loraR) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return named(path.toString(), freeze, loraR);
        }
        Path file = Files.isDirectory(path) && Files.exists(path.resolve("config.json")) ? path.resolve("config.json") : path;
        if (!Files.isRegularFile(file)) {
            return ModelDescriptions.read(path); // its one-line errors: no such file, a device, a folder
        }
        ConfigReader c;
        try {
            c = ConfigReader.read(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        String type = c.string("model_type", "");
        if (!type.equals(VlmConfig.MODEL_TYPE) && freeze != null && freeze != TrainSettings.Freeze.NONE) {
            throw new IllegalArgumentException(file + ": --freeze applies to a medvlm model config, not to model_type '" + type + "'");
        }
        if (!BUILT.contains(type)) {
            return ModelDescriptions.read(path);
        }
        String name = file.getParent() != null ? file.getParent().getFileName().toString() : file.getFileName().toString();
        try {
            return switch (type) {
                case "bloom" -> {
                    BloomConfig b = BloomConfig.fromJson(c);
                    yield of(name, new Bloom(b), Optional.of(shape(b, 0)));
                }
                case "timm_vit" -> of(name, new VisionTransformer(VisionTransformer.Config.fromJson(c)), Optional.empty());
                case "blip_2_qformer" -> of(name, new QFormer(QFormer.Config.fromJson(c)), Optional.empty());
                default -> vlm(name, VlmConfig.fromJson(c, file.toAbsolutePath().getParent()), freeze, loraR);
            };
        } catch (IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            throw m.startsWith(file.toString()) ? e : new IllegalArgumentException(file + ": " + m, e);
        }
    }

    /**
     * A model by name, where no file has that name: a VLM preset of {@code train --preset} (biomedclip-bloomz-7b1,
     * tiny; sized on its module tree, {@code freeze} applied) or a part the planner knows ({@link ModelPresets}:
     * bloomz-7b1, biomedclip-vit-b16); else the one-line error names them all.
     */
    static ModelSize named(String name, TrainSettings.Freeze freeze, int loraR) {
        for (InitModel.Preset p : InitModel.Preset.values()) {
            if (p.cliName().equalsIgnoreCase(name.strip())) {
                return vlm(p.cliName(), InitModel.config(p), freeze, loraR);
            }
        }
        Optional<ModelSize> part = ModelPresets.named(name);
        if (part.isPresent()) {
            if (freeze != null && freeze != TrainSettings.Freeze.NONE) {
                throw new IllegalArgumentException(name + ": --freeze applies to a VLM (" + InitModel.Preset.names()
                        + "), not to the part model " + part.get().name());
            }
            return part.get();
        }
        boolean looksLikeAName = !name.contains("/") && !name.endsWith(".json");
        throw new IllegalArgumentException(name + ": no such file" + (looksLikeAName ? ", and not a model the planner knows by name ("
                + InitModel.Preset.names() + ", " + String.join(", ", ModelPresets.names()) + ")" : ""));
    }

    /** A VLM's size with what {@code freeze} leaves frozen (null: everything trains). */
    public static ModelSize vlm(String name, VlmConfig config, TrainSettings.Freeze freeze, int loraR) {
        VlmConfig withLora = freeze == TrainSettings.Freeze.LORA && config.lora() == null
                ? config.withLora(LoraConfig.bloom(loraR, 2.0 * loraR, 0.05)) : config;
        VisionLanguageModel tree = VisionLanguageModel.architecture(withLora);
        if (freeze != null) {
            TrainPresets.markFrozen(tree, freeze);
        }
        int prefix = config.qformer() != null ? config.numQueryTokens() : 0;
        return of(name, tree, Optional.of(shape(config.text(), prefix)));
    }

    private static TransformerShape shape(BloomConfig b, int visualTokens) {
        return new TransformerShape(b.hiddenSize(), b.nLayer(), b.nHead(), b.vocabSize(), visualTokens, b.attentionDropout() > 0);
    }

    /** The one-line JSON of a size, for messages and tests. */
    static JsonObject json(ModelSize s) {
        JsonObject o = new JsonObject();
        o.addProperty("params", s.params());
        o.addProperty("trainable", s.trainableParams());
        o.addProperty("largest_layer", s.largestLayerParams());
        return o;
    }
}
