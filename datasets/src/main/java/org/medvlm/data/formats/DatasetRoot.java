package org.medvlm.data.formats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folder a dataset is loaded from (the folder the user named, or the folder of the file they named), as a
 * real path: the files a loader finds there and the images its records name must resolve inside it. Annotation
 * files come from strangers, and a symbolic link ({@code imgs/x.jpg -> /etc/passwd}, a linked folder) would
 * otherwise be opened, answered about and shown as a thumbnail.
 *
 * <p>A user whose dataset links to another disk on purpose allows it with the system property
 * {@code -Dmedvlm.allow-outside-root=true} ({@code MEDVLM_JAVA_OPTS} on the command line).
 */
final class DatasetRoot {
    /** The system property that lets links lead out of the dataset folder. */
    static final String ALLOW_OUTSIDE = "medvlm.allow-outside-root";

    private final Path dir;
    private final Path real;

    private DatasetRoot(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
        Path r;
        try {
            r = this.dir.toRealPath();
        } catch (IOException e) {
            r = this.dir;
        }
        this.real = r;
    }

    /** The root for what the user named: a folder is the root, a file's folder is. */
    static DatasetRoot of(Path named) {
        Path abs = named.toAbsolutePath().normalize();
        return new DatasetRoot(Files.isDirectory(abs) ? abs : abs.getParent() == null ? abs : abs.getParent());
    }

    /** The folder as given (absolute). */
    Path dir() {
        return dir;
    }

    /** True when the user allowed links out of dataset folders. */
    static boolean outsideAllowed() {
        return Boolean.getBoolean(ALLOW_OUTSIDE);
    }

    /** True when {@code realPath} (already resolved) lies inside the root, or the user allowed links out. */
    boolean holds(Path realPath) {
        return realPath.startsWith(real) || outsideAllowed();
    }

    /**
     * A file the loader found in the dataset (not one the user named): its real path must stay inside the root;
     * a link out is refused with one line naming it and its target.
     */
    Path file(Path found) {
        Path target;
        try {
            target = found.toRealPath();
        } catch (IOException e) {
            return found; // the reader's own open reports what is wrong with it
        }
        if (!holds(target)) {
            throw new IllegalArgumentException(found + ": a link to " + target + ", outside the dataset folder " + real
                    + "; not read (allow links out of dataset folders with -D" + ALLOW_OUTSIDE + "=true)");
        }
        return found;
    }
}
