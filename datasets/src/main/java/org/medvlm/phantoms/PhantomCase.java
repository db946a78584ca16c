package org.medvlm.phantoms;

import java.util.List;

/**
 * Everything a phantom image shows: the answers to its questions are read from here, and
 * {@link PhantomPainter} draws exactly this, so an answer is never something the image does not show.
 *
 * @param modality CT, MRI or X-ray
 * @param organ the organ of interest (where the lesions are, if any)
 * @param lesions the lesions, possibly none
 * @param large whether the lesions are of the large size class
 * @param seed the seed of the image's texture and incidental anatomy (vessels, bowel, sulci)
 */
public record PhantomCase(Modality modality, Organ organ, List<Lesion> lesions, boolean large, long seed) {

    public PhantomCase {
        lesions = List.copyOf(lesions);
    }

    /** The body region the slice shows. */
    public String region() {
        return switch (organ) {
            case BRAIN -> "head";
            case LUNG -> "chest";
            case LIVER, KIDNEY -> "abdomen";
        };
    }

    /** {@code left}, {@code right}, {@code both}, or {@code none} without lesions. */
    public String sideSummary() {
        if (lesions.isEmpty()) {
            return "none";
        }
        Side first = lesions.get(0).side();
        return lesions.stream().allMatch(l -> l.side() == first) ? first.answer() : "both";
    }
}
