package org.medvlm.vlm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.fusion.FlamingoFusion;
import org.medvlm.qformer.QFormer;
import org.medvlm.vision.VisionTransformer;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What a model is made of: parts with their parameter counts (and how many of them train), the fusion and the prompt
 * template. {@code toString()} is a short table for the terminal; {@link #table()} is what a notebook shows.
 *
 * @param fusion how vision reaches the LM
 * @param parts one entry per part, in checkpoint order
 * @param promptTemplate the text around the question
 */
public record VlmSummary(Fusion fusion, List<Part> parts, String promptTemplate) {

    /**
     * One part.
     *
     * @param name its key prefix ({@code vision_model}, {@code qformer}, {@code gated_fusion}, {@code language_model})
     * @param description its architecture in a line
     * @param parameters scalar weights
     * @param trainable of which trainable
     */
    public record Part(String name, String description, long parameters, long trainable) {}

    public VlmSummary {
        parts = List.copyOf(parts);
    }

    /** The summary of {@code vlm}. */
    static VlmSummary of(VisionLanguageModel vlm) {
        List<Part> parts = new ArrayList<>();
        VisionTransformer.Config v = vlm.config().vision();
        String stem = v.convStemChannels().isEmpty() ? "" : ", conv stem " + v.convStemChannels();
        parts.add(part(vlm, "vision_model", String.format(Locale.ROOT, "ViT %d px / %d%s, width %d, %d blocks, %d heads",
                v.imgSize(), v.patchSize(), stem, v.embedDim(), v.depth(), v.numHeads()), k -> k.startsWith("vision_model.")));
        BloomConfig t = vlm.config().text();
        if (vlm.bridge() != null) {
            QFormer.Config q = vlm.config().qformer();
            parts.add(part(vlm, "qformer", String.format(Locale.ROOT,
                    "Q-Former %d queries, width %d, %d layers, cross-attention every %d; projection %d → %d",
                    q.numQueryTokens(), q.hiddenSize(), q.numHiddenLayers(), q.crossAttentionFrequency(), q.hiddenSize(),
                    t.hiddenSize()), k -> k.equals("query_tokens") || k.startsWith("qformer.") || k.startsWith("language_projection.")));
        } else {
            FlamingoFusion.Config g = vlm.config().gated();
            parts.add(part(vlm, "gated_fusion", String.format(Locale.ROOT,
                    "perceiver %d latents, %d layers; gated cross-attention before every %d LM layer(s)",
                    g.numLatents(), g.depth(), g.every()), k -> k.startsWith("perceiver.") || k.startsWith("gated_cross_attn_layers.")));
        }
        String lora = vlm.config().lora() == null ? "" : ", LoRA r " + vlm.config().lora().r();
        parts.add(part(vlm, "language_model", String.format(Locale.ROOT, "BLOOM width %d, %d layers, %d heads, vocab %d%s",
                t.hiddenSize(), t.nLayer(), t.nHead(), t.vocabSize(), lora), k -> k.startsWith("language_model.")));
        return new VlmSummary(vlm.config().fusion(), parts, vlm.config().prompt().template());
    }

    private static Part part(VisionLanguageModel vlm, String name, String description, java.util.function.Predicate<String> keys) {
        long[] counts = new long[2];
        vlm.namedParameters().forEach((k, p) -> {
            if (keys.test(k)) {
                counts[0] += p.shape().size();
                if (p.isTrainable()) {
                    counts[1] += p.shape().size();
                }
            }
        });
        return new Part(name, description, counts[0], counts[1]);
    }

    /** All scalar weights. */
    public long parameters() {
        return parts.stream().mapToLong(Part::parameters).sum();
    }

    /** Trainable scalar weights. */
    public long trainable() {
        return parts.stream().mapToLong(Part::trainable).sum();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "VLM, fusion %s, %s parameters (%s trainable)%n",
                fusion.key(), count(parameters()), count(trainable())));
        for (Part p : parts) {
            sb.append(String.format(Locale.ROOT, "  %-20s %10s  %s%n", p.name(), count(p.parameters()), p.description()));
        }
        return sb.append("  prompt: ").append(promptTemplate).toString();
    }

    /** One row per part, as the notebook shows it. */
    public Table table() {
        return Table.create(String.format(Locale.ROOT, "VLM, fusion %s: %s parameters (%s trainable); prompt %s",
                        fusion.key(), count(parameters()), count(trainable()), promptTemplate),
                StringColumn.create("part", parts.stream().map(Part::name)),
                LongColumn.create("parameters", parts.stream().mapToLong(Part::parameters)),
                LongColumn.create("trainable", parts.stream().mapToLong(Part::trainable)),
                StringColumn.create("description", parts.stream().map(Part::description)));
    }

    private static String count(long n) {
        return n >= 1_000_000 ? String.format(Locale.ROOT, "%.2f M", n / 1e6)
                : n >= 1_000 ? String.format(Locale.ROOT, "%.1f k", n / 1e3) : Long.toString(n);
    }
}
