package org.medvlm.vlm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medvlm.bloom.Bloom;
import org.medvlm.layers.Autograd;
import org.medvlm.layers.ScaledDotProductAttention;

/**
 * Attention maps for an answer: the model answers, then reads question and answer again (teacher forcing) while every
 * attention block's probabilities are recorded, and the answer's attention is carried back to the image patches:
 * <ul>
 *   <li>Q-Former fusion: the LLM's attention from the answer's positions to the visual prefix (one weight per query
 *       token, averaged over heads and layers), times the Q-Former's cross-attention from each query to the image
 *       tokens (averaged over heads and cross-attention layers);</li>
 *   <li>gated fusion: the gated blocks' attention from the answer's positions to the perceiver latents, times the
 *       perceiver's attention from each latent to the image tokens;</li>
 * </ul>
 * then through the ViT by attention rollout (Abnar &amp; Zuidema 2020: each layer's head-averaged attention plus the
 * identity for the residual, rows renormalised, multiplied from the last layer down), and the class token dropped.
 */
public final class AttentionMaps {
    private AttentionMaps() {}

    /** Answers {@code question} about {@code image} and maps the answer's attention onto the image. */
    public static AttentionMap explain(VisionLanguageModel vlm, BufferedImage image, String question) {
        Answer answer = vlm.ask(image, question);
        return Autograd.noGrad(() -> {
            boolean wasTraining = vlm.isTraining();
            vlm.train(false);
            try (NDManager m = vlm.manager().newSubManager()) {
                return map(vlm, m, image, question, answer);
            } finally {
                vlm.train(wasTraining);
                vlm.visionModel().observeAttention(null);
                if (vlm.bridge() != null) {
                    vlm.bridge().qformer().observeCrossAttention(null);
                } else {
                    vlm.flamingo().observeAttention(null);
                    vlm.flamingo().perceiver().observeAttention(null);
                }
            }
        });
    }

