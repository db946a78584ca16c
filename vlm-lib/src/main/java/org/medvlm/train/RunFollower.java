package org.medvlm.train;

import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.medvlm.imaging.ImageFiles;
import org.medvlm.io.InputFiles;
import org.medvlm.io.Limit;

/**
 * Follows a run folder another process (or an earlier kernel) writes: the new complete lines of {@code metrics.jsonl}
 * and {@code samples.jsonl} and the changes of {@code status.json} become the same events a trainer emits, so a
 * notebook re-attached after a restart, or a launched multi-GPU run, shows the same chart and answer table as a local
 * run. Each poll reads only what was appended since the last one; a line without its newline waits for the next.
 */
public final class RunFollower {
    private final Path dir;
    private long metricsOffset;
    private long samplesOffset;
    private String lastStatus;
    private final List<RunEvents.Sample> pendingSamples = new ArrayList<>();

    public RunFollower(Path dir) {
        this.dir = dir;
    }

    /** Delivers what appeared since the last poll; returns the current status (null before status.json exists). */
    public RunEvents.Status poll(RunEvents.Listener listener) throws IOException {
        // samples first: an evaluation's metrics line is written before its samples, so pair them up by step
        for (String line : newLines(RunDirectory.SAMPLES, true)) {
            pendingSamples.add(withThumbnail(RunEvents.parse(dir.resolve(RunDirectory.SAMPLES), line, RunEvents::parseSample)));
        }
        for (String line : newLines(RunDirectory.METRICS, false)) {
            Object event = RunEvents.parse(dir.resolve(RunDirectory.METRICS), line, RunEvents::parseMetrics);
            if (event instanceof RunEvents.Step s) {
                listener.onStep(s);
            } else if (event instanceof RunEvents.Eval e) {
                // its samples may still be on their way; read them now so the table shows with the scores
                for (String sl : newLines(RunDirectory.SAMPLES, true)) {
                    pendingSamples.add(withThumbnail(RunEvents.parse(dir.resolve(RunDirectory.SAMPLES), sl, RunEvents::parseSample)));
                }
                List<RunEvents.Sample> mine = pendingSamples.stream().filter(x -> x.step() == e.step()).toList();
                pendingSamples.removeIf(x -> x.step() <= e.step());
                listener.onEval(new RunEvents.Eval(e.step(), e.epoch(), e.elapsedS(), e.loss(), e.metrics(), mine));
            }
        }
        Path statusFile = dir.resolve(RunDirectory.STATUS);
        if (!Files.exists(statusFile)) {
            return null; // the run has not started yet
        }
        // a few hundred bytes; bounded so a status.json replaced by something else cannot exhaust the heap
        String text = InputFiles.readString(statusFile, Limit.LINE_CHARS).strip();
        if (text.isEmpty()) {
            return null;
        }
        RunEvents.Status status = RunEvents.parse(statusFile, text, RunEvents::parseStatus);
        if (!text.equals(lastStatus)) {
            lastStatus = text;
            listener.onStatus(status);
        }
        return status;
    }

    /**
     * Polls every {@code intervalMs} until the run reaches a final state (and its last lines are read), the thread is
     * interrupted, or {@code timeoutMs} passes (0: no limit); returns the last status.
     */
    public RunEvents.Status follow(RunEvents.Listener listener, long intervalMs, long timeoutMs) throws IOException, InterruptedException {
        long deadline = timeoutMs > 0 ? System.nanoTime() + timeoutMs * 1_000_000 : Long.MAX_VALUE;
        while (true) {
            RunEvents.Status s = poll(listener);
            if (s != null && s.state().isFinal()) {
                poll(listener); // lines appended between the reads above
                return s;
            }
            if (System.nanoTime() > deadline) {
                return s;
            }
            Thread.sleep(intervalMs);
        }
    }

    private RunEvents.Sample withThumbnail(RunEvents.Sample s) {
        BufferedImage img = null;
        if (s.image() != null) {
            Path file = dir.resolve(s.image()).normalize();
            if (file.startsWith(dir.normalize()) && Files.isRegularFile(file)) {
                try {
                    img = ImageFiles.read(file);
                } catch (IOException e) {
                    img = null; // a view without its picture rather than no view
                }
            }
        }
        return new RunEvents.Sample(s.step(), s.id(), s.image(), s.question(), s.truth(), s.answer(), s.correct(),
                s.answerType(), s.questionType(), img);
    }

    /** Complete lines appended to {@code name} since the last call. */
    private List<String> newLines(String name, boolean samples) throws IOException {
        Path file = dir.resolve(name);
        List<String> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        long offset = samples ? samplesOffset : metricsOffset;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            if (length < offset) {
                offset = 0; // the file was replaced: read it again
            }
            if (length == offset) {
                return out;
            }
            byte[] bytes = new byte[(int) Math.min(length - offset, 64L << 20)];
            raf.seek(offset);
            raf.readFully(bytes);
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    String line = new String(bytes, start, i - start, StandardCharsets.UTF_8).strip();
                    if (!line.isEmpty()) {
                        out.add(line);
                    }
                    start = i + 1;
                }
            }
            offset += start; // a trailing partial line is read again next time
        }
        if (samples) {
            samplesOffset = offset;
        } else {
            metricsOffset = offset;
        }
        return out;
    }

    /** The run's settings and status, for {@code train status}. */
    public static JsonObject describe(Path dir) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("run_dir", dir.toString());
        Path status = dir.resolve(RunDirectory.STATUS);
        if (Files.exists(status)) { // a status.json that is not a regular file is refused by name below
            String text = InputFiles.readString(status, Limit.LINE_CHARS);
            o.add("status", RunEvents.parse(status, text, json -> json));
        }
        return o;
    }
}
