package org.medvlm.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import javax.imageio.ImageIO;
import org.medvlm.io.AtomicFiles;
import org.medvlm.layers.ConfigReader;

/**
 * A run's folder, the one place every kind of run writes and every viewer reads:
 * <pre>
 * RUN_DIR/run.json         the settings, written once
 * RUN_DIR/status.json      created / running / finished / failed / stopped (rewritten atomically)
 * RUN_DIR/metrics.jsonl    one line per step and per evaluation, appended and flushed line by line
 * RUN_DIR/samples.jsonl    the shown examples of each evaluation
 * RUN_DIR/samples/ID.png   each shown example's image, once
 * RUN_DIR/checkpoints/     complete model folders plus optimizer state ({@link Checkpoints})
 * RUN_DIR/model/           the final model folder
 * </pre>
 * It is a {@link RunEvents.Listener}, so a trainer hands it the same events as a notebook view. Lines are written
 * whole with one append each, so another process following the files never reads half a line.
 */
public final class RunDirectory implements RunEvents.Listener {
    public static final String RUN = "run.json";
    public static final String STATUS = "status.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String SAMPLES = "samples.jsonl";
    public static final String SAMPLE_IMAGES = "samples";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String MODEL = "model";

    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * Prepares {@code dir} for a run with {@code settings}: a new or empty folder, or, with {@code resume}, a folder
     * holding a run of the same architecture. A folder holding another run is refused unless resuming, and a
     * non-empty folder that is not a run is refused always (nothing the user did not name is overwritten).
     */
    public static RunDirectory create(Path dir, JsonObject settings, boolean resume, String comparedKey) throws IOException {
        if (check(dir, settings, resume, comparedKey)) {
            return new RunDirectory(dir);
        }
        Files.createDirectories(dir);
        JsonObject written = settings.deepCopy();
        written.addProperty("schema", RunEvents.SCHEMA);
        written.addProperty("created", Instant.now().toString());
        AtomicFiles.writeString(dir.resolve(RUN), new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create().toJson(written) + "\n");
        return new RunDirectory(dir);
    }

    /**
     * What {@link #create} refuses, checked without writing anything (so a run can load its data and model first, and a
     * bad {@code --data} leaves no run folder behind): true when {@code dir} holds a run that {@code resume} continues.
     */
    public static boolean check(Path dir, JsonObject settings, boolean resume, String comparedKey) throws IOException {
        Path run = dir.resolve(RUN);
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + ": exists and is not a folder");
        }
        if (Files.isRegularFile(run)) {
            if (!resume) {
                throw new IOException(dir + ": holds another run (run.json); use --resume to continue it or choose another --run-dir");
            }
            JsonObject previous = ConfigReader.read(run).json();
            if (comparedKey != null && previous.has(comparedKey) && settings.has(comparedKey)
                    && !previous.get(comparedKey).equals(settings.get(comparedKey))) {
                throw new IOException(dir + ": was a run of " + comparedKey + " " + previous.get(comparedKey)
                        + ", not " + settings.get(comparedKey) + "; resume it with its own settings");
            }
            return true;
        }
        if (Files.isDirectory(dir)) {
            try (var entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(dir + ": is not empty and holds no run (run.json); choose an empty or new --run-dir");
                }
            }
        }
        return false;
    }

    /** An existing run folder, for following or resuming; refuses a folder without run.json. */
    public static RunDirectory open(Path dir) throws IOException {
        if (!Files.isRegularFile(dir.resolve(RUN)) && !Files.isRegularFile(dir.resolve(STATUS))) {
            throw new IOException(dir + ": not a run folder (no run.json or status.json)");
        }
        return new RunDirectory(dir);
    }

    public Path dir() {
        return dir;
    }

    /** The run's settings as written at its start. */
    public JsonObject settings() throws IOException {
        return ConfigReader.read(dir.resolve(RUN)).json();
    }

    /** The checkpoints of this run, keeping the newest {@code keep}. */
    public Checkpoints checkpoints(int keep) {
        return new Checkpoints(dir.resolve(CHECKPOINTS), keep);
    }

    /** The final model folder's path (it exists once the run has finished). */
    public Path model() {
        return dir.resolve(MODEL);
    }

    @Override
    public void onStep(RunEvents.Step e) {
        append(METRICS, RunEvents.line(RunEvents.toJson(e)));
    }

    @Override
    public void onEval(RunEvents.Eval e) {
        append(METRICS, RunEvents.line(RunEvents.toJson(e)));
        StringBuilder lines = new StringBuilder();
        for (RunEvents.Sample s : e.samples()) {
            writeSampleImage(s);
            lines.append(RunEvents.line(RunEvents.toJson(s))).append('\n');
        }
        if (lines.length() > 0) {
            appendRaw(SAMPLES, lines.toString());
        }
    }

    @Override
    public void onStatus(RunEvents.Status s) {
        try {
            AtomicFiles.writeString(dir.resolve(STATUS), RunEvents.line(RunEvents.toJson(s)) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sample's image, written once (each shown example keeps its image across evaluations). */
    private void writeSampleImage(RunEvents.Sample s) {
        if (s.thumbnail() == null || s.image() == null) {
            return;
        }
        Path file = dir.resolve(s.image());
        if (Files.exists(file)) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            BufferedImage img = s.thumbnail();
            AtomicFiles.write(file, out -> ImageIO.write(img, "png", out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void append(String name, String line) {
        appendRaw(name, line + "\n");
    }

    /** Appends whole lines with one write, then forces them to disk, so followers see complete lines only. */
    private void appendRaw(String name, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(dir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    /** Every event line so far in {@code metrics.jsonl} (steps and evaluations), for tests and summaries. */
    public List<Object> metrics() throws IOException {
        Path file = dir.resolve(METRICS);
        if (!Files.exists(file)) {
            return List.of();
        }
        List<Object> out = new java.util.ArrayList<>();
        try (org.medvlm.io.LineReader lines = org.medvlm.io.InputFiles.lines(file, org.medvlm.io.Limit.ANNOTATION_BYTES, true)) {
            for (String l = lines.next(); l != null; l = lines.next()) {
                Object event = l.isBlank() ? null : RunEvents.parse(file, l, RunEvents::parseMetrics);
                if (event != null) {
                    out.add(event);
                }
            }
        }
        return out;
    }
}
