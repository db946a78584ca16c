package org.medvlm.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that a reader never sees half of one: the bytes go to a temporary file in the same
 * folder, are forced to disk, and the temporary file is renamed over the target. Every writer of the
 * toolkit goes through here ({@code --png}, {@code --ds-config}, {@code dicom render --png}, configs,
 * safetensors, kernelspecs).
 *
 * <p>What it promises:
 * <ul>
 *   <li>Only regular files are written. A target that exists and is anything else (a folder, a device
 *       such as {@code /dev/null}, a named pipe, a socket) or is a symbolic link (such as
 *       {@code /dev/stdout}) is refused before anything is written: renaming over it would replace the
 *       device or the link itself, not write through it.</li>
 *   <li>A new file gets the mode the umask gives any new file (the temporary file is created without
 *       explicit permissions); a file that is replaced keeps its mode (and, where allowed, its owner).</li>
 *   <li>Errors name the target, never the hidden temporary file: {@code plan.png: No space left on
 *       device}. A failure leaves the old file (or no file) and removes the temporary one.</li>
 * </ul>
 */
public final class AtomicFiles {

    /** What fills the file. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Opens the temporary file for writing; tests swap it to reach real I/O errors such as ENOSPC. */
    @FunctionalInterface
    interface Opener {
        FileChannel open(Path tmp) throws IOException;
    }

    private static final Opener DEFAULT_OPENER = tmp -> FileChannel.open(tmp, StandardOpenOption.WRITE);

    private AtomicFiles() {}

    public static void write(Path target, Writer writer) throws IOException {
        write(target, writer, DEFAULT_OPENER);
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Refuses a target this class would not write: one that exists and is not a regular file, or is a
     * symbolic link. Commands call it for every output path before they compute or write anything, so
     * a bad second output does not leave a first one written.
     *
     * @throws FileSystemException naming {@code target} and the problem
     */
    public static void checkTarget(Path target) throws FileSystemException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException absent) {
            return;
        } catch (IOException e) {
            throw onTarget(target, e);
        }
        if (attrs.isRegularFile()) {
            return;
        }
        String what;
        if (attrs.isSymbolicLink()) {
            String to;
            try {
                to = " (to " + Files.readSymbolicLink(target) + ")";
            } catch (IOException | UnsupportedOperationException e) {
                to = "";
            }
            what = "is a symbolic link" + to + "; name the file itself";
        } else if (attrs.isDirectory()) {
            what = "is a folder; name a file";
        } else {
            what = "is not a regular file (a device, pipe or socket); only regular files are written";
        }
        throw new FileSystemException(target.toString(), null, what);
    }

    static void write(Path target, Writer writer, Opener opener) throws IOException {
        checkTarget(target);
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Optional<PosixFileAttributes> existing = posixAttributes(absolute);
        Path tmp = createTemporary(target, dir == null ? Path.of("") : dir, absolute.getFileName().toString());
        try {
            FileChannel channel;
            try {
                if (existing.isPresent()) {
                    keepModeAndOwner(tmp, existing.get());
                }
                channel = opener.open(tmp);
            } catch (IOException e) {
                throw onTarget(target, e);
            }
            try (channel; OutputStream out = new BufferedOutputStream(new TargetStream(Channels.newOutputStream(channel)), 1 << 16)) {
                writer.write(out);
                out.flush();
                try {
                    channel.force(true);
                } catch (IOException e) {
                    throw new TargetStream.Failure(e);
                }
            } catch (IOException | UncheckedIOException e) {
                // the file's own stream failed (a full disk, a quota): say which file; the writer's other
                // problems (reading its input, say) pass through as they are
                TargetStream.Failure failure = TargetStream.Failure.in(e);
                if (failure != null) {
                    throw onTarget(target, failure.getCause());
                }
                throw e;
            }
            // the target may have changed while the bytes were written
            checkTarget(target);
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw onTarget(target, e);
            }
            syncFolder(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A new, empty temporary file beside the target, made without explicit permissions so that the
     * process's umask applies as for any new file ({@code Files.createTempFile} would force 0600).
     */
    private static Path createTemporary(Path target, Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                Files.createFile(tmp);
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw onTarget(target, e);
                }
            } catch (IOException e) {
                throw onTarget(target, e);
            }
        }
    }

    private static Optional<PosixFileAttributes> posixAttributes(Path file) {
        try {
            return Optional.of(Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty(); // a new file, or a file system without POSIX modes
        }
    }

    private static void keepModeAndOwner(Path tmp, PosixFileAttributes old) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        view.setPermissions(old.permissions());
        try {
            PosixFileAttributes now = view.readAttributes();
            if (!now.owner().equals(old.owner())) {
                view.setOwner(old.owner());
            }
            if (!now.group().equals(old.group())) {
                view.setGroup(old.group());
            }
        } catch (IOException e) {
            // only the owner (or root) may give a file away; the mode is what matters
        }
    }

    /** Makes the rename itself durable; some file systems cannot sync a folder, which is not an error. */
    private static void syncFolder(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }

    /** The same problem, told about the target (the temporary file is an implementation detail). */
    private static FileSystemException onTarget(Path target, IOException e) {
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : e instanceof FileSystemException ? describe(e)
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        FileSystemException named = e instanceof AccessDeniedException ? new AccessDeniedException(target.toString(), null, reason)
                : new FileSystemException(target.toString(), null, reason);
        named.initCause(e);
        return named;
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        return e.getClass().getSimpleName();
    }

    /** Marks exceptions of the file's own stream, so the writer's other I/O errors pass through unchanged. */
    private static final class TargetStream extends FilterOutputStream {
        TargetStream(OutputStream out) {
            super(out);
        }

        static final class Failure extends IOException {
            private static final long serialVersionUID = 1L;

            Failure(IOException cause) {
                super(cause.getMessage(), cause);
            }

            @Override
            public synchronized IOException getCause() {
                return (IOException) super.getCause();
            }

            /** The failure of the file's stream somewhere in {@code t}'s causes, or null. */
            static Failure in(Throwable t) {
                for (Throwable c = t; c != null; c = c.getCause()) {
                    if (c instanceof Failure f) {
                        return f;
                    }
                }
                return null;
            }
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw new Failure(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new Failure(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw new Failure(e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                out.close();
            } catch (IOException e) {
                throw new Failure(e);
            }
        }
    }
}
