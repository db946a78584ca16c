package org.medvlm.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    private List<String> names() throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void failedWriteKeepsOldContentAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("plan.json");
        AtomicFiles.writeString(f, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half".getBytes());
            throw new IOException("the input went away");
        }));
        assertEquals("the input went away", e.getMessage(), "the writer's own problem passes through unchanged");
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("plan.json"), names());
    }

    @Test
    void writesIntoNewFolders() throws IOException {
        Path f = dir.resolve("a/b/c.txt");
        AtomicFiles.writeString(f, "x");
        assertEquals("x", Files.readString(f));
    }

    /** Real ENOSPC from the kernel: the temporary file's channel is /dev/full. */
    @Test
    void aFullDiskNamesTheTargetAndLeavesNothingBehind() throws IOException {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full), "no /dev/full on this system");
        Path f = dir.resolve("ds_config.json");
        Files.writeString(f, "old");
        for (int size : new int[] {10, 1 << 20}) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(f,
                    out -> out.write(new byte[size]), tmp -> FileChannel.open(full, StandardOpenOption.WRITE)));
            assertEquals(f.toString(), e.getFile());
            assertEquals("No space left on device", e.getReason());
            assertEquals(f + ": No space left on device", e.getMessage());
            assertEquals("old", Files.readString(f));
            assertEquals(List.of("ds_config.json"), names(), "no temporary file is left");
        }
        // a new file: none is made
        Path fresh = dir.resolve("plan.png");
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(fresh,
                out -> out.write(new byte[100]), tmp -> FileChannel.open(full, StandardOpenOption.WRITE)));
        assertEquals(fresh.toString(), e.getFile());
        assertFalse(Files.exists(fresh));
        assertEquals(List.of("ds_config.json"), names());
    }

    @Test
    void aFolderTargetIsRefusedByName() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("out"));
        Files.writeString(folder.resolve("keep.txt"), "k");
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.writeString(folder, "x"));
        assertEquals(folder + ": is a folder; name a file", e.getMessage());
        assertEquals("k", Files.readString(folder.resolve("keep.txt")));
        assertEquals(List.of("out"), names());
    }

    @Test
    void aSymbolicLinkIsRefusedAndNeitherItNorItsTargetChanges() throws IOException {
        Path real = dir.resolve("real.json");
        Files.writeString(real, "real");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), real);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.json"), dir.resolve("nowhere.json"));
        for (Path l : List.of(link, dangling)) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.writeString(l, "x"));
            assertEquals(l.toString(), e.getFile());
            assertTrue(e.getReason().startsWith("is a symbolic link (to "), e.getReason());
            assertTrue(Files.isSymbolicLink(l));
        }
        assertEquals("real", Files.readString(real));
        assertFalse(Files.exists(dir.resolve("nowhere.json")));
        assertEquals(List.of("dangling.json", "link.json", "real.json"), names());
    }

    @Test
    void aNamedPipeIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("pipe");
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException e) {
            assumeTrue(false, "no mkfifo: " + e.getMessage());
            return;
        }
        assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo failed");
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.writeString(fifo, "x"));
        assertEquals(fifo + ": is not a regular file (a device, pipe or socket); only regular files are written", e.getMessage());
        assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther());
    }

    @Test
    void devicesAreRefused() {
        // /dev/stdout is a symbolic link, /dev/null a device; both are refused before anything is written
        for (String device : new String[] {"/dev/null", "/dev/stdout"}) {
            Path d = Path.of(device);
            assumeTrue(Files.exists(d, LinkOption.NOFOLLOW_LINKS), device);
            FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.writeString(d, "x"));
            assertEquals(device, e.getFile());
        }
        assertTrue(Files.exists(Path.of("/dev/null")) && !Files.isRegularFile(Path.of("/dev/null")));
    }

    @Test
    void newFilesFollowTheUmaskAndReplacedFilesKeepTheirMode() throws IOException {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"), "no POSIX modes here");
        // what the umask gives any new file in this process
        Set<PosixFilePermission> umasked = Files.getPosixFilePermissions(Files.createFile(dir.resolve("probe")));
        Path fresh = dir.resolve("new.json");
        AtomicFiles.writeString(fresh, "n");
        assertEquals(umasked, Files.getPosixFilePermissions(fresh));
        for (String mode : new String[] {"rw-r--r--", "rw-r-----", "rw-------", "rwxr-xr-x"}) {
            Path f = dir.resolve("kept-" + mode + ".json");
            Files.writeString(f, "old");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
            AtomicFiles.writeString(f, "new");
            assertEquals("new", Files.readString(f));
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        }
    }

    @Test
    void anUnwritableFolderNamesTheTarget() throws IOException {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"), "no POSIX modes here");
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeTrue(!Files.isWritable(locked), "running as root: every folder is writable");
            Path f = locked.resolve("plan.png");
            FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFiles.writeString(f, "x"));
            assertEquals(f.toString(), e.getFile());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void checkTargetAcceptsNewAndRegularFiles() throws IOException {
        AtomicFiles.checkTarget(dir.resolve("absent.json"));
        AtomicFiles.checkTarget(Files.writeString(dir.resolve("present.json"), "x"));
        assertThrows(FileSystemException.class, () -> AtomicFiles.checkTarget(dir));
    }
}
