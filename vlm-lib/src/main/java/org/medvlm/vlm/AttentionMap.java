package org.medvlm.vlm;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Where the model looked for an answer: a heat map over the vision tower's patch grid, from the attention of the
 * answer's tokens back through the fusion to the image patches ({@link AttentionMaps}). {@link #overlay()} draws it
 * over the image as the model saw it; {@link #peak()} is its hottest point in the image's own pixel coordinates.
 *
 * @param image the image as given
 * @param question the question
 * @param answer the model's answer
 * @param grid patches per side
 * @param heat relevance per patch, row-major {@code grid × grid}, scaled so the maximum is 1
 * @param crop the region of {@code image} the model saw (short-side resize then centre crop): x, y, width, height
 */
public record AttentionMap(BufferedImage image, String question, String answer, int grid, float[] heat, int[] crop) {

    public AttentionMap {
        heat = heat.clone();
        crop = crop.clone();
        if (heat.length != grid * grid) {
            throw new IllegalArgumentException("heat has " + heat.length + " values for a " + grid + "x" + grid + " grid");
        }
    }

    /** The hottest patch's centre in the image's pixel coordinates: {x, y}. */
    public double[] peak() {
        int best = 0;
        for (int i = 1; i < heat.length; i++) {
            if (heat[i] > heat[best]) {
                best = i;
            }
        }
        double cell = (double) crop[2] / grid;
        return new double[] {crop[0] + (best % grid + 0.5) * cell, crop[1] + (best / grid + 0.5) * cell};
    }

    /** The heat at a point of the image (0 outside the part the model saw). */
    public double heatAt(double x, double y) {
        int gx = (int) Math.floor((x - crop[0]) / crop[2] * grid);
        int gy = (int) Math.floor((y - crop[1]) / crop[3] * grid);
        return gx < 0 || gy < 0 || gx >= grid || gy >= grid ? 0 : heat[gy * grid + gx];
    }

    /** The seen part of the image with the heat map blended over it (blue = little attention, red = most). */
    public BufferedImage overlay() {
        int side = Math.max(224, Math.min(512, crop[2]));
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, side, side, crop[0], crop[1], crop[0] + crop[2], crop[1] + crop[3], null);
        BufferedImage small = new BufferedImage(grid, grid, BufferedImage.TYPE_INT_ARGB);
        for (int i = 0; i < heat.length; i++) {
            small.setRGB(i % grid, i / grid, jet(heat[i], 0.45f + 0.3f * heat[i]));
        }
        g.drawImage(small, 0, 0, side, side, null); // bilinear upsampling of the patch grid
        g.dispose();
        return out;
    }

    /** The image, the overlay and the answer in one row, as the notebook shows it. */
    public Table table() {
        return Table.create("where the model looked",
                StringColumn.create("image", org.medvlm.imaging.Thumbnails.dataUri(image, 224)),
                StringColumn.create("attention", org.medvlm.imaging.Thumbnails.dataUri(overlay(), 224)),
                StringColumn.create("question", question),
                StringColumn.create("answer", answer));
    }

    private static int jet(float v, float alpha) {
        float x = Math.max(0, Math.min(1, v));
        float r = Math.max(0, Math.min(1, 1.5f - Math.abs(4 * x - 3)));
        float gr = Math.max(0, Math.min(1, 1.5f - Math.abs(4 * x - 2)));
        float b = Math.max(0, Math.min(1, 1.5f - Math.abs(4 * x - 1)));
        return new Color(r, gr, b, alpha).getRGB();
    }

    @Override
    public String toString() {
        double[] p = peak();
        return String.format(java.util.Locale.ROOT, "%s -> %s; attention peak at (%.0f, %.0f) of a %dx%d image", question,
                answer, p[0], p[1], image.getWidth(), image.getHeight());
    }
}
