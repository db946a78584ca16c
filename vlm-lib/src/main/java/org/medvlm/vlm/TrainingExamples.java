package org.medvlm.vlm;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import org.medvlm.imaging.ImagePreprocessor;

/**
 * Turns (image, question, answer) into what {@link VisionLanguageModel#forward(VisionLanguageModel.Batch)} takes, as
 * LLaVA and BLIP-2 fine-tuning do: the prompt {@code template(question)} followed by {@code " " + answer} and EOS; the
 * labels repeat the tokens where the answer is and are -100 over the prompt, so only the answer is learned. Encoding
 * is plain Java (a data-loading thread may run it); {@link #collate} makes the arrays on the training thread.
 */
public final class TrainingExamples {

    /**
     * One encoded example.
     *
     * @param pixels the preprocessed image, CHW float32
     * @param ids prompt then answer and EOS
     * @param labels -100 over the prompt, the answer's ids and EOS after it
     */
    public record Example(float[] pixels, long[] ids, long[] labels) {}

    private final Tokenizer tokenizer;
    private final PromptTemplate prompt;
    private final ImagePreprocessor preprocessor;
    private final int imageSize;
    private final int maxTokens;

    /** Examples for {@code vlm}'s tokenizer, prompt template, image size and context. */
    public TrainingExamples(VisionLanguageModel vlm) {
        this.tokenizer = vlm.tokenizer();
        this.prompt = vlm.config().prompt();
        this.preprocessor = vlm.preprocess().preprocessor();
        this.imageSize = vlm.preprocess().size();
        this.maxTokens = vlm.config().maxContextTokens() - (vlm.bridge() != null ? vlm.config().numQueryTokens() : 0);
    }

    /** Encodes one example; refuses one that would not fit the model's context. */
    public Example encode(BufferedImage image, String question, String answer) {
        return encode(preprocessor.apply(image), question, answer);
    }

    /** Encodes one example whose image is already preprocessed (CHW float32 at the model's size). */
    public Example encode(float[] pixels, String question, String answer) {
        long[] p = tokenizer.encode(prompt.apply(question));
        long[] a = tokenizer.encode(" " + answer.strip());
        int n = p.length + a.length + 1;
        if (n > maxTokens) {
            throw new IllegalArgumentException("example of " + n + " tokens exceeds the model's context of " + maxTokens);
        }
        long[] ids = Arrays.copyOf(p, n);
        System.arraycopy(a, 0, ids, p.length, a.length);
        ids[n - 1] = tokenizer.eosId();
        long[] labels = new long[n];
        Arrays.fill(labels, 0, p.length, -100);
        System.arraycopy(ids, p.length, labels, p.length, a.length + 1);
        return new Example(pixels, ids, labels);
    }

    /** A batch: pixels stacked, tokens right-padded with the pad id (mask 0, label -100). */
    public VisionLanguageModel.Batch collate(List<Example> examples, NDManager m) {
        int chw = 3 * imageSize * imageSize;
        float[] pixels = new float[examples.size() * chw];
        for (int r = 0; r < examples.size(); r++) {
            System.arraycopy(examples.get(r).pixels(), 0, pixels, r * chw, chw);
        }
        return collate(examples, m.create(pixels, new Shape(examples.size(), 3, imageSize, imageSize)), m);
    }

    /**
     * A batch whose visual input is given: the images' pixels, or the frozen vision tower's features of them
     * ({@link VisionLanguageModel#visionFeatures}); tokens right-padded with the pad id (mask 0, label -100).
     */
    public VisionLanguageModel.Batch collate(List<Example> examples, ai.djl.ndarray.NDArray visual, NDManager m) {
        int b = examples.size();
        int t = examples.stream().mapToInt(e -> e.ids().length).max().orElseThrow();
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        long[] labels = new long[b * t];
        Arrays.fill(ids, tokenizer.padId());
        Arrays.fill(labels, -100);
        for (int r = 0; r < b; r++) {
            Example e = examples.get(r);
            System.arraycopy(e.ids(), 0, ids, r * t, e.ids().length);
            System.arraycopy(e.labels(), 0, labels, r * t, e.labels().length);
            Arrays.fill(mask, r * t, r * t + e.ids().length, 1L);
        }
        Shape tokens = new Shape(b, t);
        return new VisionLanguageModel.Batch(visual, m.create(ids, tokens), m.create(mask, tokens), m.create(labels, tokens));
    }
}
