package org.medvlm.data;

import java.util.Map;

/**
 * One image with its caption (PMC-OA, ROCO): the pre-training data of the story's ~1.6M pairs.
 *
 * @param image the image, decoded only on demand; null where it is missing (the load report says so)
 * @param metadata the dataset's own attributes (keywords, semantic types, licence, ...)
 */
public record CaptionPair(String id, String dataset, String split, ImageSource image, String caption,
        Map<String, String> metadata) {

    public CaptionPair {
        metadata = Map.copyOf(metadata);
    }

    /**
     * A field by name: {@code id}, {@code dataset}, {@code split}, {@code caption}, {@code image}, or a
     * metadata key ({@code subset}, {@code keywords}, {@code licence}, ...). Absent values are empty strings.
     */
    public String field(String name) {
        return switch (name) {
            case "id" -> id;
            case "dataset" -> dataset;
            case "split" -> split;
            case "caption" -> caption;
            case "image" -> image == null ? "" : image.name();
            default -> metadata.getOrDefault(name, "");
        };
    }
}
