package org.medvlm.vlm;

import java.awt.image.BufferedImage;

/**
 * One answer of the VLM: the image it looked at, the question and the generated text. A notebook shows
 * the image beside the answer; the terminal prints the answer.
 *
 * @param image the image as given (before preprocessing); may be null where only the answer is kept
 * @param question the question as asked
 * @param text the answer, decoded and stripped, up to the first stop token or newline
 * @param tokenIds the generated token ids (without the prompt and without the stop token)
 * @param seconds wall time of the call that produced it (a batch shares one figure)
 */
public record Answer(BufferedImage image, String question, String text, long[] tokenIds, double seconds) {

    public Answer {
        tokenIds = tokenIds.clone();
    }

    @Override
    public long[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public String toString() {
        return text;
    }
}
