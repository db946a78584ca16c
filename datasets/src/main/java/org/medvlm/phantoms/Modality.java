package org.medvlm.phantoms;

/** How a phantom slice is imaged; {@link #answer()} is the word the questions expect. */
public enum Modality {
    CT("ct"),
    MRI("mri"),
    XRAY("x-ray");

    private final String answer;

    Modality(String answer) {
        this.answer = answer;
    }

    public String answer() {
        return answer;
    }
}
