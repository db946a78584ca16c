package org.medvlm.imaging;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/**
 * Small PNG copies of images for tables: a notebook renders a {@code data:image/png;base64,...} URI inside
 * an HTML table, so a table of twelve CT slices stays a few hundred kB instead of carrying the originals.
 */
public final class Thumbnails {
    private Thumbnails() {}

    /** A copy of {@code image} scaled down (never up) so its longest side is at most {@code size} pixels. */
    public static BufferedImage scaled(BufferedImage image, int size) {
        double scale = Math.min(1.0, (double) size / Math.max(image.getWidth(), image.getHeight()));
        int w = Math.max(1, (int) Math.round(image.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(image.getHeight() * scale));
        BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return small;
    }

    /** The PNG data URI of {@code image} scaled down to at most {@code size} pixels on its longest side. */
    public static String dataUri(BufferedImage image, int size) {
        return dataUri(scaled(image, size));
    }

    /** The PNG data URI of {@code image} as it is. */
    public static String dataUri(BufferedImage image) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png(image));
    }

    /** {@code image} encoded as PNG. */
    public static byte[] png(BufferedImage image) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(image, "png", bytes);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
    }
}
