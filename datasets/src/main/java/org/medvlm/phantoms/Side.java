package org.medvlm.phantoms;

/**
 * The patient's side. Images follow the radiological convention: the patient's left is on the image's
 * right, as on every CT, MR and chest film a radiologist reads.
 */
public enum Side {
    LEFT("left"),
    RIGHT("right");

    private final String answer;

    Side(String answer) {
        this.answer = answer;
    }

    public String answer() {
        return answer;
    }

    /** +1 where this side is drawn (image right for the patient's left), -1 otherwise. */
    int imageDirection() {
        return this == LEFT ? 1 : -1;
    }
}
