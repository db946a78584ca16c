package org.medvlm.data;

import java.util.Locale;
import java.util.Optional;

/** Closed questions have a fixed answer set (yes/no, left/right, a modality); open ones are free text. */
public enum AnswerType {
    CLOSED,
    OPEN;

    /**
     * Reads a dataset's own answer-type field, tolerating its quirks: VQA-RAD's {@code "CLOSED "} with a
     * trailing space, lower case, and PathVQA's {@code yes/no} (closed) and {@code other} (open).
     */
    public static Optional<AnswerType> parse(String field) {
        if (field == null) {
            return Optional.empty();
        }
        return switch (field.strip().toUpperCase(Locale.ROOT)) {
            case "CLOSED", "CLOSE", "YES/NO", "YES_NO", "YESNO" -> Optional.of(CLOSED);
            case "OPEN", "OTHER" -> Optional.of(OPEN);
            default -> Optional.empty();
        };
    }

    /** Where a dataset has no answer-type field (Hugging Face exports): yes/no answers are closed. */
    public static AnswerType fromAnswer(String answer) {
        String a = answer == null ? "" : answer.strip().toLowerCase(Locale.ROOT);
        return a.equals("yes") || a.equals("no") ? CLOSED : OPEN;
    }
}