    private static AttentionMap map(VisionLanguageModel vlm, NDManager m, BufferedImage image, String question, Answer answer) {
        Map<Integer, float[][]> vit = new LinkedHashMap<>(); // layer -> (N, N), head-averaged
        vlm.visionModel().observeAttention((layer, probs) -> vit.put(layer, headMean(probs)[0]));
        List<float[][]> fusion = new ArrayList<>(); // (targets, N) per layer: query/latent -> image token
        List<float[][]> text = new ArrayList<>(); // (T, keys) per layer
        boolean qformer = vlm.bridge() != null;
        if (qformer) {
            vlm.bridge().qformer().observeCrossAttention((layer, probs) -> fusion.add(headMean(probs)[0]));
        } else {
            vlm.flamingo().perceiver().observeAttention((layer, probs) -> fusion.add(headMean(probs)[0]));
            vlm.flamingo().observeAttention((layer, probs) -> text.add(headMean(probs)[0]));
        }
        long[] prompt = vlm.tokenizer().encode(vlm.config().prompt().apply(question));
        long[] ids = new long[prompt.length + answer.tokenIds().length];
        System.arraycopy(prompt, 0, ids, 0, prompt.length);
        System.arraycopy(answer.tokenIds(), 0, ids, prompt.length, answer.tokenIds().length);
        int s = vlm.preprocess().size();
        NDArray pixels = m.create(vlm.preprocess().pixels(image), new Shape(1, 3, s, s));
        NDArray idArray = m.create(ids, new Shape(1, ids.length));
        NDArray mask = idArray.onesLike();
        NDArray features = vlm.visionModel().forwardFeatures(pixels);
        Bloom lm = vlm.languageModel();
        Map<Integer, ScaledDotProductAttention.Probe> lmProbes = new LinkedHashMap<>();
        for (int i = 0; i < lm.config().nLayer(); i++) {
            lmProbes.put(i, probs -> text.add(headMean(probs)[0]));
        }
        int prefix;
        if (qformer) {
            NDArray visual = vlm.bridge().forward(features);
            prefix = (int) visual.getShape().get(1);
            Bloom.Inputs in = lm.inputs(visual, idArray, mask);
            lm.forward(in.embeds(), in.mask(), null, Bloom.Hooks.NONE.observingAttention(lmProbes));
        } else {
            prefix = 0;
            Bloom.Hooks hooks = vlm.flamingo().hooks(vlm.flamingo().resample(features));
            lm.forward(lm.embed(idArray), mask, null, hooks); // records the gated blocks only
        }
        // the rows whose outputs produced the answer: the last prompt position, then each answer token but the last
        int first = prefix + prompt.length - 1;
        int last = prefix + ids.length - 1; // exclusive upper end of rows is last (the final token predicts a stop)
        int rowsTo = Math.max(first + 1, last);
        int targets = fusion.get(0).length; // query tokens or latents
        float[] weights = new float[targets];
        for (float[][] layer : text) {
            for (int r = first; r < rowsTo; r++) {
                int row = qformer ? r : r - prefix;
                for (int t = 0; t < targets; t++) {
                    weights[t] += layer[row][t]; // Q-Former: the prefix keys; gated: the latent keys
                }
            }
        }
        normalise(weights);
        int tokens = vit.get(0).length;
        float[] relevance = new float[tokens];
        for (float[][] layer : fusion) {
            for (int t = 0; t < targets; t++) {
                float[] row = layer[t];
                float sum = 0;
                for (int n = 0; n < tokens; n++) {
                    sum += row[n]; // the perceiver's keys are [media | latents]: keep the media part
                }
                for (int n = 0; n < tokens; n++) {
                    relevance[n] += weights[t] * row[n] / Math.max(sum, 1e-12f);
                }
            }
        }
        float[] patches = rollout(vit, relevance);
        int grid = vlm.config().vision().gridSize();
        int offset = tokens - grid * grid; // the class token leads
        float[] heat = new float[grid * grid];
        System.arraycopy(patches, offset, heat, 0, heat.length);
        float max = 0;
        for (float h : heat) {
            max = Math.max(max, h);
        }
        for (int i = 0; i < heat.length; i++) {
            heat[i] = max > 0 ? heat[i] / max : 0;
        }
        return new AttentionMap(image, question, answer.text(), grid, heat, crop(image));
    }

    /** Relevance over the ViT's output tokens carried to its input tokens: r · R with R the rollout of all layers. */
    private static float[] rollout(Map<Integer, float[][]> layers, float[] relevance) {
        float[] r = relevance.clone();
        for (int l = layers.size() - 1; l >= 0; l--) {
            float[][] a = layers.get(l);
            int n = a.length;
            float[] next = new float[n];
            for (int i = 0; i < n; i++) {
                if (r[i] == 0) {
                    continue;
                }
                float rowSum = 0;
                for (int j = 0; j < n; j++) {
                    rowSum += 0.5f * a[i][j];
                }
                rowSum += 0.5f;
                for (int j = 0; j < n; j++) {
                    next[j] += r[i] * (0.5f * a[i][j] + (i == j ? 0.5f : 0)) / rowSum;
                }
            }
            r = next;
        }
        return r;
    }

    /** Probabilities {@code [B, h, T, K]} averaged over heads, as Java arrays {@code [B][T][K]}. */
    private static float[][][] headMean(NDArray probs) {
        NDArray mean = probs.mean(new int[] {1});
        long b = mean.getShape().get(0);
        long t = mean.getShape().get(1);
        long k = mean.getShape().get(2);
        float[] flat = mean.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[][][] out = new float[(int) b][(int) t][(int) k];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                System.arraycopy(flat, (int) ((i * t + j) * k), out[i][j], 0, (int) k);
            }
        }
        return out;
    }

    private static void normalise(float[] w) {
        float sum = 0;
        for (float v : w) {
            sum += v;
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = sum > 0 ? w[i] / sum : 1f / w.length;
        }
    }

    /** The square the preprocessing keeps: the short side resized to the input, then the centre crop. */
    private static int[] crop(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int side = Math.min(w, h);
        return new int[] {(w - side) / 2, (h - side) / 2, side, side};
    }
}
