package org.medvlm.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.medvlm.train.Trainer;

/**
 * The runs this session started and has not seen end, by run folder: what {@code train stop} and {@code train status}
 * act on without a folder, and what a kernel stops when it shuts down.
 */
final class TrainSession implements AutoCloseable {
    private final Map<Path, Trainer> active = new LinkedHashMap<>();

    static TrainSession of(Display display) {
        return display.session().get(TrainSession.class, TrainSession::new);
    }

    synchronized void started(Path runDir, Trainer trainer) {
        active.put(runDir.toAbsolutePath().normalize(), trainer);
    }

    synchronized void ended(Path runDir) {
        active.remove(runDir.toAbsolutePath().normalize());
    }

    /** The run in {@code runDir}, or the newest active one when null. */
    synchronized Optional<Map.Entry<Path, Trainer>> find(Path runDir) {
        if (runDir != null) {
            Path key = runDir.toAbsolutePath().normalize();
            Trainer t = active.get(key);
            return t == null ? Optional.empty() : Optional.of(Map.entry(key, t));
        }
        return active.entrySet().stream().reduce((a, b) -> b);
    }

    /** Stops every active run (a kernel shutting down): each writes a checkpoint after its current update. */
    @Override
    public synchronized void close() {
        active.values().forEach(t -> t.stop("the session ended"));
    }
}
