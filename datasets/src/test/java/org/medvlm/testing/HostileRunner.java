package org.medvlm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.medvlm.data.CaptionDataset;
import org.medvlm.data.DatasetFormat;
import org.medvlm.data.VqaDataset;
import org.medvlm.data.VqaExample;
import org.medvlm.dicom.DicomImage;
import org.medvlm.imaging.ImageFiles;
import org.medvlm.metrics.GoldAnswers;
import org.medvlm.metrics.Predictions;

/**
 * Runs the readers on a list of (hostile) inputs in a JVM of its own, started by {@link ChildJvm} with a small heap,
 * and prints one line per input: {@code OK path millis}, {@code ERROR path millis message} (the one-line message
 * a user would see), or {@code FATAL path millis what} for anything else: a JVM error (OutOfMemoryError,
 * StackOverflowError), an unexpected exception type, a message of several lines, or more than the time allowed.
 *
 * <p>Arguments: a file of lines {@code kind<TAB>path}, and the seconds allowed per input. Kinds: {@code dicom},
 * {@code dicom-header}, {@code image}, a dataset format name ({@code slake}, {@code pmc-oa}, ...), {@code predictions},
 * {@code gold}. A dataset's first images are decoded too, as a table of thumbnails would.
 */
public final class HostileRunner {
    private HostileRunner() {}

    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        long seconds = Long.parseLong(args[1]);
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "hostile");
            t.setDaemon(true);
            return t;
        });
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            String[] f = line.split("\t", 2);
            String kind = f[0];
            String path = f[1];
            long start = System.nanoTime();
            Future<?> job = pool.submit(() -> {
                read(kind, path);
                return null;
            });
            String result;
            try {
                job.get(seconds, TimeUnit.SECONDS);
                result = "OK";
            } catch (TimeoutException e) {
                job.cancel(true);
                result = "FATAL\tmore than " + seconds + " s";
            } catch (ExecutionException e) {
                result = classify(e.getCause());
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            String[] r = result.split("\t", 2);
            out.append(r[0]).append('\t').append(path).append('\t').append(ms).append(r.length > 1 ? "\t" + r[1] : "").append('\n');
        }
        System.out.print(out);
        System.out.flush();
        System.exit(0);
    }

    private static String classify(Throwable t) {
        Throwable shown = t instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : t;
        if (t instanceof Error) {
            return "FATAL\t" + t.getClass().getName() + ": " + t.getMessage();
        }
        if (!(t instanceof IOException || t instanceof IllegalArgumentException || t instanceof UncheckedIOException)) {
            return "FATAL\tunexpected " + t.getClass().getName() + ": " + t.getMessage();
        }
        String m = String.valueOf(shown.getMessage());
        if (m.contains("\n") || m.contains("\r")) {
            return "FATAL\tmessage of several lines: " + m.replace('\n', '|').replace('\r', '|');
        }
        return "ERROR\t" + m;
    }

    private static void read(String kind, String path) throws IOException {
        Path p = Path.of(path);
        switch (kind) {
            case "dicom" -> {
                DicomImage image = DicomImage.read(p);
                image.render(0);
                image.modalityStats();
                image.header().rows(false);
            }
            case "dicom-header" -> DicomImage.readHeader(p).rows(false);
            case "image" -> ImageFiles.read(p);
            case "predictions" -> Predictions.read(p);
            case "gold" -> GoldAnswers.read(p);
            default -> {
                DatasetFormat format = DatasetFormat.of(kind);
                if (format.isCaptions()) {
                    CaptionDataset ds = CaptionDataset.read().format(format, p);
                    ds.thumbnails(3);
                    ds.stats();
                } else {
                    VqaDataset ds = VqaDataset.read().format(format, p);
                    ds.thumbnails(3);
                    ds.stats();
                    for (VqaExample e : ds.examples().subList(0, Math.min(3, ds.size()))) {
                        if (e.image() != null) {
                            try {
                                e.image().load();
                            } catch (IOException expected) {
                                // a damaged image is refused in one line: fine; anything else propagates
                                if (expected.getMessage() == null || expected.getMessage().contains("\n")) {
                                    throw expected;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
