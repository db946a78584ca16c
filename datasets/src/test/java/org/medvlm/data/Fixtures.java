package org.medvlm.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Small files the tests write themselves: text in exact bytes, and tiny images. */
final class Fixtures {
    private Fixtures() {}

    static Path write(Path file, String text) {
        return writeBytes(file, text.getBytes(StandardCharsets.UTF_8));
    }

    static Path writeBytes(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A 32×24 image with a bright disc: something a thumbnail can be made of. */
    static byte[] jpeg(String format) {
        BufferedImage img = new BufferedImage(32, 24, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.DARK_GRAY);
        g.fillRect(0, 0, 32, 24);
        g.setColor(Color.WHITE);
        g.fillOval(8, 4, 16, 16);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path image(Path file) {
        return writeBytes(file, jpeg("jpg"));
    }
}
