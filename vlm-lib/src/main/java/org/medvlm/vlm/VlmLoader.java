package org.medvlm.vlm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.medvlm.bloom.Bloom;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.ConfigReader;
import org.medvlm.vision.BiomedClipKeys;

/**
 * Reads model folders into a {@link VisionLanguageModel}: {@code config.json} ({@link VlmConfig}), the weights
 * ({@code model.safetensors} or a sharded index, composite keys) and {@code tokenizer.json} (in the folder, or in the
 * text part's folder). Parts given as folders in the config take their weights from there, in the part's own key
 * names (a vision folder may hold an open_clip BiomedCLIP file: its {@code visual.trunk.*} is used), unless the
 * composite's file has them. The whole model is then loaded in one strict call: a missing or unexpected key, or a
 * shape mismatch, fails naming the key and the folder, and nothing stays allocated.
 */
public final class VlmLoader {
    private VlmLoader() {}

    /** A manager for a model of its own, with DJL kept offline (nothing is ever downloaded). */
    static NDManager newManager() {
        Offline.ensure();
        return NDManager.newBaseManager();
    }

    /** Loads a model folder, converting floating-point weights to the compute type {@code dtype}. */
    public static VisionLanguageModel load(Path dir, DataType dtype) throws IOException {
        VlmConfig config = VlmConfig.read(dir);
        Tokenizer tokenizer = Tokenizer.read(tokenizerFile(dir, config),
                new Tokenizer.SpecialIds(config.text().eosTokenId(), config.text().paddingId()));
        NDManager manager = newManager();
        List<StateDict> opened = new ArrayList<>();
        try (StateDict weights = weights(dir, config, opened)) {
            VisionLanguageModel vlm = new VisionLanguageModel(config, tokenizer, manager);
            vlm.loadWeights(weights, dtype);
            return vlm;
        } catch (IOException | RuntimeException e) {
            tokenizer.close();
            manager.close();
            for (StateDict sd : opened) {
                sd.close();
            }
            String m = String.valueOf(e.getMessage());
            throw m.contains(dir.toString()) ? asIo(e) : new IOException(dir + ": " + m, e);
        }
    }

    private static IOException asIo(Exception e) {
        return e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }

    private static Path tokenizerFile(Path dir, VlmConfig config) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file) && config.partDir(VlmConfig.Part.TEXT).isPresent()) {
            return config.partDir(VlmConfig.Part.TEXT).get().resolve("tokenizer.json");
        }
        return file;
    }

    /** The composite's weights with the parts that live in part folders added under their composite prefixes. */
    private static StateDict weights(Path dir, VlmConfig config, List<StateDict> opened) throws IOException {
        StateDict own = hasWeights(dir) ? StateDict.open(dir) : StateDict.of(java.util.Map.of(), dir.toString());
        opened.add(own);
        boolean tied = config.text().tieWordEmbeddings();
        // BloomForCausalLM under language_model.: strip transformer., drop a stored tied head as HF does
        StateDict composite = own.renamed(k -> {
            if (!k.startsWith("language_model.")) {
                return k;
            }
            String rest = k.substring("language_model.".length());
            rest = rest.startsWith("transformer.") ? rest.substring("transformer.".length()) : rest;
            return tied && rest.equals("lm_head.weight") ? null : "language_model." + rest;
        });
        List<StateDict> parts = new ArrayList<>(List.of(composite));
        if (needsPartFolder(own, "vision_model.", config, VlmConfig.Part.VISION)) {
            StateDict sd = StateDict.open(config.partDir(VlmConfig.Part.VISION).get());
            opened.add(sd);
            parts.add(BiomedClipKeys.toTimm(sd).prefixed("vision_model."));
        }
        if (needsPartFolder(own, "language_model.", config, VlmConfig.Part.TEXT)) {
            StateDict sd = StateDict.open(config.partDir(VlmConfig.Part.TEXT).get());
            opened.add(sd);
            parts.add(Bloom.hfKeys(sd, tied).prefixed("language_model."));
        }
        return parts.size() == 1 ? composite : StateDict.union(parts, dir.toString());
    }

    private static boolean needsPartFolder(StateDict own, String prefix, VlmConfig config, VlmConfig.Part part) {
        boolean inComposite = own.keys().stream().anyMatch(k -> k.startsWith(prefix));
        return !inComposite && config.partDir(part).isPresent() && hasWeights(config.partDir(part).get());
    }

    static boolean hasWeights(Path dir) {
        return Files.isRegularFile(dir.resolve("model.safetensors")) || Files.isRegularFile(dir.resolve("model.safetensors.index.json"));
    }

    // ---------------------------------------------------------------- the built-in model

    /** The built-in small model with {@code fusion}. */
    public static VisionLanguageModel builtin(Fusion fusion) {
        return builtinRandom(fusion, 13);
    }

    /** The built-in architecture with fresh (untrained) weights for seed {@code seed}: for teaching. */
    public static VisionLanguageModel builtinRandom(Fusion fusion, long seed) {
        Tokenizer tokenizer = Tokenizer.builtin();
        try {
            return VisionLanguageModel.random(builtinConfig(fusion), tokenizer, seed);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** The built-in configuration ({@code builtin/config.json}, which holds both fusion parts) for {@code fusion}. */
    public static VlmConfig builtinConfig(Fusion fusion) {
        try (InputStream in = VlmLoader.class.getResourceAsStream("builtin/config.json")) {
            if (in == null) {
                throw new IllegalStateException("the built-in config.json resource is missing from the jar");
            }
            JsonObject root = ConfigReader.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in config.json");
            root.addProperty("fusion", fusion.key()); // the resource holds both fusion parts
            return VlmConfig.fromJson(ConfigReader.of(root, "built-in config.json"), Path.of("."));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
