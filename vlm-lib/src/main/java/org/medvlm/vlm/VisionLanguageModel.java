package org.medvlm.vlm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.bloom.BloomLm;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.fusion.FlamingoFusion;
import org.medvlm.generate.CausalLm;
import org.medvlm.generate.GenerationConfig;
import org.medvlm.generate.Generator;
import org.medvlm.layers.RandomWeights;
import org.medvlm.qformer.QFormer;
import org.medvlm.qformer.QFormerProjector;
import org.medvlm.vision.BiomedClipKeys;
import org.medvlm.vision.Preprocess;
import org.medvlm.vision.VisionTransformer;

/**
 * The medical VLM: a ViT reads the image, a fusion turns its tokens into something BLOOM can use, and
 * BLOOM answers the question put into the prompt template. Two fusions, chosen in {@code config.json}:
 * <ul>
 *   <li>{@link Fusion#QFORMER} (BLIP-2): {@code query_tokens} [1, Q, hq] attend to the image tokens in the
 *       {@code qformer}; {@code language_projection} maps them to BLOOM's width and they are put before the
 *       prompt's embeddings, so the LM sees [Q visual tokens | left padding | prompt].</li>
 *   <li>{@link Fusion#GATED} (Flamingo): a {@code perceiver} resamples the image tokens to latents, and
 *       tanh-gated cross-attention blocks before BLOOM's layers read them; the prompt alone is the input.</li>
 * </ul>
 * Checkpoint keys are the composite's, as Hugging Face's {@code Blip2ForConditionalGeneration} names
 * them: {@code vision_model.*} (timm names), {@code query_tokens}, {@code qformer.*},
 * {@code language_projection.*}, {@code language_model.*} (BLOOM names, with or without
 * {@code transformer.}); the gated fusion adds {@code perceiver.*} and {@code gated_cross_attn_layers.*}.
 *
 * <pre>{@code
 * try (VisionLanguageModel vlm = VisionLanguageModel.builtin()) {
 *     Answer a = vlm.ask(ImageIO.read(new File("scan.png")), "Is there a lesion?");
 * }
 * }</pre>
 */
public final class VisionLanguageModel implements AutoCloseable {
    private static final long VISION_SEED = 11;
    private static final long FUSION_SEED = 12;
    private static final long TEXT_SEED = 13;

    private final VlmConfig config;
    private final NDManager manager;
    private final Tokenizer tokenizer;
    private final Preprocess preprocess;
    private final VisionTransformer vision;
    private final QFormerProjector projector; // QFORMER fusion, else null
    private final FlamingoFusion flamingo; // GATED fusion, else null
    private final Bloom bloom;

    private VisionLanguageModel(VlmConfig config, NDManager manager, Tokenizer tokenizer, VisionTransformer vision,
            QFormerProjector projector, FlamingoFusion flamingo, Bloom bloom) {
        this.config = config;
        this.manager = manager;
        this.tokenizer = tokenizer;
        this.vision = vision;
        this.projector = projector;
        this.flamingo = flamingo;
        this.bloom = bloom;
        Preprocess clip = Preprocess.biomedClip();
        this.preprocess = new Preprocess(vision.config().imgSize(), clip.mean(), clip.std());
    }

    // ---------------------------------------------------------------- construction

    /** The built-in small model with the Q-Former fusion, in a manager of its own. */
    public static VisionLanguageModel builtin() {
        return builtin(Fusion.QFORMER);
    }

    /** The built-in small model with the given fusion, in a manager of its own. */
    public static VisionLanguageModel builtin(Fusion fusion) {
        NDManager m = newManager();
        Tokenizer tokenizer = null;
        try {
            tokenizer = Tokenizer.builtin();
            return random(builtinConfig(fusion), tokenizer, m);
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            m.close();
            throw e;
        }
    }

