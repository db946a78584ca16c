package org.medvlm.vlm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomLm;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.fusion.FlamingoFusion;
import org.medvlm.generate.CausalLm;
import org.medvlm.generate.GenerationConfig;
import org.medvlm.generate.Generator;
import org.medvlm.layers.Autograd;
import org.medvlm.layers.InitPolicy;
import org.medvlm.layers.Losses;
import org.medvlm.layers.Module;
import org.medvlm.qformer.QFormerProjector;
import org.medvlm.vision.Preprocess;
import org.medvlm.vision.VisionTransformer;

/**
 * The medical VLM as one {@link Module}: a ViT reads the image, a fusion turns its tokens into something BLOOM can use,
 * and BLOOM answers the question put into the prompt template. Two fusions, chosen in {@code config.json}:
 * <ul>
 *   <li>{@link Fusion#QFORMER} (BLIP-2): {@code query_tokens} [1, Q, hq] attend to the image tokens in the
 *       {@code qformer}; {@code language_projection} maps them to BLOOM's width and they are put before the
 *       prompt's embeddings, so the LM sees [Q visual tokens | left padding | prompt].</li>
 *   <li>{@link Fusion#GATED} (Flamingo): a {@code perceiver} resamples the image tokens to latents, and
 *       tanh-gated cross-attention blocks before BLOOM's layers read them; the prompt alone is the input.</li>
 * </ul>
 * Its keys are the composite checkpoint's, as Hugging Face's {@code Blip2ForConditionalGeneration} names them:
 * {@code vision_model.*} (timm names), {@code query_tokens}, {@code qformer.*}, {@code language_projection.*},
 * {@code language_model.*} (BLOOM names); the gated fusion has {@code perceiver.*} and
 * {@code gated_cross_attn_layers.*} instead. {@link #stateDict()} writes exactly the keys {@link #load} reads.
 *
 * <p>The model owns one {@link NDManager} (every weight) and its tokenizer; {@link #close} frees both. Each call runs
 * its activations in a sub-manager. Training uses {@link #forward(Batch)} (HF's training forward: loss on the answer
 * tokens only); decoding ({@link #ask}) always runs in evaluation mode without recording gradients.
 *
 * <pre>{@code
 * try (VisionLanguageModel vlm = VisionLanguageModel.builtin()) {
 *     Answer a = vlm.ask(ImageIO.read(new File("scan.png")), "Is there a lesion?");
 * }
 * }</pre>
 */
public final class VisionLanguageModel extends Module implements AutoCloseable {
    private VlmConfig config; // changes with addLora / mergeLora
    private final NDManager manager;
    private final Tokenizer tokenizer;
    private final Preprocess preprocess;
    private final VisionTransformer visionModel;
    private final QFormerProjector bridge; // QFORMER: query_tokens, qformer, language_projection (inline keys)
    private final FlamingoFusion flamingo; // GATED: perceiver, gated_cross_attn_layers (inline keys)
    private final Bloom languageModel;

    /**
     * An unloaded model of {@code config} (LoRA adapters included when the config has them) that owns {@code manager}
     * and {@code tokenizer}; {@link VlmLoader} and {@link #random} fill it.
     */
    VisionLanguageModel(VlmConfig config, Tokenizer tokenizer, NDManager manager) {
        this.config = config;
        this.manager = manager;
        this.tokenizer = tokenizer;
        this.visionModel = addChild("vision_model", new VisionTransformer(config.vision()));
        if (config.fusion() == Fusion.QFORMER) {
            this.bridge = addInline(new QFormerProjector(config.qformer(), config.text().hiddenSize()));
            this.flamingo = null;
        } else {
            this.bridge = null;
            this.flamingo = addInline(new FlamingoFusion(config.gated()));
        }
        this.languageModel = addChild("language_model", new Bloom(config.text()));
        if (config.lora() != null) { // a saved LoRA model: the adapters' keys are in its checkpoint
            LoraConfig l = config.lora();
            languageModel.addLora(l.r(), l.alpha(), l.dropout(), l.targetModules());
        }
        Preprocess clip = Preprocess.biomedClip();
        this.preprocess = new Preprocess(config.vision().imgSize(), clip.mean(), clip.std());
    }

    // ---------------------------------------------------------------- construction

    /** The built-in small model with the Q-Former fusion, trained on the phantoms (see {@link VlmLoader#builtin}). */
    public static VisionLanguageModel builtin() {
        return VlmLoader.builtin(Fusion.QFORMER);
    }

    /** The built-in small model with the given fusion. */
    public static VisionLanguageModel builtin(Fusion fusion) {
        return VlmLoader.builtin(fusion);
    }

