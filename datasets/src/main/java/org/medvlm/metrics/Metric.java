package org.medvlm.metrics;

import java.util.Locale;
import java.util.Optional;
import org.medvlm.data.AnswerType;

/** The scores {@link Evaluation} can compute; each names the answer type it applies to, if only one. */
public enum Metric {
    /** Lower-cased, whitespace-collapsed, trailing {@code .?!} dropped, equal to any reference answer. */
    EXACT_MATCH("exact_match", null),
    /** LLaVA-Med's closed-question accuracy with its published bug fixed ({@link LlavaMedScorer#closed}). */
    LLAVA_CLOSED("llava_closed_accuracy", AnswerType.CLOSED),
    /** LLaVA-Med's closed-question accuracy exactly as its script computes it (for published numbers). */
    LLAVA_CLOSED_PUBLISHED("llava_closed_accuracy_published", AnswerType.CLOSED),
    /** LLaVA-Med's open-question token recall, the figure its paper reports for open questions. */
    LLAVA_OPEN_RECALL("llava_open_recall", AnswerType.OPEN),
    /** LLaVA-Med's open-question token precision. */
    LLAVA_OPEN_PRECISION("llava_open_precision", AnswerType.OPEN),
    /** LLaVA-Med's open-question token F1. */
    LLAVA_OPEN_F1("llava_open_f1", AnswerType.OPEN),
    /** The ImageCLEF VQA-Med evaluator's accuracy (its primary score). */
    VQA_MED_ACCURACY("vqa_med_accuracy", null),
    /** The ImageCLEF VQA-Med evaluator's BLEU (its secondary score), best over the reference answers. */
    VQA_MED_BLEU("vqa_med_bleu", null),
    /** PMC-VQA's multiple-choice accuracy, over the questions that carry choices. */
    PMC_VQA_CHOICE("pmc_vqa_choice_accuracy", null);

    private final String key;
    private final AnswerType only;

    Metric(String key, AnswerType only) {
        this.key = key;
        this.only = only;
    }

    /** The name in JSON output and tables. */
    public String key() {
        return key;
    }

    /** The answer type this metric is defined on; empty for metrics that apply to every question. */
    public Optional<AnswerType> answerType() {
        return Optional.ofNullable(only);
    }

    /** Parses {@code vqa_med_bleu}, {@code vqa-med-bleu} or {@code VQA_MED_BLEU}. */
    public static Metric parse(String name) {
        String k = name.strip().toLowerCase(Locale.ROOT).replace('-', '_');
        for (Metric m : values()) {
            if (m.key.equals(k) || m.name().toLowerCase(Locale.ROOT).equals(k)) {
                return m;
            }
        }
        StringBuilder known = new StringBuilder();
        for (Metric m : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(m.key);
        }
        throw new IllegalArgumentException("unknown metric '" + name + "'; known: " + known);
    }

    @Override
    public String toString() {
        return key;
    }
}
