package org.medvlm.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import javax.imageio.ImageIO;

/**
 * Where an example's image comes from. Nothing is decoded until {@link #load()} is called, so a
 * dataset of 100k questions costs no image memory until a cell shows or trains on some of them.
 */
public sealed interface ImageSource {

    /** A short name for tables and error messages (a file name relative to the dataset root). */
    String name();

    /** Decodes the image. A missing or undecodable file throws with the file named. */
    BufferedImage load() throws IOException;

    /** An image file on disk (already checked to lie inside its dataset root). */
    record File(String name, Path path) implements ImageSource {
        @Override
        public BufferedImage load() throws IOException {
            if (!Files.isRegularFile(path)) {
                throw new IOException(path + ": image file not found");
            }
            BufferedImage img = ImageIO.read(path.toFile());
            if (img == null) {
                throw new IOException(path + ": not a readable image (no decoder for its format)");
            }
            return img;
        }
    }

    /** Encoded image bytes held in memory (Hugging Face parquet exports embed them). */
    record Embedded(String name, byte[] bytes) implements ImageSource {
        @Override
        public BufferedImage load() throws IOException {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
            if (img == null) {
                throw new IOException(name + ": embedded bytes are not a readable image");
            }
            return img;
        }
    }

    /** An image drawn on demand (the synthetic phantoms). */
    record Generated(String name, Supplier<BufferedImage> painter) implements ImageSource {
        @Override
        public BufferedImage load() {
            return painter.get();
        }
    }
}
