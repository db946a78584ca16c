package org.medvlm.dicom;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.tablesaw.api.Table;

/**
 * One DICOM image, the front door of this package: {@code DicomImage.read(path)}, then its stored values, its
 * modality values (rescale slope / intercept: Hounsfield units for CT), and {@link #render} for the model's RGB input.
 *
 * <pre>{@code
 * DicomImage ct = DicomImage.read(Path.of("CT_small.dcm"));
 * BufferedImage lung = ct.render(0, WindowPreset.LUNG.window());
 * Table header = ct.header().table(false);   // identifying values masked
 * }</pre>
 */
public final class DicomImage {
    private static final Logger LOG = LoggerFactory.getLogger(DicomImage.class);

    private final DicomHeader header;
    private final Pixels pixels;

    private DicomImage(DicomHeader header, Pixels pixels) {
        this.header = header;
        this.pixels = pixels;
    }

    /**
     * Reads a file: its header with this package's parser, its pixels through ImageJ where ImageJ reads them exactly,
     * else with this package's decoders. A file that is not DICOM, is cut short, or uses a compression other than
     * RLE Lossless or JPEG baseline fails with a {@link DicomFormatException} that names the file and the problem.
     */
    public static DicomImage read(Path file) throws IOException {
        DicomHeader header = DicomParser.parse(file);
        return new DicomImage(header, decodeGuarded(header, file));
    }

    /** Reads only the header (attributes, transfer syntax); no pixel data is decoded. */
    public static DicomHeader readHeader(Path file) throws IOException {
        return DicomParser.parse(file);
    }

    /** Reads a file already in memory ({@code name} is used in messages); ImageJ needs a path, so it is not used. */
    public static DicomImage read(String name, byte[] bytes) throws IOException {
        DicomHeader header = DicomParser.parse(name, bytes);
        return new DicomImage(header, decodeGuarded(header, null));
    }

    /**
     * The budgets refuse what would not fit before anything is allocated; should a decoder still run out of memory
     * (the heap shared with other work), the error is one line naming the file, not a JVM error.
     */
    private static Pixels decodeGuarded(DicomHeader h, Path file) throws IOException {
        try {
            return decode(h, file);
        } catch (OutOfMemoryError e) {
            throw new DicomFormatException(h.file(), "out of memory while decoding the pixel data (raise it with -Xmx,"
                    + " e.g. MEDVLM_JAVA_OPTS=-Xmx8g)");
        }
    }

    private static Pixels decode(DicomHeader h, Path file) throws IOException {
        TransferSyntax ts = h.transferSyntax();
        if (ts.encoding() == TransferSyntax.Encoding.UNSUPPORTED) {
            throw new DicomFormatException(h.file(), "transfer syntax " + ts.uid() + " (" + ts.name()
                    + ") is not supported: only uncompressed, RLE Lossless and JPEG baseline pixel data can be read");
        }
        if (!h.contains(Tags.PIXEL_DATA)) {
            throw NativeDecoder.noPixelData(h);
        }
        PixelLayout layout = PixelLayout.of(h);
        switch (ts.encoding()) {
            case RLE:
                return RleDecoder.decode(h, layout);
            case JPEG_BASELINE:
                return JpegBaselineDecoder.decode(h, layout);
            default:
                break;
        }
        if (!h.encapsulatedItems().isEmpty()) {
            throw new DicomFormatException(h.file(), "pixel data is encapsulated but transfer syntax " + ts + " is not");
        }
        String why = whyNotImageJ(h, layout, file);
        Pixels own = NativeDecoder.decode(h, layout, "medvlm native decoder (" + why + ")");
        if (why != null) {
            return own;
        }
        // ImageJ reads it; its result must agree value for value with this package's own reading of the bytes
        Optional<int[]> viaImageJ;
        try {
            viaImageJ = ImageJDecoder.decode(file, layout);
        } catch (RuntimeException e) {
            LOG.debug("ImageJ failed on {}", file, e);
            viaImageJ = Optional.empty();
        }
        if (viaImageJ.isEmpty()) {
            LOG.debug("ImageJ did not open {} with the header's shape; using the native decoder", file);
            return new Pixels(layout, own.raw(), "medvlm native decoder (ImageJ did not open it as the header describes)");
        }
        int mismatch = Arrays.mismatch(viaImageJ.get(), own.raw());
        if (mismatch >= 0) {
            LOG.warn("{}: ImageJ and the native decoder disagree at sample {} ({} vs {}); using the native decoder",
                    h.file(), mismatch, viaImageJ.get()[mismatch], own.raw()[mismatch]);
            return new Pixels(layout, own.raw(), "medvlm native decoder (ImageJ disagreed at sample " + mismatch + ")");
        }
        return new Pixels(layout, viaImageJ.get(), ImageJDecoder.version() + ", checked against medvlm's native decoder");
    }

