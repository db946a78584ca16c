package org.medvlm.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.medvlm.dicom.DicomImage;
import org.medvlm.dicom.PixelStats;
import org.medvlm.dicom.Window;
import org.medvlm.dicom.WindowPreset;
import org.medvlm.imaging.ImageFiles;

/**
 * Reads the image a command is asked about: PNG or JPEG through {@link ImageFiles} (bounded; a truncated or corrupt
 * file is refused, not patched up with grey), or a DICOM file (by its {@code DICM} marker or a {@code .dcm} name)
 * rendered as the model's RGB input: first frame, modality LUT, the given window or the file's own, MONOCHROME1
 * inverted. Errors are one line naming the file.
 */
final class Images {
    private Images() {}

    /**
     * The image in {@code file}; a window preset that cannot suit a DICOM file's values (a CT window on an MR image)
     * is applied as asked, with a one-line warning on {@code warnings}.
     */
    static BufferedImage read(Path file, WindowPreset window, PrintWriter warnings) throws IOException {
        if (!Files.exists(file)) {
            throw new UserError(file + ": no such image file");
        }
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": not a file");
        }
        if (isDicom(file)) {
            DicomImage dicom = DicomImage.read(file);
            if (window == null) {
                return dicom.render(0);
            }
            windowWarning(file, dicom, window).ifPresent(w -> {
                warnings.println(w);
                warnings.flush();
            });
            return dicom.render(0, window.window());
        }
        if (window != null) {
            throw new UserError(file + ": --window applies to DICOM files only");
        }
        return ImageFiles.read(file);
    }

    /**
     * Why a CT window preset will not show {@code image} (empty when it can): the presets are Hounsfield units, which
     * only CT data has; and a window that all of the image's values lie above (or below) paints it one flat colour.
     */
    static Optional<String> windowWarning(Path file, DicomImage image, WindowPreset preset) {
        String name = preset.name().toLowerCase(Locale.ROOT);
        Window w = preset.window();
        String modality = image.header().modality();
        String hint = "; leave --window out to use the file's own window";
        if (modality != null && !modality.isBlank() && !modality.strip().equalsIgnoreCase("CT")) {
            return Optional.of(file + ": warning: --window " + name + " is a CT window in Hounsfield units, but the image's modality"
                    + " is " + modality.strip() + ", whose values are not HU: the picture may be flat white or black" + hint);
        }
        PixelStats s = image.modalityStats();
        double low = w.center() - w.width() / 2;
        double high = w.center() + w.width() / 2;
        if (s.min() >= high || s.max() <= low) {
            return Optional.of(String.format(Locale.ROOT, "%s: warning: every value (%.0f to %.0f) lies %s the %s window"
                    + " (%.0f to %.0f HU), so the picture is one flat shade%s", file, s.min(), s.max(),
                    s.min() >= high ? "above" : "below", name, low, high, hint));
        }
        return Optional.empty();
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
