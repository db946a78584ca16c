package org.medvlm.vlm;

import java.awt.image.BufferedImage;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

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
    /** Longest side of the image in {@link #table()}. */
    public static final int IMAGE_SIZE = 224;

    public Answer {
        tokenIds = tokenIds.clone();
    }

    @Override
    public long[] tokenIds() {
        return tokenIds.clone();
    }

    /** The image beside the question and answer, as a one-row table (the notebook renders the image). */
    public Table table() {
        return Table.create("answer",
                StringColumn.create("image", image == null ? "" : org.medvlm.imaging.Thumbnails.dataUri(image, IMAGE_SIZE)),
                StringColumn.create("question", question),
                StringColumn.create("answer", text));
    }

    @Override
    public String toString() {
        return text;
    }
}
