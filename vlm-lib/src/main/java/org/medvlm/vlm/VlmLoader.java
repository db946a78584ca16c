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

    /** Where the built-in model's files live in the jar ({@code builtin/...}). */
    private static final String BUILTIN = "builtin/";

    /**
     * The built-in small model with {@code fusion}: the shipped trained weights ({@code builtin/vlm/} for the Q-Former
     * fusion, {@code builtin/vlm-gated/} for the gated one), made by the commands in their README.md. Where a jar has no
     * trained weights for a fusion, the pre-trained parts with a fresh fusion ({@link #builtinParts}).
     */
    public static VisionLanguageModel builtin(Fusion fusion) {
        String folder = BUILTIN + (fusion == Fusion.QFORMER ? "vlm" : "vlm-gated") + "/";
        if (VlmLoader.class.getResource(folder + "model.safetensors") == null) {
            return builtinParts(fusion, 0);
        }
        try (Extracted dir = Extracted.of(folder, List.of("config.json", "model.safetensors", "tokenizer.json"))) {
            return load(dir.path(), DataType.FLOAT32);
        } catch (IOException e) {
            throw new UncheckedIOException("the built-in model in the jar is unreadable: " + e.getMessage(), e);
        }
    }

    /**
     * The built-in architecture with its shipped pre-trained vision tower ({@code builtin/vision/}) and language model
     * ({@code builtin/text/}) and a fresh fusion seeded by {@code seed}: where the {@code tiny} preset's training
     * starts. Without shipped parts (a jar built before they were trained), every part is fresh.
     */
    public static VisionLanguageModel builtinParts(Fusion fusion, long seed) {
        VlmConfig config = builtinConfig(fusion);
        boolean shipped = VlmLoader.class.getResource(BUILTIN + "vision/model.safetensors") != null
                && VlmLoader.class.getResource(BUILTIN + "text/model.safetensors") != null;
        if (!shipped) {
            return builtinRandom(fusion, seed);
        }
        Tokenizer tokenizer = Tokenizer.builtin();
        NDManager manager = newManager();
        try (Extracted vision = Extracted.of(BUILTIN + "vision/", List.of("model.safetensors"));
             Extracted text = Extracted.of(BUILTIN + "text/", List.of("model.safetensors"));
             StateDict v = StateDict.open(vision.path());
             StateDict t = StateDict.open(text.path())) {
            VisionLanguageModel vlm = new VisionLanguageModel(config, tokenizer, manager);
            java.util.function.Predicate<String> parts = k -> k.startsWith("vision_model.") || k.startsWith("language_model.");
            vlm.load(StateDict.union(List.of(v.prefixed("vision_model."), t.prefixed("language_model.")), "built-in parts"),
                    manager, DataType.FLOAT32, parts);
            vlm.initialize(manager, vlm.initPolicy(), seed, parts.negate());
            return vlm;
        } catch (IOException | RuntimeException e) {
            tokenizer.close();
            manager.close();
            throw e instanceof IOException io ? new UncheckedIOException("the built-in parts in the jar are unreadable: "
                    + io.getMessage(), io) : (RuntimeException) e;
        }
    }

    /**
     * Writes the shipped pre-trained {@code part} ({@link VlmConfig.Part#VISION} or {@link VlmConfig.Part#TEXT}) as a part
     * folder (config.json, model.safetensors) to {@code dir}, so a launched run of the {@code tiny} presets starts where
     * a local one does; false (nothing written) where the jar has no such part.
     */
    public static boolean writeBuiltinPart(VlmConfig.Part part, Path dir) throws IOException {
        String folder = BUILTIN + switch (part) {
            case VISION -> "vision/";
            case TEXT -> "text/";
            default -> throw new IllegalArgumentException("no shipped " + part + " part");
        };
        if (VlmLoader.class.getResource(folder + "model.safetensors") == null) {
            return false;
        }
        Files.createDirectories(dir);
        for (String name : List.of("config.json", "model.safetensors")) {
            copyResource(folder + name, dir.resolve(name));
        }
        return true;
    }

    /**
     * A resource of the jar copied to {@code target}; a missing one is named. Both callers write into folders of their
     * own (a temporary extraction, a launch's init folder that is moved into the run atomically), so no fsync here.
     */
    private static void copyResource(String resource, Path target) throws IOException {
        try (InputStream in = VlmLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("built-in " + resource + " is missing from the jar");
            }
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
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
        try (InputStream in = VlmLoader.class.getResourceAsStream(BUILTIN + "config.json")) {
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

    /**
     * Resource files copied to a private temporary folder, because the checkpoint reader maps files; the folder is
     * deleted when closed (the weights are in memory by then).
     */
    private record Extracted(Path path) implements AutoCloseable {
        static Extracted of(String folder, List<String> names) throws IOException {
            Path dir = Files.createTempDirectory("medvlm-builtin-");
            for (String name : names) {
                copyResource(folder + name, dir.resolve(name));
            }
            return new Extracted(dir);
        }

        @Override
        public void close() throws IOException {
            try (var files = Files.list(path)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(path);
        }
    }
}
