package org.medvlm.data;

import java.util.List;
import java.util.Map;

/**
 * One visual question with its answer(s), as any MedVQA dataset provides it.
 *
 * @param id the dataset's own id ({@code qid} in VQA-RAD and SLAKE), as a string even where it is a number
 * @param dataset the dataset's short name ({@code vqa-rad}, {@code slake}, {@code phantoms}, ...)
 * @param split {@code train}, {@code validate}, {@code test}, ...
 * @param image the image, decoded only on demand; null where the image is missing (the load report says so)
 * @param question the question as written in the file (raw; normalise separately)
 * @param answers the reference answer first, then alternatives (VQA-Med's {@code #} answers)
 * @param answerType closed or open, from the dataset's field or, where absent, from the answer
 * @param language {@code en} or {@code zh}
 * @param metadata the dataset's own attributes: organ, modality, content type, question type, ...
 */
public record VqaExample(
        String id,
        String dataset,
        String split,
        ImageSource image,
        String question,
        List<String> answers,
        AnswerType answerType,
        String language,
        Map<String, String> metadata) {

    public VqaExample {
        answers = List.copyOf(answers);
        metadata = Map.copyOf(metadata);
    }

    /** The reference answer. */
    public String answer() {
        return answers.isEmpty() ? "" : answers.get(0);
    }

    /**
     * The Hugging Face exports' normalisation (lower case, runs of spaces collapsed, {@code " ?"} →
     * {@code "?"}, stripped), so raw files and parquet exports can be compared; the records keep the raw text.
     */
    public static String normalize(String text) {
        return text.toLowerCase(java.util.Locale.ROOT).replaceAll("\\s+", " ").replace(" ?", "?").strip();
    }

    /** The question in the exports' normalised form (see {@link #normalize}). */
    public String normalizedQuestion() {
        return normalize(question);
    }

    /** The reference answer in the exports' normalised form (see {@link #normalize}). */
    public String normalizedAnswer() {
        return normalize(answer());
    }

    /** The organ or body region ({@code CHEST}, {@code Abdomen}), or empty. */
    public String organ() {
        return metadata.getOrDefault("organ", "");
    }

    /** The imaging modality ({@code CT}, {@code X-Ray}), or empty. */
    public String modality() {
        return metadata.getOrDefault("modality", "");
    }

    /**
     * A field by the name tables and {@code where field=value} use: {@code id}, {@code dataset},
     * {@code split}, {@code question}, {@code answer}, {@code answer_type} ({@code closed}/{@code open}),
     * {@code language}, {@code image}, or any metadata key ({@code organ}, {@code modality},
     * {@code content_type}, {@code question_type}, ...). Absent values are empty strings.
     */
    public String field(String name) {
        return switch (name) {
            case "id" -> id;
            case "dataset" -> dataset;
            case "split" -> split;
            case "question" -> question;
            case "answer" -> answer();
            case "answers" -> String.join(" # ", answers);
            case "answer_type" -> answerType.name().toLowerCase(java.util.Locale.ROOT);
            case "language" -> language;
            case "image" -> image == null ? "" : image.name();
            default -> metadata.getOrDefault(name, "");
        };
    }
}