    /** Null where ImageJ reads the layout exactly; otherwise the reason this package decodes it itself. */
    private static String whyNotImageJ(DicomHeader h, PixelLayout l, Path file) {
        if (file == null) {
            return "read from memory";
        }
        if (4 * l.totalSamples() > Runtime.getRuntime().maxMemory() / 8) {
            // ImageJ's copy and its check against this package's would double what a large image takes
            return "large image: decoded once, without ImageJ's second copy";
        }
        if (ij.Prefs.openDicomsAsFloat) {
            return "ImageJ's 'open DICOMs as 32-bit float' preference is on";
        }
        double slope = h.decimal(Tags.RESCALE_SLOPE).orElse(1);
        if (slope != 1 && !ij.Prefs.ignoreRescaleSlope) {
            // ImageJ would rescale through its "32-bit" and "Multiply..." menu commands, which exist only in its GUI
            // (outside it they print "Unrecognized command" to standard output and do nothing)
            return "ImageJ rescales slope " + slope + " through GUI menu commands";
        }
        if (ImageJDecoder.handles(l, TransferSyntax.EXPLICIT_VR_LE)) {
            return null;
        }
        if (l.bitsAllocated() == 32) {
            return "ImageJ reads 32-bit samples as float, exact only below 2^24";
        }
        if (l.bitsStored() != l.bitsAllocated()) {
            return "ImageJ neither masks nor sign-extends " + l.bitsStored() + " stored bits in " + l.bitsAllocated();
        }
        return "ImageJ does not read " + l.photometric() + " with " + l.bitsAllocated() + "-bit "
                + (l.signed() ? "signed" : "unsigned") + " samples";
    }

    public DicomHeader header() {
        return header;
    }

    public Pixels pixels() {
        return pixels;
    }

    public PixelLayout layout() {
        return pixels.layout();
    }

    /**
     * Rescale slope, applied only when slope and intercept are both present (as pydicom's {@code apply_modality_lut}
     * does); 1 otherwise.
     */
    public double rescaleSlope() {
        return hasRescale() ? header.decimal(Tags.RESCALE_SLOPE).getAsDouble() : 1.0;
    }

    /** Rescale intercept (0 unless slope and intercept are both present). */
    public double rescaleIntercept() {
        return hasRescale() ? header.decimal(Tags.RESCALE_INTERCEPT).getAsDouble() : 0.0;
    }

    private boolean hasRescale() {
        return header.decimal(Tags.RESCALE_SLOPE).isPresent() && header.decimal(Tags.RESCALE_INTERCEPT).isPresent();
    }

    /** The modality value (HU for CT) of one sample: stored value x slope + intercept. */
    public double modalityValue(int frame, int row, int column, int sample) {
        return pixels.stored(frame, row, column, sample) * rescaleSlope() + rescaleIntercept();
    }

    /** Statistics of the modality values over all frames and samples. */
    public PixelStats modalityStats() {
        return pixels.storedStats().rescaled(rescaleSlope(), rescaleIntercept());
    }

    /** The file's first VOI window (WindowCenter / WindowWidth), when it has one with a usable width. */
    public Optional<Window> fileWindow() {
        OptionalDouble c = header.decimal(Tags.WINDOW_CENTER);
        OptionalDouble w = header.decimal(Tags.WINDOW_WIDTH);
        if (c.isEmpty() || w.isEmpty() || !(w.getAsDouble() >= 1)) {
            return Optional.empty();
        }
        return Optional.of(new Window(c.getAsDouble(), w.getAsDouble()));
    }

