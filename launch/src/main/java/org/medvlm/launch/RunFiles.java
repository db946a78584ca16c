package org.medvlm.launch;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.medvlm.io.AtomicFiles;

/**
 * The launcher's side of the run directory (FORMATS.md): run.json, status.json (read, and rewritten atomically with
 * the fields the launcher owns: the job, failures, stops), and the rank logs' last lines.
 */
public final class RunFiles {
    public static final int SCHEMA = 1;

    private RunFiles() {}

    /** UTC, ISO-8601 with Z, as the Python trainer writes it and {@code Instant.parse} reads it. */
    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public static Optional<JsonObject> status(Path runDir) {
        Path f = runDir.resolve("status.json");
        try {
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            JsonElement e = JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8));
            return e.isJsonObject() ? Optional.of(e.getAsJsonObject()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The run's state ("created", "running", "finished", "failed", "stopped"), or "unknown". */
    public static String state(Path runDir) {
        return status(runDir).filter(s -> s.has("state")).map(s -> s.get("state").getAsString()).orElse("unknown");
    }

    /** Rewrites status.json with {@code fields} set over what it holds (other writers' fields kept). */
    public static synchronized JsonObject updateStatus(Path runDir, JsonObject fields) throws IOException {
        JsonObject s = status(runDir).orElseGet(JsonObject::new);
        s.addProperty("schema", SCHEMA);
        fields.entrySet().forEach(e -> s.add(e.getKey(), e.getValue()));
        s.addProperty("updated", now());
        AtomicFiles.writeString(runDir.resolve("status.json"), pretty(s));
        return s;
    }

    /** Marks the run failed (or stopped) unless it already finished: the state, the reason, the time. */
    public static void finish(Path runDir, String state, String reason) throws IOException {
        JsonObject f = new JsonObject();
        f.addProperty("state", state);
        f.addProperty("reason", reason);
        updateStatus(runDir, f);
    }

    static String pretty(JsonObject o) {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(o) + "\n";
    }

    /** The last {@code n} lines of a log (reading at most its last 64 KiB). */
    public static List<String> tail(Path log, int n) {
        if (!Files.isRegularFile(log)) {
            return List.of();
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            long start = Math.max(0, len - (64 << 10));
            byte[] buf = new byte[(int) (len - start)];
            f.seek(start);
            f.readFully(buf);
            String[] lines = new String(buf, StandardCharsets.UTF_8).split("\r?\n");
            List<String> out = new ArrayList<>();
            for (int i = Math.max(0, lines.length - n); i < lines.length; i++) {
                if (!lines[i].isBlank()) {
                    out.add(lines[i]);
                }
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** "rank 1 ... last lines: a | b | c", the way a failure names what happened. */
    static String lastLines(Path log, int n) {
        List<String> t = tail(log, n);
        return t.isEmpty() ? "(its log is empty)" : "last lines of " + log.getFileName() + ": " + String.join(" | ", t);
    }

    /** The rank log whose last lines hold a Python traceback, else the most recently written one. */
    static Optional<Path> failedRankLog(Path runDir) {
        Path logs = runDir.resolve("logs");
        if (!Files.isDirectory(logs)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(logs)) {
            List<Path> ranks = s.filter(p -> p.getFileName().toString().matches("rank-\\d+\\.log")).sorted().toList();
            for (Path p : ranks) {
                if (tail(p, 40).stream().anyMatch(l -> l.startsWith("Traceback") || l.startsWith("medvlm train:"))) {
                    return Optional.of(p);
                }
            }
            return ranks.stream().max(Comparator.comparingLong(p -> p.toFile().lastModified()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Deletes a folder tree this toolkit made (temporary folders only). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
