package org.medvlm.train;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.medvlm.io.AtomicFiles;
import org.medvlm.layers.ConfigReader;

/**
 * A run's checkpoints: {@code checkpoints/step-NNNNNN/}, each a complete model folder plus the trainer's state, and a
 * {@code manifest.json} (every file's size and SHA-256) written last. A checkpoint is written into
 * {@code step-NNNNNN.tmp/} (each file flushed to disk), its manifest last, then renamed into place, so a process killed
 * at any moment leaves either the previous checkpoints or a complete new one, never a half-written one that looks
 * complete. Readers take only folders whose manifest matches their files; a corrupt one is reported by name and the
 * previous one is used.
 */
public final class Checkpoints {
    public static final String MANIFEST = "manifest.json";
    private static final Pattern NAME = Pattern.compile("step-(\\d{6,})");

    private final Path dir;
    private final int keep;

    Checkpoints(Path dir, int keep) {
        this.dir = dir;
        this.keep = Math.max(1, keep);
    }

    /** What fills a checkpoint folder: model files and trainer state, written into {@code folder}. */
    @FunctionalInterface
    public interface Writer {
        void write(Path folder) throws IOException;
    }

    /** A complete checkpoint found on disk. */
    public record Found(Path dir, long step) {}

    /** The folder name of the checkpoint at {@code step}. */
    public static String name(long step) {
        return String.format("step-%06d", step);
    }

    /**
     * Writes the checkpoint of {@code step}: {@code writer} fills a temporary folder, the manifest is written last,
     * the folder is renamed into place and the parent synced; then all but the newest {@code keep} are removed.
     * Returns the checkpoint's folder.
     */
    public Path save(long step, Writer writer) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(name(step));
        Path tmp = dir.resolve(name(step) + ".tmp");
        deleteTree(tmp); // left by a process killed while writing
        Files.createDirectories(tmp);
        writer.write(tmp);
        pauseForTests();
        JsonObject manifest = new JsonObject();
        manifest.addProperty("schema", RunEvents.SCHEMA);
        manifest.addProperty("step", step);
        JsonObject files = new JsonObject();
        try (Stream<Path> s = Files.list(tmp)) {
            for (Path f : s.sorted().toList()) {
                if (Files.isRegularFile(f)) {
                    force(f);
                    JsonObject e = new JsonObject();
                    e.addProperty("bytes", Files.size(f));
                    e.addProperty("sha256", sha256(f));
                    files.add(f.getFileName().toString(), e);
                }
            }
        }
        manifest.add("files", files);
        AtomicFiles.writeString(tmp.resolve(MANIFEST), RunEvents.line(manifest) + "\n");
        deleteTree(target); // an incomplete one of the same step
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(dir);
        prune();
        return target;
    }

    /**
     * The newest complete checkpoint; each folder that looks like a checkpoint but does not match its manifest is
     * reported to {@code skipped} ("checkpoints/step-000120: model.safetensors has 120 bytes, the manifest says 4096")
     * and passed over.
     */
    public Optional<Found> latest(Consumer<String> skipped) throws IOException {
        for (Found f : candidates()) {
            String problem = verify(f.dir());
            if (problem == null) {
                return Optional.of(f);
            }
            skipped.accept(f.dir() + ": " + problem + "; using an earlier checkpoint");
        }
        return Optional.empty();
    }

    /** Checkpoint folders by step, newest first (whether complete or not). */
    List<Found> candidates() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Found> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && Files.isDirectory(p)) {
                    out.add(new Found(p, Long.parseLong(m.group(1))));
                }
            }
        }
        out.sort(Comparator.comparingLong(Found::step).reversed());
        return out;
    }

    /** Null when the folder matches its manifest, else what is wrong. */
    static String verify(Path folder) {
        Path manifest = folder.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return "no manifest.json (written last, so the checkpoint is incomplete)";
        }
        try {
            JsonObject m = ConfigReader.read(manifest).json();
            JsonObject files = m.getAsJsonObject("files");
            if (files == null || files.size() == 0) {
                return "manifest.json lists no files";
            }
            for (var e : files.entrySet()) {
                Path f = folder.resolve(e.getKey());
                if (!f.normalize().startsWith(folder.normalize()) || !Files.isRegularFile(f)) {
                    return e.getKey() + " is missing";
                }
                long bytes = e.getValue().getAsJsonObject().get("bytes").getAsLong();
                if (Files.size(f) != bytes) {
                    return e.getKey() + " has " + Files.size(f) + " bytes, the manifest says " + bytes;
                }
                if (!sha256(f).equals(e.getValue().getAsJsonObject().get("sha256").getAsString())) {
                    return e.getKey() + " does not match its SHA-256 in the manifest";
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "unreadable manifest (" + e.getMessage() + ")";
        }
    }

    private void prune() throws IOException {
        List<Found> all = candidates();
        for (int i = keep; i < all.size(); i++) {
            deleteTree(all.get(i).dir());
        }
    }

    private static String sha256(Path f) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(f), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // digesting
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void force(Path f) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void forceDirectory(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a folder; the rename itself is atomic
        }
    }

    /** Removes a folder this class made (a checkpoint or its temporary folder). */
    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    /**
     * Tests kill a run while a checkpoint is being written: {@code -Dmedvlm.test.checkpoint-pause-ms} holds the writer
     * between the files and the manifest for that long. Not for users.
     */
    private static void pauseForTests() {
        long ms = Long.getLong("medvlm.test.checkpoint-pause-ms", 0);
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
