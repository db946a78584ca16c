package org.medvlm.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.medvlm.imaging.ImageFiles;
import org.medvlm.io.InputFileException;

/**
 * Where an example's image comes from. Nothing is decoded until {@link #load()} is called, so a
 * dataset of 100k questions costs no image memory until a cell shows or trains on some of them.
 */
public sealed interface ImageSource {

    /** A short name for tables and error messages (a file name relative to the dataset root). */
    String name();

    /** Decodes the image. A missing or undecodable file throws with the file named. */
    BufferedImage load() throws IOException;

    /**
     * An image file on disk, by its real path, which the loader checked to lie inside the dataset root. Decoding
     * goes through {@link ImageFiles}: a truncated, corrupt or oversized image fails in one line naming the file.
     */
    record File(String name, Path path) implements ImageSource {
        @Override
        public BufferedImage load() throws IOException {
            if (!Files.isRegularFile(path)) {
                throw new InputFileException(path, "image file not found");
            }
            // the loader resolved links; one put in place after the load would lead elsewhere
            if (Files.isSymbolicLink(path)) {
                throw new InputFileException(path, "became a link after the dataset was loaded; not read");
            }
            return ImageFiles.read(path);
        }
    }

    /** Encoded image bytes held in memory (Hugging Face parquet exports embed them). */
    record Embedded(String name, byte[] bytes) implements ImageSource {
        @Override
        public BufferedImage load() throws IOException {
            return ImageFiles.read(bytes, name);
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
