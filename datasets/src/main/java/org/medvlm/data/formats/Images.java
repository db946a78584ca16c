package org.medvlm.data.formats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import org.medvlm.data.ImageSource;
import org.medvlm.data.LoadReport;

/**
 * Resolves a dataset's image names against its image folder. Names that would leave the dataset root are
 * refused, since annotation files come from strangers: {@code ../x.jpg}, {@code /etc/passwd}, {@code C:\x}, and
 * names whose real path leaves it through a symbolic link (the image itself, a folder on its way, or the image
 * folder; see {@link DatasetRoot}). Names that do not exist are reported once each and give a null image, so
 * iterating over a dataset never throws because of a missing file.
 */
final class Images {
    private final DatasetRoot root;
    private final Path folder;
    private final boolean present;
    private final LoadReport.Builder report;
    // a dataset names a few hundred images thousands of times: check each name once
    private final Map<String, Resolved> resolved = new HashMap<>();
    // and each folder's real path once: SLAKE has 642 folders, PMC-OA one
    private final Map<Path, Path> realFolders = new HashMap<>();
    private int linksRefused;
    private static final java.util.regex.Pattern DRIVE = java.util.regex.Pattern.compile("^[A-Za-z]:.*");

    /** What a name resolves to: a refusal, or the real path (null when the file is missing). */
    private record Resolved(String refusal, Path real) {}

    Images(DatasetRoot root, Path folder, LoadReport.Builder report) {
        this.root = root;
        this.folder = folder.toAbsolutePath().normalize();
        this.present = Files.isDirectory(this.folder);
        this.report = report;
        if (!present) {
            report.note("image folder " + this.folder + " is absent: records are kept without images");
        }
    }

    /** Why {@code name} is refused, or null when it stays inside the root. */
    String refusal(String name) {
        if (name == null || name.isBlank()) {
            return "no image name";
        }
        return resolve(name).refusal();
    }

    private Resolved resolve(String name) {
        Resolved r = resolved.get(name);
        if (r == null) {
            r = check(name);
            resolved.put(name, r);
        }
        return r;
    }

    private Resolved check(String name) {
        if (name.indexOf('\0') >= 0 || name.startsWith("/") || name.startsWith("\\") || DRIVE.matcher(name).matches()) {
            return new Resolved(LoadReport.ESCAPES_ROOT, null);
        }
        Path p;
        try {
            Path rel = Path.of(name);
            p = folder.resolve(rel).normalize();
            if (rel.isAbsolute() || !p.startsWith(folder)) {
                return new Resolved(LoadReport.ESCAPES_ROOT, null);
            }
        } catch (InvalidPathException e) {
            return new Resolved("invalid image name", null);
        }
        if (!present) {
            return new Resolved(null, null);
        }
        // the real path: the folder's (cached), then the file itself when it is a link
        Path real = realFolder(p.getParent());
        if (real == null) {
            return new Resolved(null, null); // a folder on the way is missing: so is the image
        }
        real = real.resolve(p.getFileName());
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return new Resolved(null, null);
        }
        if (a.isSymbolicLink()) {
            try {
                real = real.toRealPath();
            } catch (IOException e) {
                return new Resolved(null, null); // a dangling link: missing
            }
        }
        if (!root.holds(real)) {
            if (linksRefused++ == 0) {
                report.note("image links that lead outside the dataset folder " + root.dir() + " are refused (allow them with -D"
                        + DatasetRoot.ALLOW_OUTSIDE + "=true)");
            }
            return new Resolved(LoadReport.ESCAPES_ROOT, null);
        }
        return new Resolved(null, Files.isRegularFile(real) ? real : null);
    }

    private Path realFolder(Path dir) {
        if (realFolders.containsKey(dir)) {
            return realFolders.get(dir);
        }
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            real = null;
        }
        realFolders.put(dir, real);
        return real;
    }

    /** The image for an accepted name, or null (reported) when the file is not there. */
    ImageSource find(String name) {
        Path real = resolve(name).real();
        if (real == null) {
            report.missingImage(name);
            return null;
        }
        return new ImageSource.File(name, real);
    }
}
