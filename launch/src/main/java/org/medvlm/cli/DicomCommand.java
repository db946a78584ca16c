package org.medvlm.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.medvlm.dicom.DicomImage;
import org.medvlm.dicom.HeaderTable;
import org.medvlm.dicom.PixelLayout;
import org.medvlm.dicom.PixelStats;
import org.medvlm.dicom.Window;
import org.medvlm.dicom.WindowPreset;
import org.medvlm.io.AtomicFiles;
import org.medvlm.io.Guarded;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code medvlm dicom}: a DICOM file's figures ({@code info}), its windowed image as PNG ({@code render}), its
 * de-identified header ({@code header}), or all of it for a notebook ({@code dicom FILE}, also {@code dicom show FILE}:
 * what the kernel's {@code %dicom PATH --window lung} runs).
 */
@Command(name = "dicom", mixinStandardHelpOptions = true,
        description = {"Reads DICOM files: uncompressed (through ImageJ), RLE Lossless and JPEG baseline.",
            "'dicom FILE' shows the windowed image and the header with identifying values masked (the notebook's %%dicom)."},
        subcommands = {DicomCommand.Info.class, DicomCommand.Render.class, DicomCommand.Show.class, DicomCommand.Header.class})
final class DicomCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "A DICOM file to show (same as 'dicom show FILE').")
    Path file;

    @Mixin WindowOptions window = new WindowOptions();

    @Option(names = "--show-phi", description = "Show the raw header, identifying values included, for a user who may see them "
            + "(by default the attributes of the PS3.15 de-identification profile, private tags, names, dates and UIDs are masked: notebooks get shared).")
    boolean showPhi;

    private final Display display;

    DicomCommand(Display display) {
        this.display = display;
    }

    @Override
    public Integer call() throws IOException {
        if (file == null) {
            spec.commandLine().usage(display.out());
            return Medvlm.EXIT_OK;
        }
        return Show.show(display, spec, file, window, showPhi);
    }

    /** A closed choice of window: the presets and the file's own. */
    enum WindowChoice {
        lung, mediastinum, bone, brain, abdomen, file
    }

    /** The window and frame options that render and show share. */
    static final class WindowOptions {
        @Option(names = "--window", paramLabel = "NAME",
                description = "lung (-600/1500), mediastinum (50/350), bone (400/1800), brain (40/80), abdomen (40/400) as center/width in HU, "
                        + "or file (the file's WindowCenter/Width). Default: the file's window, else the frame's full range.")
        WindowChoice choice;

        @Option(names = "--center", paramLabel = "C", description = "Window center (modality units, HU for CT); with --width.")
        Double center;

        @Option(names = "--width", paramLabel = "W", description = "Window width (at least 1); with --center.")
        Double width;

        @Option(names = "--frame", paramLabel = "N", defaultValue = "0", description = "Frame to render, from 0 (default: ${DEFAULT-VALUE}).")
        int frame;

        /** The window to use, or null for a colour image (which is not windowed). */
        Window resolve(CommandSpec spec, DicomImage image, java.io.PrintWriter warnings) {
            if ((center == null) != (width == null)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--center and --width go together");
            }
            if (center != null && choice != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--window and --center/--width exclude each other");
            }
            if (!image.layout().monochrome()) {
                if (choice != null || center != null) {
                    throw new UserError(image.header().file() + " is a colour image (" + image.layout().photometric()
                            + "): windows apply to grey images");
                }
                return null;
            }
            if (center != null) {
                return new Window(center, width);
            }
            if (choice == null) {
                return image.defaultWindow(frame);
            }
            if (choice == WindowChoice.file) {
                return image.fileWindow().orElseThrow(() -> new UserError(image.header().file()
                        + " has no WindowCenter/WindowWidth: use --window lung|mediastinum|bone|brain|abdomen or --center/--width"));
            }
            WindowPreset preset = WindowPreset.valueOf(choice.name().toUpperCase(Locale.ROOT));
            // the same warning vlm ask and vlm explain give: a CT window on MR data, or one that paints a flat picture
            Images.windowWarning(Path.of(image.header().file()), image, preset).ifPresent(w -> {
                warnings.println(w);
                warnings.flush();
            });
            return preset.window();
        }
    }

    /** The {@code info} JSON: valid JSON (a non-finite value is null, and kept as a key). */
    private static final com.google.gson.Gson INFO_JSON =
            new com.google.gson.GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    /** Reads a DICOM file; a JVM error on a hostile file is one line naming it. */
    static DicomImage read(Path file) throws IOException {
        return Guarded.read(file.toString(), () -> DicomImage.read(file));
    }

    /** {@code dicom info FILE [--json]}: the figures an independent DICOM reader can check. */
    @Command(name = "info", mixinStandardHelpOptions = true,
            description = {"Size, encoding, rescale, and statistics of stored and modality values.",
                "Statistics cover all frames and samples; pixels are the stored values of frame 0, sample 0 at (0,0), "
                        + "(rows/2, cols/2) and (rows-1, cols-1). Stored values are pydicom's pixel_array (YBR JPEG stays "
                        + "YCbCr), modality values its apply_modality_lut (rescale slope/intercept when both are present)."})
    static final class Info implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "A DICOM file.")
        Path file;

        @Option(names = "--json", description = "One JSON object instead of text.")
        boolean json;

        private final Display display;

        Info(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() throws IOException {
            DicomImage image = read(file);
            Map<String, Object> info = info(image);
            if (json) {
                display.out().println(INFO_JSON.toJson(info));
            } else {
                display.out().print(text(image));
            }
            display.out().flush();
            return Medvlm.EXIT_OK;
        }

        static Map<String, Object> info(DicomImage image) {
            PixelLayout l = image.layout();
            PixelStats stored = image.pixels().storedStats();
            PixelStats modality = image.modalityStats();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rows", l.rows());
            m.put("columns", l.columns());
            m.put("frames", l.frames());
            m.put("samples_per_pixel", l.samplesPerPixel());
            m.put("bits_allocated", l.bitsAllocated());
            m.put("bits_stored", l.bitsStored());
            m.put("photometric", l.photometric());
            m.put("transfer_syntax", image.header().transferSyntax().uid());
            m.put("rescale_slope", finite(image.rescaleSlope()));
            m.put("rescale_intercept", finite(image.rescaleIntercept()));
            m.put("modality", image.header().modality());
            m.put("stored", stats(stored, true));
            m.put("modality_values", stats(modality, false));
            List<List<Long>> pixels = new ArrayList<>();
            for (int[] at : probes(l)) {
                pixels.add(List.of((long) at[0], (long) at[1], image.pixels().stored(0, at[0], at[1], 0)));
            }
            m.put("pixels", pixels);
            return m;
        }

        private static Map<String, Object> stats(PixelStats s, boolean integral) {
            Map<String, Object> m = new LinkedHashMap<>();
            // stored values are integers; print them as such
            m.put("min", integral ? (Object) (long) s.min() : finite(s.min()));
            m.put("max", integral ? (Object) (long) s.max() : finite(s.max()));
            m.put("mean", finite(s.mean()));
            return m;
        }

        /** JSON has no NaN or infinity (a rescale slope of 1e308 overflows): such a value is null. */
        private static Double finite(double v) {
            return Double.isFinite(v) ? v : null;
        }

        static int[][] probes(PixelLayout l) {
            return new int[][] {{0, 0}, {l.rows() / 2, l.columns() / 2}, {l.rows() - 1, l.columns() - 1}};
        }

        static String text(DicomImage image) {
            PixelLayout l = image.layout();
            StringBuilder s = new StringBuilder();
            s.append(image.header().fileName()).append(": ").append(image.header().modality().isEmpty() ? "" : image.header().modality() + " ")
                    .append(l.rows()).append(" rows x ").append(l.columns()).append(" columns, ")
                    .append(l.frames()).append(l.frames() == 1 ? " frame, " : " frames, ")
                    .append(l.samplesPerPixel()).append(" sample(s) per pixel, ").append(l.photometric()).append('\n');
            s.append("bits: ").append(l.bitsStored()).append(" stored of ").append(l.bitsAllocated()).append(" allocated, ")
                    .append(l.signed() ? "signed" : "unsigned").append('\n');
            s.append("transfer syntax: ").append(image.header().transferSyntax()).append('\n');
            s.append("rescale: slope ").append(num(image.rescaleSlope())).append(", intercept ").append(num(image.rescaleIntercept())).append('\n');
            PixelStats st = image.pixels().storedStats();
            PixelStats mo = image.modalityStats();
            s.append("stored values: min ").append(num(st.min())).append(", max ").append(num(st.max()))
                    .append(", mean ").append(num(st.mean())).append('\n');
            s.append("modality values: min ").append(num(mo.min())).append(", max ").append(num(mo.max()))
                    .append(", mean ").append(num(mo.mean())).append('\n');
            s.append("stored values of frame 0, sample 0:");
            for (int[] at : probes(l)) {
                s.append(" (").append(at[0]).append(',').append(at[1]).append(")=").append(image.pixels().stored(0, at[0], at[1], 0));
            }
            s.append('\n');
            s.append("window: ").append(image.fileWindow().map(w -> w + " (from the file)").orElse("none in the file")).append('\n');
            s.append("decoded by: ").append(image.pixels().decoder()).append('\n');
            return s.toString();
        }

        private static String num(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.6g", v);
        }
    }

    /** {@code dicom render FILE [--window ...] [--frame N] --png OUT}. */
    @Command(name = "render", mixinStandardHelpOptions = true,
            description = "Writes one frame as the model sees it (modality LUT, window, MONOCHROME1 inversion, RGB) to a PNG.")
    static final class Render implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "A DICOM file.")
        Path file;

        @Mixin WindowOptions window = new WindowOptions();

        @Option(names = "--png", paramLabel = "OUT", required = true, description = "The PNG to write (atomically).")
        Path png;

        private final Display display;

        Render(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() throws IOException {
            DicomImage image = read(file);
            Window w = window.resolve(spec, image, display.err());
            BufferedImage rgb = image.render(window.frame, w);
            AtomicFiles.write(png, out -> {
                if (!ImageIO.write(rgb, "png", out)) {
                    throw new IOException("no PNG writer in this Java runtime");
                }
            });
            display.out().println("wrote " + png + " (" + rgb.getWidth() + "x" + rgb.getHeight() + ", frame " + window.frame
                    + (w == null ? ", colour" : ", window " + w) + ")");
            display.out().flush();
            return Medvlm.EXIT_OK;
        }
    }

    /** {@code dicom show FILE}: the windowed image and the masked header; text in a terminal. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Shows the windowed image and the header (identifying values masked) in a notebook; prints the figures and header in a terminal.")
    static final class Show implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "A DICOM file.")
        Path file;

        @Mixin WindowOptions window = new WindowOptions();

        @Option(names = "--show-phi", description = "Show the raw header, identifying values included (for a user who may see them).")
        boolean showPhi;

        private final Display display;

        Show(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() throws IOException {
            return show(display, spec, file, window, showPhi);
        }

        static int show(Display display, CommandSpec spec, Path file, WindowOptions window, boolean showPhi) throws IOException {
            DicomImage image = read(file);
            Window w = window.resolve(spec, image, display.err());
            if (display.rich()) {
                display.show(image.render(window.frame, w));
            } else {
                display.out().print(Info.text(image));
                display.out().println("rendered: frame " + window.frame + (w == null ? ", colour" : ", window " + w)
                        + " (write it with 'medvlm dicom render FILE --png OUT')");
                display.out().flush();
            }
            display.show(image.headerTable(showPhi));
            return Medvlm.EXIT_OK;
        }
    }

    /** {@code dicom header FILE [--show-phi] [--json]}. */
    @Command(name = "header", mixinStandardHelpOptions = true,
            description = {"The header's top-level attributes. Identifying values are masked, each saying why: every attribute"
                    + " of the PS3.15 Annex E de-identification profile (Table E.1-1), whatever VR the file writes it with,"
                    + " private tags, person names, dates and times, AE titles and instance UIDs.",
                "--show-phi shows the raw header to a user who may see it."})
    static final class Header implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "A DICOM file.")
        Path file;

        @Option(names = "--show-phi", description = "Show the raw header, identifying values included (for a user who may see them).")
        boolean showPhi;

        @Option(names = "--json", description = "A JSON list of {tag, keyword, vr, value, masked, why}.")
        boolean json;

        private final Display display;

        Header(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() throws IOException {
            var header = Guarded.read(file.toString(), () -> DicomImage.readHeader(file));
            if (json) {
                List<HeaderTable.Row> rows = header.rows(showPhi);
                display.out().println(Json.compact(rows));
                display.out().flush();
            } else {
                display.show(header.table(showPhi));
            }
            return Medvlm.EXIT_OK;
        }
    }
}
