package org.medvlm.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Reads the image a command is asked about, with one-line errors that name the file. */
final class Images {
    private Images() {}

    static BufferedImage read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new UserError(file + ": no such image file");
        }
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": not a file");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new UserError(file + ": not a readable image (" + Medvlm.describe(e) + ")", e);
        }
        if (img == null) {
            throw new UserError(file + ": not a readable image (PNG or JPEG expected)");
        }
        return img;
    }
}
