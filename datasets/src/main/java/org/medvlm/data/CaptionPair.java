package org.medvlm.data;

import java.util.Map;

/**
 * One image with its caption (PMC-OA, ROCO): the pre-training data of the story's ~1.6M pairs.
 *
 * @param metadata the dataset's own attributes (keywords, semantic types, licence, ...)
 */
public record CaptionPair(String id, String dataset, String split, ImageSource image, String caption,
        Map<String, String> metadata) {

    public CaptionPair {
        metadata = Map.copyOf(metadata);
    }
}
