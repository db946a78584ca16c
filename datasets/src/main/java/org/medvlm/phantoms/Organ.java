package org.medvlm.phantoms;

/** The organ a phantom's lesions lie in; {@link #answer()} is the word the questions expect. */
public enum Organ {
    BRAIN("brain"),
    LUNG("lung"),
    LIVER("liver"),
    KIDNEY("kidney");

    private final String answer;

    Organ(String answer) {
        this.answer = answer;
    }

    public String answer() {
        return answer;
    }

    /** The liver lies on the patient's right only; the others have a left and a right. */
    public boolean hasSide(Side side) {
        return this != LIVER || side == Side.RIGHT;
    }
}
