package org.medvlm.data.formats;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.medvlm.data.ImageSource;
import org.medvlm.data.LoadReport;

/**
 * Resolves a dataset's image names against its image folder. Names that would leave the folder
 * ({@code ../x.jpg}, {@code /etc/passwd}, {@code C:\x}) are refused, since annotation files come from
 * strangers; names that do not exist are reported once each and give a null image, so iterating over a
 * dataset never throws because of a missing file.
 */
final class Images {
    private final Path root;
    private final boolean present;
    private final LoadReport.Builder report;
    private final Map<String, Boolean> exists = new HashMap<>();
    // a dataset names a few hundred images thousands of times: check each name once
    private final Map<String, String> refusals = new HashMap<>();
    private static final String ACCEPTED = "";
    private static final java.util.regex.Pattern DRIVE = java.util.regex.Pattern.compile("^[A-Za-z]:.*");

    Images(Path root, LoadReport.Builder report) {
        this.root = root.toAbsolutePath().normalize();
        this.present = Files.isDirectory(this.root);
        this.report = report;
        if (!present) {
            report.note("image folder " + this.root + " is absent: records are kept without images");
        }
    }

    /** Why {@code name} is refused, or null when it stays inside the root. */
    String refusal(String name) {
        if (name == null || name.isBlank()) {
            return "no image name";
        }
        String r = refusals.computeIfAbsent(name, n -> {
            String why = check(n);
            return why == null ? ACCEPTED : why;
        });
        return r.isEmpty() ? null : r;
    }

    private String check(String name) {
        if (name.indexOf('\0') >= 0 || name.startsWith("/") || name.startsWith("\\") || DRIVE.matcher(name).matches()) {
            return LoadReport.ESCAPES_ROOT;
        }
        try {
            Path p = Path.of(name);
            if (p.isAbsolute() || !root.resolve(p).normalize().startsWith(root)) {
                return LoadReport.ESCAPES_ROOT;
            }
        } catch (InvalidPathException e) {
            return "invalid image name";
        }
        return null;
    }

    /** The image for an accepted name, or null (reported) when the file is not there. */
    ImageSource find(String name) {
        Path p = root.resolve(name).normalize();
        boolean ok = present && exists.computeIfAbsent(name, n -> Files.isRegularFile(p));
        if (!ok) {
            report.missingImage(name);
            return null;
        }
        return new ImageSource.File(name, p);
    }
}
