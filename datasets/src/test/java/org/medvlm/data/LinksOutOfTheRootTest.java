package org.medvlm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.testing.Limits;

/**
 * Symbolic links that lead out of the dataset folder are not followed: an image link to {@code /etc/passwd} or to
 * a picture elsewhere, a linked folder on an image's way, a linked image folder, an annotation file found in the
 * folder that links out. Each is refused as escaping the root, never opened, answered about or thumbnailed; a
 * user allows it on purpose with {@code -Dmedvlm.allow-outside-root=true}. Links inside the folder are fine.
 */
@SuppressWarnings("try") // the try-with-resources only scope a property
class LinksOutOfTheRootTest {
    @TempDir Path tmp;
    Path outside;
    Path secret;

    @BeforeEach
    void outsideTheDataset() throws IOException {
        outside = Files.createDirectories(tmp.resolve("elsewhere"));
        secret = Fixtures.image(outside.resolve("private.jpg"));
        Fixtures.write(outside.resolve("notes.txt"), "ROCO_99999\t the caption of a file outside\n");
    }

    private static boolean link(Path link, Path target) {
        try {
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, target);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private Path slake() {
        Path d = tmp.resolve("Slake1.0");
        Fixtures.write(d.resolve("train.json"), """
                [{"img_name": "xmlab1/source.jpg", "question": "Inside?", "answer": "yes", "q_lang": "en", "qid": 1},
                 {"img_name": "xmlab2/source.jpg", "question": "A link to a picture elsewhere?", "answer": "yes", "q_lang": "en", "qid": 2},
                 {"img_name": "xmlab3/source.jpg", "question": "A link to /etc/passwd?", "answer": "no", "q_lang": "en", "qid": 3},
                 {"img_name": "linked/private.jpg", "question": "Through a linked folder?", "answer": "no", "q_lang": "en", "qid": 4},
                 {"img_name": "xmlab5/source.jpg", "question": "A link inside the dataset?", "answer": "yes", "q_lang": "en", "qid": 5}]
                """);
        Fixtures.image(d.resolve("imgs/xmlab1/source.jpg"));
        return d;
    }

    @Test
    void imageLinksOutAreRefusedAndLinksInsideKept() throws IOException {
        Path d = slake();
        assumeTrue(link(d.resolve("imgs/xmlab2/source.jpg"), secret), "no symbolic links on this file system");
        link(d.resolve("imgs/xmlab3/source.jpg"), Path.of("/etc/passwd"));
        link(d.resolve("imgs/linked"), outside);
        link(d.resolve("imgs/xmlab5/source.jpg"), d.resolve("imgs/xmlab1/source.jpg"));
        VqaDataset ds = VqaDataset.read().slake(d);
        assertEquals(List.of("1", "5"), ds.examples().stream().map(VqaExample::id).toList());
        LoadReport r = ds.report();
        assertEquals(3, r.skippedReasons().get(LoadReport.ESCAPES_ROOT), r.toString());
        assertEquals(List.of("index 1", "index 2", "index 3"), r.skipped().stream().map(LoadReport.Skipped::where).toList());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("-Dmedvlm.allow-outside-root=true")), r.notes().toString());
        assertEquals(32, ds.get(1).image().load().getWidth(), "a link inside the dataset is read");
        assertTrue(ds.thumbnails(10).stringColumn("thumbnail").asList().stream().allMatch(t -> t.startsWith("data:image/png")));