    /**
     * The built-in small model (ViT 64 px, 2 blocks of width 64; Q-Former of 2 layers and 8 queries, or a
     * perceiver of 8 latents; BLOOM of 2 layers, width 64, over the built-in tokenizer's 299 tokens) with
     * deterministic random weights: the same on every call and every machine with the same engine.
     * Its arrays live in a sub-manager of {@code parent}.
     */
    public static VisionLanguageModel builtin(Fusion fusion, NDManager parent) {
        return random(builtinConfig(fusion), Tokenizer.builtin(), parent.newSubManager());
    }

    /** The built-in configuration ({@code builtin/config.json}, which holds both fusion parts) for {@code fusion}. */
    public static VlmConfig builtinConfig(Fusion fusion) {
        try (InputStream in = VisionLanguageModel.class.getResourceAsStream("builtin/config.json")) {
            if (in == null) {
                throw new IllegalStateException("the built-in config.json resource is missing from the jar");
            }
            JsonObject root = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
            VlmConfig c = VlmConfig.fromJson(root, Path.of("."));
            // the resource holds both fusion parts; the model keeps the one it uses
            return c.withFusion(fusion, c.part(fusion == Fusion.GATED ? VlmConfig.Part.GATED : VlmConfig.Part.QFORMER));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A model of configuration {@code config} with deterministic random weights (fixed seeds; gates at 0),
     * owning {@code manager} and {@code tokenizer}.
     */
    public static VisionLanguageModel random(VlmConfig config, Tokenizer tokenizer, NDManager manager) {
        Parts p = Parts.of(config);
        VisionTransformer vit = VisionTransformer.random(p.vision(), manager, VISION_SEED);
        QFormerProjector projector = null;
        FlamingoFusion flamingo = null;
        if (config.fusion() == Fusion.QFORMER) {
            projector = QFormerProjector.random(p.qformer(), p.text().hiddenSize(), manager, FUSION_SEED);
        } else {
            flamingo = new FlamingoFusion(p.gated());
            flamingo.loadStateDict(RandomWeights.of(flamingo, manager, FUSION_SEED));
        }
        Bloom bloom = new Bloom(p.text());
        bloom.loadStateDict(RandomWeights.of(bloom, manager, TEXT_SEED));
        return new VisionLanguageModel(config, manager, tokenizer, vit, projector, flamingo, bloom);
    }

    /** Loads a model folder (config.json, safetensors, tokenizer.json) into a manager of its own. */
    public static VisionLanguageModel load(Path dir) throws IOException {
        NDManager m = newManager();
        try {
            return load(dir, m);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Loads a model folder into {@code manager} (which the model then owns and closes): {@code config.json}
     * ({@link VlmConfig}), the weights ({@code model.safetensors} or a sharded index) and
     * {@code tokenizer.json} (in the folder, or in the text part's folder). Parts given as folders in the
     * config take their weights from there, in the part's own key names (a vision folder may hold an open_clip
     * BiomedCLIP file: its {@code visual.trunk.*} is used), unless the composite's file has them.
     * Loading is strict: a missing or unexpected key, or a shape mismatch, fails naming the key.
     */
    public static VisionLanguageModel load(Path dir, NDManager manager) throws IOException {
        VlmConfig config = VlmConfig.read(dir);
        Parts p;
        try {
            p = Parts.of(config);
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.resolve("config.json") + ": " + e.getMessage(), e);
        }
        Path tokenizerFile = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerFile) && config.partDir(VlmConfig.Part.TEXT).isPresent()) {
            tokenizerFile = config.partDir(VlmConfig.Part.TEXT).get().resolve("tokenizer.json");
        }
        Tokenizer tokenizer = Tokenizer.read(tokenizerFile,
                new Tokenizer.SpecialIds(p.text().eosTokenId(), p.text().paddingId()));
        boolean ok = false;
        StateDict own = null;
        List<StateDict> opened = new ArrayList<>();
        try {
            own = hasWeights(dir) ? StateDict.open(dir) : StateDict.of(Map.of(), dir.toString());
            opened.add(own);
            StateDict visionDict = partDict(own, "vision_model.", config, VlmConfig.Part.VISION, opened);
            VisionTransformer vit = VisionTransformer.load(p.vision(), visionDict, manager);
            QFormerProjector projector = null;
            FlamingoFusion flamingo = null;
            if (config.fusion() == Fusion.QFORMER) {
                projector = QFormerProjector.load(p.qformer(), p.text().hiddenSize(), own, manager);
            } else {
                flamingo = new FlamingoFusion(p.gated());
                StateDict fusionDict = own.filtered(k -> k.startsWith("perceiver.") || k.startsWith("gated_cross_attn_layers."));
                flamingo.loadStateDict(fusionDict.toMap(manager));
            }
            StateDict textDict = partDict(own, "language_model.", config, VlmConfig.Part.TEXT, opened);
            Bloom bloom = Bloom.load(p.text(), textDict.toMap(manager));
            VisionLanguageModel vlm = new VisionLanguageModel(config, manager, tokenizer, vit, projector, flamingo, bloom);
            ok = true;
            return vlm;
        } catch (RuntimeException e) {
            throw new IOException(dir + ": " + e.getMessage(), e);
        } finally {
            for (StateDict sd : opened) {
                sd.close();
            }
            if (!ok) {
                tokenizer.close();
            }
        }
    }

    private static boolean hasWeights(Path dir) {
        return Files.isRegularFile(dir.resolve("model.safetensors")) || Files.isRegularFile(dir.resolve("model.safetensors.index.json"));
    }

    /** A part's weights: the composite's keys under {@code prefix}, or else the part folder's own file. */
    private static StateDict partDict(StateDict own, String prefix, VlmConfig config, VlmConfig.Part part,
            List<StateDict> opened) throws IOException {
        boolean inComposite = own.keys().stream().anyMatch(k -> k.startsWith(prefix));
        if (inComposite || config.partDir(part).isEmpty() || !hasWeights(config.partDir(part).get())) {
            return own.under(prefix);
        }
        StateDict sd = StateDict.open(config.partDir(part).get());
        opened.add(sd);
        // a vision folder may be an open_clip file (BiomedCLIP, converted to safetensors): keep its trunk
        return part == VlmConfig.Part.VISION ? BiomedClipKeys.toTimm(sd) : sd;
    }

    private static NDManager newManager() {
        Offline.ensure();
        return NDManager.newBaseManager();
    }

    // ---------------------------------------------------------------- saving

    /** Every weight under its composite key, in checkpoint order (vision, fusion, language model). */
    public Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        vision.stateDict().forEach((k, v) -> out.put("vision_model." + k, v));
        if (projector != null) {
            out.putAll(projector.stateDict());
        } else {
            out.putAll(flamingo.stateDict());
        }
        bloom.stateDict().forEach((k, v) -> out.put("language_model." + k, v));
        return out;
    }

