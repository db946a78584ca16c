package org.medvlm.vlm;

/**
 * The text around the question, BloomZ style by default: {@code "Question: {question} Answer:"}. The
 * visual tokens come before it (Q-Former fusion) or are read through cross-attention (gated fusion).
 *
 * @param template text with exactly one {@code {question}} placeholder
 */
public record PromptTemplate(String template) {
    public static final String PLACEHOLDER = "{question}";
    public static final PromptTemplate BLOOMZ = new PromptTemplate("Question: {question} Answer:");

    public PromptTemplate {
        int first = template.indexOf(PLACEHOLDER);
        if (first < 0 || template.indexOf(PLACEHOLDER, first + 1) >= 0) {
            throw new IllegalArgumentException("prompt template must contain " + PLACEHOLDER + " exactly once: \"" + template + "\"");
        }
    }

    /** The prompt for one question (whitespace at the ends of the question is dropped). */
    public String apply(String question) {
        return template.replace(PLACEHOLDER, question.strip());
    }
}