        try (var allow = Limits.property("medvlm.allow-outside-root", "true")) {
            VqaDataset all = VqaDataset.read().slake(d);
            assertEquals(5, all.size(), all.report().toString());
            assertEquals(32, all.get(1).image().load().getWidth(), "allowed on purpose: the picture elsewhere");
            IOException passwd = assertThrows(IOException.class, () -> all.get(2).image().load());
            assertTrue(passwd.getMessage().startsWith("/etc/passwd: truncated or corrupt image")
                    || passwd.getMessage().startsWith("/etc/passwd: not a readable image"), passwd.getMessage());
        }
    }

    @Test
    void aLinkedImageFolderIsOutsideTheRoot() {
        Path d = tmp.resolve("Slake1.0");
        Fixtures.write(d.resolve("train.json"),
                "[{\"img_name\": \"private.jpg\", \"question\": \"Here?\", \"answer\": \"yes\", \"qid\": 1}]");
        assumeTrue(link(d.resolve("imgs"), outside), "no symbolic links on this file system");
        VqaDataset ds = VqaDataset.read().slake(d);
        assertEquals(0, ds.size());
        assertEquals(1, ds.report().skippedReasons().get(LoadReport.ESCAPES_ROOT));
        try (var allow = Limits.property("medvlm.allow-outside-root", "true")) {
            VqaDataset all = VqaDataset.read().slake(d);
            assertInstanceOf(ImageSource.File.class, all.get(0).image(), "a dataset whose images live on another disk, allowed");
        }
    }

    @Test
    void pmcOaAndVqaMedImagesToo() throws IOException {
        Path oa = tmp.resolve("pmc");
        Fixtures.write(oa.resolve("pmc_oa.jsonl"), """
                {"image": "in.jpg", "caption": "inside"}
                {"image": "out.jpg", "caption": "a link out"}
                {"image": "passwd.jpg", "caption": "a link to /etc/passwd"}
                """);
        Fixtures.image(oa.resolve("images/in.jpg"));
        assumeTrue(link(oa.resolve("images/out.jpg"), secret), "no symbolic links on this file system");
        link(oa.resolve("images/passwd.jpg"), Path.of("/etc/passwd"));
        CaptionDataset pairs = CaptionDataset.read().pmcOa(oa);
        assertEquals(List.of("inside"), pairs.pairs().stream().map(CaptionPair::caption).toList());
        assertEquals(2, pairs.report().skippedReasons().get(LoadReport.ESCAPES_ROOT));

        Path med = tmp.resolve("vqamed");
        Fixtures.write(med.resolve("All_QA_Pairs_train.txt"), "synpic1|what is shown?|ct\nsynpic2|and here?|mri\n");
        Fixtures.image(med.resolve("Train_images/synpic1.jpg"));
        link(med.resolve("Train_images/synpic2.jpg"), secret);
        VqaDataset ds = VqaDataset.read().vqaMed(2019, med);
        assertEquals(1, ds.size());
        assertEquals(1, ds.report().skippedReasons().get(LoadReport.ESCAPES_ROOT));
    }

    @Test
    void annotationFilesFoundInTheFolderMayNotLinkOut() throws IOException {
        Path roco = tmp.resolve("roco/data/test/radiology");
        Fixtures.write(roco.resolve("captions.txt"), "ROCO_00001\t a caption\n");
        assumeTrue(link(roco.resolve("keywords.txt"), outside.resolve("notes.txt")), "no symbolic links on this file system");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CaptionDataset.read().roco(tmp.resolve("roco")));
        assertTrue(e.getMessage().startsWith(roco.resolve("keywords.txt").toAbsolutePath() + ": a link to ")
                || e.getMessage().startsWith(roco.resolve("keywords.txt") + ": a link to "), e.getMessage());
        assertTrue(e.getMessage().contains("outside the dataset folder") && e.getMessage().contains("-Dmedvlm.allow-outside-root=true"),
                e.getMessage());

        Path slake = tmp.resolve("s2");
        Files.createDirectories(slake);
        link(slake.resolve("train.json"), outside.resolve("notes.txt"));
        e = assertThrows(IllegalArgumentException.class, () -> VqaDataset.read().slake(slake));
        assertTrue(e.getMessage().contains(": a link to " + outside.resolve("notes.txt").toRealPath()), e.getMessage());
        // the user naming the file itself is their own choice: read (and refused as what it is, not JSON)
        IllegalArgumentException named = assertThrows(IllegalArgumentException.class,
                () -> VqaDataset.read().slake(slake.resolve("train.json")));
        assertEquals(slake.resolve("train.json") + ": expected a JSON array of questions, found a string", named.getMessage());
    }

    @Test
    void anImageSwappedForALinkAfterTheLoadIsNotRead() throws IOException {
        Path d = slake();
        VqaDataset ds = VqaDataset.read().slake(d);
        ImageSource image = ds.get(0).image();
        Path real = ((ImageSource.File) image).path();
        Files.delete(real);
        assumeTrue(link(real, secret), "no symbolic links on this file system");
        IOException e = assertThrows(IOException.class, image::load);
        assertEquals(real + ": became a link after the dataset was loaded; not read", e.getMessage());
        assertNull(ds.get(1).image(), "xmlab2 was never there");
    }
}