    /**
     * Writes a model folder that {@link #load} reads back: {@code config.json} (parts nested),
     * {@code model.safetensors} and {@code tokenizer.json}; each file atomically.
     */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), stateDict());
        new VlmConfig(config.fusion(), config.numQueryTokens(), config.prompt(), config.maxNewTokens(), config.parts(), Map.of())
                .write(dir);
        tokenizer.writeTo(dir.resolve("tokenizer.json"));
    }

    // ---------------------------------------------------------------- inference

    /** Answers one question about one image with the config's default length (greedy). */
    public Answer ask(BufferedImage image, String question) {
        return ask(image, question, config.maxNewTokens());
    }

    /** Answers one question about one image, greedily, in at most {@code maxNewTokens} tokens. */
    public Answer ask(BufferedImage image, String question, int maxNewTokens) {
        return ask(List.of(image), List.of(question), maxNewTokens).get(0);
    }

    /** Answers question i about image i, as one left-padded batch, greedily. */
    public List<Answer> ask(List<BufferedImage> images, List<String> questions, int maxNewTokens) {
        return ask(images, questions, generation(maxNewTokens));
    }

    /** The generation settings {@link #ask} uses: greedy, stopping at EOS or a newline token, padding with pad. */
    public GenerationConfig generation(int maxNewTokens) {
        return GenerationConfig.greedy(maxNewTokens).withStopTokens(stopTokens()).withPadTokenId(tokenizer.padId());
    }

    /**
     * Answers question i about image i as one batch, with any decoding {@code generation} describes (beam
     * search, sampling with a seed); its stop and padding tokens should come from {@link #generation}.
     */
    public List<Answer> ask(List<BufferedImage> images, List<String> questions, GenerationConfig generation) {
        if (images.size() != questions.size() || images.isEmpty()) {
            throw new IllegalArgumentException("need as many questions as images (at least one), got "
                    + images.size() + " images and " + questions.size() + " questions");
        }
        long start = System.nanoTime();
        List<long[]> generated;
        try (NDManager step = manager.newSubManager()) {
            NDArray features = vision.forwardFeatures(preprocess.apply(images, step)); // (B, N, D)
            CausalLm lm = projector != null
                    ? BloomLm.of(bloom).withPrefix(projector.forward(features)) // (B, Q, C) before the prompt
                    : flamingo.languageModel(bloom, features);
            generated = Generator.generate(lm, step, prompts(questions), generation);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            long[] ids = withoutStop(generated.get(i), generation.stopTokens());
            answers.add(new Answer(images.get(i), questions.get(i), clean(tokenizer.decode(ids)), ids, seconds));
        }
        return answers;
    }

    /**
     * The LM's logits over the prompt tokens, [B, T, vocab] (T = the longest prompt, rows left-padded),
     * owned by {@code step}: what generation's first step sees, for inspection and tests.
     */
    public NDArray promptLogits(List<BufferedImage> images, List<String> questions, NDManager step) {
        long[][] prompts = prompts(questions);
        int width = Arrays.stream(prompts).mapToInt(p -> p.length).max().orElse(0);
        long[] ids = new long[prompts.length * width];
        long[] mask = new long[prompts.length * width];
        for (int r = 0; r < prompts.length; r++) {
            int pad = width - prompts[r].length;
            Arrays.fill(ids, r * width, r * width + pad, tokenizer.padId());
            System.arraycopy(prompts[r], 0, ids, r * width + pad, prompts[r].length);
            Arrays.fill(mask, r * width + pad, (r + 1) * width, 1L);
        }
        Shape shape = new Shape(prompts.length, width);
        NDArray idArray = step.create(ids, shape);
        NDArray maskArray = step.create(mask, shape);
        NDArray features = vision.forwardFeatures(preprocess.apply(images, step));
        NDArray embeds = bloom.embed(idArray);
        if (projector != null) {
            NDArray prefix = projector.forward(features);
            long p = prefix.getShape().get(1);
            NDArray all = NDArrays.concat(new NDList(prefix, embeds), 1);
            NDArray allMask = step.ones(new Shape(prompts.length, p), DataType.INT64).concat(maskArray, 1);
            NDArray hidden = bloom.forward(all, allMask, null);
            return bloom.lmHead(hidden.get(new NDIndex(":, {}:, :", p)));
        }
        List<UnaryOperator<NDArray>> hooks = flamingo.hooks(flamingo.resample(features));
        return bloom.lmHead(bloom.forward(embeds, maskArray, null, hooks));
    }

    private long[][] prompts(List<String> questions) {
        long[][] out = new long[questions.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = tokenizer.encode(config.prompt().apply(questions.get(i)));
            if (out[i].length == 0) {
                throw new IllegalArgumentException("the prompt for question " + i + " encodes to no tokens");
            }
        }
        return out;
    }

    /** EOS, and the newline token where the tokenizer has one (BLOOM's): an answer is one line. */
    private List<Long> stopTokens() {
        List<Long> stop = new ArrayList<>(List.of(tokenizer.eosId()));
        long[] newline = tokenizer.encode("\n");
        if (newline.length == 1) {
            stop.add(newline[0]);
        }
        return stop;
    }

    private static long[] withoutStop(long[] ids, List<Long> stop) {
        return ids.length > 0 && stop.contains(ids[ids.length - 1]) ? Arrays.copyOf(ids, ids.length - 1) : ids;
    }

    private static String clean(String text) {
        int nl = text.indexOf('\n');
        return (nl >= 0 ? text.substring(0, nl) : text).strip();
    }

    // ---------------------------------------------------------------- inspection

    public VlmConfig config() {
        return config;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The language model alone (for comparisons: with gates at 0 the gated VLM equals it). */
    public Bloom languageModel() {
        return bloom;
    }

    public VisionTransformer visionModel() {
        return vision;
    }

    /** One part of the model in {@link Summary}. */
    public record PartSummary(String name, String description, long parameters) {}

    /**
     * What a model is made of: parts with their parameter counts, the fusion and the prompt template.
     * {@code toString()} is a short table for the terminal.
     */
    public record Summary(Fusion fusion, List<PartSummary> parts, String promptTemplate) {
        public Summary {
            parts = List.copyOf(parts);
        }

        public long parameters() {
            return parts.stream().mapToLong(PartSummary::parameters).sum();
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "VLM, fusion %s, %s parameters%n",
                    fusion.key(), count(parameters())));
            for (PartSummary p : parts) {
                sb.append(String.format(Locale.ROOT, "  %-20s %10s  %s%n", p.name(), count(p.parameters()), p.description()));
            }
            return sb.append("  prompt: ").append(promptTemplate).toString();
        }

        /** One row per part, as the notebook shows it. */
        public tech.tablesaw.api.Table table() {
            return tech.tablesaw.api.Table.create(String.format(Locale.ROOT, "VLM, fusion %s: %s parameters; prompt %s",
                            fusion.key(), count(parameters()), promptTemplate),
                    tech.tablesaw.api.StringColumn.create("part", parts.stream().map(PartSummary::name)),
                    tech.tablesaw.api.LongColumn.create("parameters", parts.stream().mapToLong(PartSummary::parameters)),
                    tech.tablesaw.api.StringColumn.create("description", parts.stream().map(PartSummary::description)));
        }

        private static String count(long n) {
            return n >= 1_000_000 ? String.format(Locale.ROOT, "%.2f M", n / 1e6)
                    : n >= 1_000 ? String.format(Locale.ROOT, "%.1f k", n / 1e3) : Long.toString(n);
        }
    }

    public Summary summary() {
        List<PartSummary> parts = new ArrayList<>();
        VisionTransformer.Config v = vision.config();
        parts.add(new PartSummary("vision_model", String.format(Locale.ROOT, "ViT %d px / %d, width %d, %d blocks, %d heads",
                v.imgSize(), v.patchSize(), v.embedDim(), v.depth(), v.numHeads()), vision.parameterCount()));
        if (projector != null) {
            QFormer.Config q = projector.qformer().config();
            parts.add(new PartSummary("qformer", String.format(Locale.ROOT,
                    "Q-Former %d queries, width %d, %d layers, cross-attention every %d; projection %d → %d",
                    q.numQueryTokens(), q.hiddenSize(), q.numHiddenLayers(), q.crossAttentionFrequency(), q.hiddenSize(),
                    bloom.config().hiddenSize()), projector.parameterCount()));
        } else {
            FlamingoFusion.Config g = flamingo.config();
            parts.add(new PartSummary("gated_fusion", String.format(Locale.ROOT,
                    "perceiver %d latents, %d layers; gated cross-attention before every %d LM layer(s)",
                    g.numLatents(), g.depth(), g.every()), flamingo.parameterCount()));
        }
        BloomConfig t = bloom.config();
        parts.add(new PartSummary("language_model", String.format(Locale.ROOT, "BLOOM width %d, %d layers, %d heads, vocab %d",
                t.hiddenSize(), t.nLayer(), t.nHead(), t.vocabSize()), bloom.parameterCount()));
        return new Summary(config.fusion(), parts, config.prompt().template());
    }

    @Override
    public String toString() {
        return summary().toString();
    }

    /** Frees the weights and the tokenizer. */
    @Override
    public void close() {
        tokenizer.close();
        manager.close();
    }
}
