package org.medvlm.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.medvlm.dicom.DicomImage;
import org.medvlm.dicom.WindowPreset;

/**
 * Reads the image a command is asked about: PNG or JPEG through ImageIO, or a DICOM file (by its
 * {@code DICM} marker or a {@code .dcm} name) rendered as the model's RGB input: first frame, modality
 * LUT, the given window or the file's own, MONOCHROME1 inverted. Errors are one line naming the file.
 */
final class Images {
    private Images() {}

    static BufferedImage read(Path file, WindowPreset window) throws IOException {
        if (!Files.exists(file)) {
            throw new UserError(file + ": no such image file");
        }
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": not a file");
        }
        if (isDicom(file)) {
            DicomImage dicom = DicomImage.read(file);
            return window == null ? dicom.render(0) : dicom.render(0, window.window());
        }
        if (window != null) {
            throw new UserError(file + ": --window applies to DICOM files only");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new UserError(file + ": not a readable image (" + Medvlm.describe(e) + ")", e);
        }
        if (img == null) {
            throw new UserError(file + ": not a readable image (PNG, JPEG or DICOM expected)");
        }
        return img;
    }

    /** A {@code .dcm} name, or the {@code DICM} marker after the 128-byte preamble. */
    static boolean isDicom(Path file) throws IOException {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcm")) {
            return true;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(132);
            return head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        }
    }
}
