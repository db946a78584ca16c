package org.medvlm.imaging;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.medvlm.io.InputFileException;
import org.medvlm.io.InputFiles;
import org.medvlm.io.Limit;

/**
 * Decodes image files (PNG, JPEG, BMP, GIF: what Java's ImageIO reads) the one careful way every reader shares:
 * <ul>
 *   <li>only a regular file within {@link Limit#IMAGE_BYTES} is opened;
 *   <li>the dimensions in the header are checked against {@link Limit#IMAGE_PIXELS} and the heap before the
 *       decoder allocates its raster (a 12 MB file may declare 28,000 x 28,000 pixels);
 *   <li>a file the decoder has to patch up is refused: ImageIO fills a JPEG cut short with grey and only warns,
 *       and the model would then answer about a third of an image;
 *   <li>no temporary cache file is written (ImageIO's default for streams), and every failure is one line that
 *       starts with the file.
 * </ul>
 */
public final class ImageFiles {
    private ImageFiles() {}

    /** Decodes an image file. */
    public static BufferedImage read(Path file) throws IOException {
        InputFiles.check(file, Limit.IMAGE_BYTES);
        ImageInputStream in;
        try {
            in = new FileImageInputStream(file.toFile());
        } catch (IOException e) {
            throw InputFiles.named(file, e);
        }
        try (in) {
            return decode(in, file.toString(), null, file);
        }
    }

    /** Decodes encoded image bytes held in memory ({@code name} is used in messages). */
    public static BufferedImage read(byte[] encoded, String name) throws IOException {
        if (Limit.IMAGE_BYTES.exceededBy(encoded.length)) {
            throw new InputFileException(name, encoded.length + " bytes is too large " + Limit.IMAGE_BYTES.hint());
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            return decode(in, name, encoded, null);
        }
    }

    /**
     * Refuses {@code width x height} pixels over {@link Limit#IMAGE_PIXELS}, or whose decoded raster of
     * {@code bytesPerPixel} would take more than half the heap.
     */
    public static void checkDimensions(String name, long width, long height, int bytesPerPixel) throws InputFileException {
        if (width < 1 || height < 1) {
            throw new InputFileException(name, "the image declares " + width + "x" + height + " pixels");
        }
        if (Limit.IMAGE_PIXELS.exceededBy(width * height)) {
            throw new InputFileException(name, width + "x" + height + " pixels is too large to decode "
                    + Limit.IMAGE_PIXELS.hint());
        }
        Limit.checkHeap(name, "decoding " + width + "x" + height + " pixels", width * height * bytesPerPixel);
    }

    private static BufferedImage decode(ImageInputStream in, String name, byte[] whole, Path file) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new InputFileException(name, "not a readable image (no decoder for its format; PNG, JPEG, BMP or GIF expected)");
        }
        ImageReader reader = readers.next();
        List<String> warnings = new ArrayList<>();
        try {
            reader.setInput(in, true, true);
            int w = reader.getWidth(0);
            int h = reader.getHeight(0);
            // what the raster takes, and at least an int per pixel: the callers convert to RGB next
            checkDimensions(name, w, h, Math.max(4, bytesPerPixel(reader)));
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage image = reader.read(0, reader.getDefaultReadParam());
            if (!warnings.isEmpty()) {
                throw new InputFileException(name, "truncated or corrupt image (" + InputFiles.oneLine(warnings.get(0)) + ")");
            }
            if (reader.getFormatName().equalsIgnoreCase("png") && !endsWithIend(whole, file)) {
                // the PNG reader stops after the pixel data and never looks for the end chunk
                throw new InputFileException(name, "truncated or corrupt image (the PNG has no IEND chunk)");
            }
            return image;
        } catch (InputFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : InputFiles.oneLine(e.getMessage());
            throw new InputFileException(name, "truncated or corrupt image, cannot decode it (" + why + ")", e);
        } catch (OutOfMemoryError e) {
            throw new InputFileException(name, "out of memory while decoding the image (raise it with -Xmx, e.g. MEDVLM_JAVA_OPTS=-Xmx8g)");
        } finally {
            reader.dispose();
        }
    }

    /**
     * True when the last kilobyte of a PNG holds its IEND chunk type (a few trailing bytes are tolerated):
     * {@code whole} for bytes in memory, else {@code file} (the decoder's stream is read forward only).
     */
    private static boolean endsWithIend(byte[] whole, Path file) throws IOException {
        byte[] tail;
        if (whole != null) {
            tail = java.util.Arrays.copyOfRange(whole, Math.max(0, whole.length - 1024), whole.length);
        } else {
            try (java.nio.channels.SeekableByteChannel ch = java.nio.file.Files.newByteChannel(file)) {
                long length = ch.size();
                ch.position(Math.max(0, length - 1024));
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(1024, length));
                while (buf.hasRemaining() && ch.read(buf) > 0) {
                    // reads the tail
                }
                tail = java.util.Arrays.copyOf(buf.array(), buf.position());
            }
        }
        for (int i = tail.length - 4; i >= 0; i--) {
            if (tail[i] == 'I' && tail[i + 1] == 'E' && tail[i + 2] == 'N' && tail[i + 3] == 'D') {
                return true;
            }
        }
        return false;
    }

    private static int bytesPerPixel(ImageReader reader) {
        try {
            ImageTypeSpecifier raw = reader.getRawImageType(0);
            if (raw != null) {
                return Math.max(1, (raw.getColorModel().getPixelSize() + 7) / 8);
            }
        } catch (IOException | RuntimeException e) {
            // unknown before decoding: assume 8 bytes (16-bit RGBA), the most ImageIO's readers produce
        }
        return 8;
    }
}