    /** The window {@link #render(int)} uses: the file's, else the frame's whole range of modality values. */
    public Window defaultWindow(int frame) {
        return fileWindow().orElseGet(() -> {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            PixelLayout l = layout();
            checkFrame(frame);
            for (int r = 0; r < l.rows(); r++) {
                for (int c = 0; c < l.columns(); c++) {
                    double v = modalityValue(frame, r, c, 0);
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            return Window.spanning(min, max);
        });
    }

    /** {@link #render(int, Window)} with the {@link #defaultWindow}. */
    public BufferedImage render(int frame) {
        return render(frame, layout().monochrome() ? defaultWindow(frame) : null);
    }

    /**
     * The model's input for one frame: an RGB image. Grey images go through the modality LUT, then the window, then
     * MONOCHROME1 inversion (its low values are white), and are copied to the three channels. Colour images ignore
     * the window: RGB is shown as stored (scaled to 8 bits), YCbCr (YBR_FULL, YBR_FULL_422) is converted with the
     * full-range JPEG equations (PS3.3 C.7.6.3.1.2).
     */
    public BufferedImage render(int frame, Window window) {
        checkFrame(frame);
        PixelLayout l = layout();
        BufferedImage out = new BufferedImage(l.columns(), l.rows(), BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[l.columns()];
        if (l.monochrome()) {
            Window w = window != null ? window : defaultWindow(frame);
            boolean invert = l.photometric().equals("MONOCHROME1");
            double slope = rescaleSlope();
            double intercept = rescaleIntercept();
            int[] target = ((java.awt.image.DataBufferInt) out.getRaster().getDataBuffer()).getData();
            int first = pixels.index(frame, 0, 0, 0);
            for (int i = 0; i < target.length; i++) {
                int g = w.apply(pixels.value(first + i) * slope + intercept);
                if (invert) {
                    g = 255 - g;
                }
                target[i] = g << 16 | g << 8 | g;
            }
            return out;
        }
        boolean ybr = l.photometric().startsWith("YBR");
        int shift = Math.max(0, l.bitsStored() - 8);
        for (int r = 0; r < l.rows(); r++) {
            for (int c = 0; c < l.columns(); c++) {
                long a = pixels.stored(frame, r, c, 0) >> shift;
                long b = pixels.stored(frame, r, c, 1) >> shift;
                long d = pixels.stored(frame, r, c, 2) >> shift;
                rgb[c] = ybr ? ybrToRgb(a, b, d) : clamp(a) << 16 | clamp(b) << 8 | clamp(d);
            }
            out.setRGB(0, r, l.columns(), 1, rgb, 0, l.columns());
        }
        return out;
    }

    private static int ybrToRgb(double y, double cb, double cr) {
        int r = clamp(Math.round(y + 1.402 * (cr - 128)));
        int g = clamp(Math.round(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128)));
        int b = clamp(Math.round(y + 1.772 * (cb - 128)));
        return r << 16 | g << 8 | b;
    }

    private static int clamp(long v) {
        return (int) Math.max(0, Math.min(255, v));
    }

    private void checkFrame(int frame) {
        if (frame < 0 || frame >= layout().frames()) {
            throw new IllegalArgumentException(header.file() + ": frame " + frame + " does not exist (the file has "
                    + layout().frames() + " frame" + (layout().frames() == 1 ? "" : "s") + ", numbered from 0)");
        }
    }

    /** The header table with identifying values masked unless {@code showPhi}. */
    public Table headerTable(boolean showPhi) {
        return header.table(showPhi);
    }

    /** Shape and encoding only: nothing identifying. */
    @Override
    public String toString() {
        PixelLayout l = layout();
        return "DicomImage[" + header.fileName() + ": " + header.modality() + " " + l.rows() + "x"
                + l.columns() + (l.frames() > 1 ? "x" + l.frames() + " frames" : "") + ", " + l.photometric() + ", "
                + header.transferSyntax().name() + "]";
    }
}