    /**
     * The module tree of {@code config} without weights, tokenizer or memory: what planners and counts use (the
     * parameters' names and shapes are those a loaded model has). It cannot answer or train.
     */
    public static VisionLanguageModel architecture(VlmConfig config) {
        return new VisionLanguageModel(config, null, null);
    }

    /** Loads a model folder (config.json, safetensors, tokenizer.json) as float32 into a manager of its own. */
    public static VisionLanguageModel load(Path dir) throws IOException {
        return VlmLoader.load(dir, DataType.FLOAT32);
    }

    /**
     * A model of {@code config} with fresh weights as each part's library initialises them for training (timm's ViT
     * rule, HF's for BLOOM and the Q-Former, OpenFlamingo's with zero gates), seeded by {@code seed}; it owns
     * {@code tokenizer} and a new manager.
     */
    public static VisionLanguageModel random(VlmConfig config, Tokenizer tokenizer, long seed) {
        NDManager m = VlmLoader.newManager();
        try {
            VisionLanguageModel vlm = new VisionLanguageModel(config, tokenizer, m);
            vlm.initialize(m, vlm.initPolicy(), seed);
            return vlm;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * The initialisation rule of every part, by key: each part's own library's rule, and PEFT's for LoRA adapters
     * ({@code lora_A} kaiming-uniform, {@code lora_B} zero, so a fresh adapter changes nothing).
     */
    public InitPolicy initPolicy() {
        InitPolicy vision = visionModel.initPolicy();
        InitPolicy fusion = bridge != null ? QFormerProjector.initPolicy() : FlamingoFusion.initPolicy();
        InitPolicy text = Bloom.initPolicy();
        return (key, p, owner, init) -> {
            if (key.endsWith(".lora_A.weight")) {
                return init.kaimingUniform();
            }
            if (key.endsWith(".lora_B.weight")) {
                return init.zeros();
            }
            if (key.startsWith("vision_model.")) {
                return vision.draw(key, p, owner, init);
            }
            if (key.startsWith("language_model.")) {
                return text.draw(key, p, owner, init);
            }
            return fusion.draw(key, p, owner, init);
        };
    }

    /** The manager that owns the weights (for parts built alongside, e.g. a trainer's optimizer state). */
    public NDManager manager() {
        return manager;
    }

    // ---------------------------------------------------------------- saving

    /**
     * Writes a model folder that {@link #load} reads back: {@code config.json} (parts nested), {@code model.safetensors}
     * ({@link #stateDict()}, the composite keys) and {@code tokenizer.json}; each file atomically.
     */
    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), stateDict());
        config.nested().write(dir);
        tokenizer.writeTo(dir.resolve("tokenizer.json"));
    }

    // ---------------------------------------------------------------- training

    /**
     * A training batch, HF's {@code Blip2ForConditionalGeneration.forward} inputs.
     *
     * @param pixels [B, 3, S, S] normalised images, or the vision tower's output [B, N, D] when it is frozen and its
     *     features were computed once ({@link #visionFeatures})
     * @param inputIds [B, T] prompt and answer tokens, padding on the right
     * @param attentionMask [B, T] 1 for real tokens, 0 for padding
     * @param labels [B, T] the token each position must produce at the NEXT step's input, -100 where nothing is
     *     learned (prompt, padding): as HF, the loss compares the logits at t with labels[t + 1]
     */
    public record Batch(NDArray pixels, NDArray inputIds, NDArray attentionMask, NDArray labels) {}

    /**
     * The training forward: the mean cross-entropy of the answer tokens. The visual prefix, the prompt and the padding
     * are masked (labels -100), as LLaVA and BLIP-2 fine-tuning do; the LM head runs only on the positions that count.
     * The result belongs to {@code batch.pixels()}' manager.
     */
    public NDArray forward(Batch batch) {
        NDArray hidden = hidden(batch.pixels(), batch.inputIds(), batch.attentionMask()); // (B, P + T, C)
        long b = hidden.getShape().get(0);
        long width = hidden.getShape().get(1);
        long t = batch.inputIds().getShape().get(1);
        long p = width - t;
        long[] labels = batch.labels().toLongArray();
        List<Long> rows = new ArrayList<>();
        List<Long> targets = new ArrayList<>();
        for (int r = 0; r < b; r++) {
            for (int i = 0; i + 1 < t; i++) {
                long next = labels[(int) (r * t + i + 1)];
                if (next != -100) {
                    rows.add(r * width + p + i); // the hidden state that predicts token i + 1
                    targets.add(next);
                }
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("the batch has no label to learn (every label is -100)");
        }
        NDManager m = batch.pixels().getManager();
        NDArray picked = hidden.reshape(b * width, -1).get(m.create(rows.stream().mapToLong(Long::longValue).toArray())); // (n, C)
        return Losses.crossEntropy(languageModel.lmHead(picked), m.create(targets.stream().mapToLong(Long::longValue).toArray()));
    }

    /** The LM's logits over the text positions {@code [B, T, vocab]} for a training batch (the visual prefix dropped). */
    public NDArray logits(Batch batch) {
        NDArray hidden = hidden(batch.pixels(), batch.inputIds(), batch.attentionMask());
        long p = hidden.getShape().get(1) - batch.inputIds().getShape().get(1);
        return languageModel.lmHead(hidden.get(new NDIndex(":, {}:, :", p)));
    }

    /**
     * The vision tower's output [B, N, D] for [B, 3, S, S] pixels, without recording gradients: what a run with a frozen
     * tower computes once per image and passes as {@link Batch#pixels()} afterwards.
     */
    public NDArray visionFeatures(NDArray pixels) {
        return inEvalMode(() -> visionModel.forwardFeatures(pixels));
    }

    /** BLOOM's final hidden states for images (or their features) and token ids: [B, P + T, C] (P = 0 when gated). */
    private NDArray hidden(NDArray pixels, NDArray inputIds, NDArray attentionMask) {
        NDArray features = pixels.getShape().dimension() == 3 ? pixels : visionModel.forwardFeatures(pixels); // (B, N, D)
        if (bridge != null) {
            Bloom.Inputs in = languageModel.inputs(bridge.forward(features), inputIds, attentionMask); // prefix first
            return languageModel.forward(in.embeds(), in.mask(), null, Bloom.Hooks.NONE);
        }
        Bloom.Hooks hooks = flamingo.hooks(flamingo.resample(features));
        return languageModel.forward(languageModel.embed(inputIds), attentionMask, null, hooks);
    }

    /**
     * Attaches fresh LoRA adapters to BLOOM (PEFT's {@code get_peft_model}): {@code lora_A} kaiming-uniform and
     * {@code lora_B} zero, so the model's outputs do not change until training moves them; the config records them so
     * {@link #save} writes a folder {@link #load} reads back with the adapters.
     */
    public void addLora(LoraConfig lora, long seed) {
        if (config.lora() != null) {
            throw new IllegalStateException("the model already has LoRA adapters");
        }
        languageModel.addLora(lora.r(), lora.alpha(), lora.dropout(), lora.targetModules());
        initialize(manager, initPolicy(), seed, key -> key.contains(".lora_A.") || key.contains(".lora_B."));
        languageModel.train(isTraining());
        config = config.withLora(lora);
    }

    /**
     * Folds LoRA adapters into BLOOM's weights (PEFT's {@code merge_and_unload}) and drops {@code lora_config}: the
     * model then computes the same logits with plain weights.
     */
    public void mergeLora() {
        if (config.lora() == null) {
            throw new IllegalStateException("the model has no LoRA adapters to merge");
        }
        languageModel.mergeLora();
        config = config.withLora(null);
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
     * search, sampling with a seed); its stop and padding tokens should come from {@link #generation}. Decoding runs in
     * evaluation mode and records no gradients, whatever state training left the model in.
     */
    public List<Answer> ask(List<BufferedImage> images, List<String> questions, GenerationConfig generation) {
        if (images.size() != questions.size() || images.isEmpty()) {
            throw new IllegalArgumentException("need as many questions as images (at least one), got "
                    + images.size() + " images and " + questions.size() + " questions");
        }
        List<float[]> pixels = new ArrayList<>();
        for (BufferedImage image : images) {
            pixels.add(preprocess.pixels(image));
        }
        List<Answer> answers = new ArrayList<>();
        List<Answer> bare = answer(pixels, questions, generation);
        for (int i = 0; i < bare.size(); i++) {
            Answer a = bare.get(i);
            answers.add(new Answer(images.get(i), a.question(), a.text(), a.tokenIds(), a.seconds()));
        }
        return answers;
    }

    /**
     * Answers question i about the already preprocessed image i ({@link Preprocess#pixels}, CHW float32), as one batch;
     * the answers carry no image. What evaluation loops use, so each image is preprocessed once per run.
     */
    public List<Answer> answer(List<float[]> pixels, List<String> questions, GenerationConfig generation) {
        if (pixels.size() != questions.size() || pixels.isEmpty()) {
            throw new IllegalArgumentException("need as many questions as images (at least one), got "
                    + pixels.size() + " images and " + questions.size() + " questions");
        }
        long[][] prompts = prompts(questions, generation.maxNewTokens());
        int s = preprocess.size();
        int chw = 3 * s * s;
        float[] all = new float[pixels.size() * chw];
        for (int i = 0; i < pixels.size(); i++) {
            System.arraycopy(pixels.get(i), 0, all, i * chw, chw);
        }
        long start = System.nanoTime();
        List<long[]> generated = inEvalMode(() -> {
            try (NDManager step = manager.newSubManager()) {
                NDArray batch = step.create(all, new Shape(pixels.size(), 3, s, s));
                NDArray features = visionModel.forwardFeatures(batch); // (B, N, D)
                CausalLm lm = bridge != null
                        ? BloomLm.of(languageModel).withPrefix(bridge.forward(features)) // (B, Q, C) before the prompt
                        : flamingo.languageModel(languageModel, features);
                return Generator.generate(lm, step, prompts, generation);
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < pixels.size(); i++) {
            long[] ids = withoutStop(generated.get(i), generation.stopTokens());
            answers.add(new Answer(null, questions.get(i), clean(tokenizer.decode(ids)), ids, seconds));
        }
        return answers;
    }

    /**
     * Answers and shows where the model looked: a heat map over the image from the answer's attention, carried back
     * through the fusion and the ViT ({@link AttentionMaps}).
     */
    public AttentionMap explain(BufferedImage image, String question) {
        return AttentionMaps.explain(this, image, question);
    }

    /** Runs {@code body} in evaluation mode without gradient recording, then restores the training mode. */
    private <T> T inEvalMode(java.util.function.Supplier<T> body) {
        boolean wasTraining = isTraining();
        train(false);
        try {
            return Autograd.noGrad(body);
        } finally {
            train(wasTraining);
        }
    }

    /**
     * The LM's logits over the prompt tokens, [B, T, vocab] (T = the longest prompt, rows left-padded),
     * owned by {@code step}: what generation's first step sees, for inspection and tests.
     */
    public NDArray promptLogits(List<BufferedImage> images, List<String> questions, NDManager step) {
        long[][] prompts = prompts(questions, 1);
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
        return inEvalMode(() -> {
            NDArray hidden = hidden(preprocess.apply(images, step), step.create(ids, shape), step.create(mask, shape));
            return languageModel.lmHead(hidden.get(new NDIndex(":, {}:, :", hidden.getShape().get(1) - width)));
        });
    }

    /**
     * The prompts' token ids; refuses an empty question and one whose prompt, with the visual prefix and
     * {@code maxNewTokens}, would exceed the model's context ({@code max_context_tokens}).
     */
    private long[][] prompts(List<String> questions, int maxNewTokens) {
        int prefix = bridge != null ? config.numQueryTokens() : 0;
        int budget = config.maxContextTokens() - prefix - maxNewTokens;
        if (budget <= 0) {
            throw new IllegalArgumentException(maxNewTokens + " new tokens do not fit the model's context of "
                    + config.maxContextTokens() + " tokens (max_context_tokens in config.json)");
        }
        long[][] out = new long[questions.size()][];
        for (int i = 0; i < out.length; i++) {
            String q = questions.get(i);
            if (q == null || q.isBlank()) {
                throw new IllegalArgumentException("question " + (i + 1) + " is empty");
            }
            if (q.length() > 64 * budget) { // no tokenizer makes fewer tokens than characters / 64: skip encoding
                throw tooLong(i, q.length() + " characters", budget);
            }
            out[i] = tokenizer.encode(config.prompt().apply(q));
            if (out[i].length > budget) {
                throw tooLong(i, out[i].length + " tokens", budget);
            }
        }
        return out;
    }

    private IllegalArgumentException tooLong(int i, String size, int budget) {
        return new IllegalArgumentException("question " + (i + 1) + " is too long: its prompt is " + size + "; at most "
                + budget + " tokens fit the model's context of " + config.maxContextTokens()
                + " (max_context_tokens in config.json)");
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

    /** The image preprocessing the vision tower expects. */
    public Preprocess preprocess() {
        return preprocess;
    }

    /** The language model alone (for comparisons: with gates at 0 the gated VLM equals it). */
    public Bloom languageModel() {
        return languageModel;
    }

    public VisionTransformer visionModel() {
        return visionModel;
    }

    /** The BLIP-2 bridge (QFORMER fusion), else null. */
    public QFormerProjector bridge() {
        return bridge;
    }

    /** The Flamingo fusion (GATED fusion), else null. */
    public FlamingoFusion flamingo() {
        return flamingo;
    }

    /** What the model is made of: parts with their parameter counts, the fusion and the prompt template. */
    public VlmSummary summary() {
        return VlmSummary.of(this);
    }

    @Override
    public String toString() {
        return summary().toString();
    }

    /** Frees the weights and the tokenizer. */
    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        if (manager != null) {
            manager.close();
        }
    }

    /** Loads the model's weights from {@code weights} (composite keys) strictly, converted to {@code dtype}. */
    void loadWeights(StateDict weights, DataType dtype) {
        load(weights, manager, dtype);
    }
}
