package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command with hostile input ends within seconds in exit 1 (bad input) or 2 (usage), with one
 * line that names the argument or file and the problem: no stack trace, no exit 70, no hang, and no
 * file written that the user did not name.
 */
class HostileCliTest {
    @TempDir Path dir;

    private static CliRun run(String... args) {
        return assertTimeoutPreemptively(Duration.ofSeconds(30), () -> CliRun.of(args), show(args));
    }

    /** The arguments for a failure message, each cut short. */
    private static String show(String[] args) {
        return Arrays.stream(args).map(a -> a.length() > 40 ? a.substring(0, 37) + "..." : a).toList().toString();
    }

    /** Exit {@code code}, nothing on stdout, one bounded line on stderr that contains every fragment. */
    private static CliRun assertRefused(int code, String[] args, String... fragments) {
        CliRun r = run(args);
        String what = show(args);
        assertEquals(code, r.exitCode(), what + ": " + r.err());
        assertEquals("", r.out(), what);
        assertTrue(r.errIsOneLine(), what + ": " + r.err());
        assertTrue(r.err().length() <= Medvlm.MAX_ERROR_CHARS + 1, what + ": " + r.err().length() + " characters");
        assertTrue(r.err().startsWith("medvlm "), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), what + ": '" + f + "' not in: " + r.err());
        }
        return r;
    }

    private static String[] args(String... a) {
        return a;
    }

    @Test
    void theSameKindOfBadValueIsAUsageErrorInEveryCommand() {
        String png = "x.png";
        List<String[]> zeroOrNegative = List.of(
                args("vlm", "ask", "--n", "0", "--dataset", "phantoms:10:1"),
                args("vlm", "ask", "--n", "-3", "--dataset", "phantoms:10:1"),
                args("vlm", "ask", png, "q", "--max-new-tokens", "0"),
                args("zero", "--gpus", "0", "--params", "1B"),
                args("zero", "plan", "--gpus", "-1", "--params", "1B"),
                args("zero", "--params", "1B", "--micro-batch", "0", "--seq-len", "8"),
                args("zero", "estimate", "--params", "1B", "--largest-layer", "0"),
                args("check", "--model", "m", "--reference", "r", "--tolerance", "-1"));
        for (String[] a : zeroOrNegative) {
            assertRefused(Medvlm.EXIT_USAGE, a, "Invalid value for option '--");
        }
        List<String[]> tooLarge = List.of(
                args("vlm", "ask", png, "q", "--max-new-tokens", "1000000000"),
                args("vlm", "ask", png, "q", "--max-new-tokens", "99999999999999999999"),
                args("zero", "--params", "1B", "--layers", "1000000", "--hidden", "8", "--heads", "1", "--micro-batch", "1", "--seq-len", "1"),
                args("zero", "--params", "1B", "--micro-batch", "2147483647", "--seq-len", "8"),
                args("zero", "--params", "1e999999999"),
                args("zero", "--params", "2e15"),
                args("zero", "--deepspeed-estimate", "--params", "1B", "--largest-layer", "10", "--buffer-factor", "1e300"),
                args("zero", "ds-config", "c.json", "--params", "1B", "--lr", "1e300"));
        for (String[] a : tooLarge) {
            assertRefused(Medvlm.EXIT_USAGE, a, "is too large");
        }
        List<String[]> notFinite = List.of(
                args("check", "--model", "m", "--reference", "r", "--tolerance", "NaN"),
                args("check", "--model", "m", "--reference", "r", "--tolerance", "Infinity"),
                args("check", "--model", "m", "--reference", "r", "--tolerance", "1e999"),
                args("zero", "estimate", "--params", "1B", "--largest-layer", "10", "--buffer-factor", "NaN"),
                args("zero", "ds-config", "c.json", "--params", "1B", "--lr", "-Infinity"));
        for (String[] a : notFinite) {
            assertRefused(Medvlm.EXIT_USAGE, a, "not a finite number");
        }
        assertRefused(Medvlm.EXIT_USAGE, args("vlm", "ask", "--n", "sixteen", "--dataset", "phantoms:10:1"), "'sixteen' is not a whole number");
        assertRefused(Medvlm.EXIT_USAGE, args("check", "--model", "m", "--reference", "r", "--tolerance", "tight"), "'tight' is not a number");
        assertFalse(Files.exists(Path.of("c.json")), "nothing was written");
    }

    @Test
    void echoedValuesAreCutShort() {
        String huge = "9".repeat(100_000);
        for (String[] a : List.of(args("zero", "--params", "1e-999999999"), args("zero", "--params", "1e-" + huge),
                args("zero", "--params", huge + "x"), args("vlm", "ask", "--n", huge, "--dataset", "phantoms:1:1"),
                args("zero", "--params", "1B", "--gpu", huge + "GB"), args("zero", "--" + huge))) {
            CliRun r = assertRefused(Medvlm.EXIT_USAGE, a);
            assertTrue(r.err().length() < 300, r.err().length() + " characters: " + r.err().substring(0, 100));
            assertTrue(r.err().length() > 0);
        }
    }

    @Test
    void optionsThatWouldBeIgnoredAreRefusedByName() {
        String[][] dsOnly = {{"--stage", "2"}, {"--train-batch", "8"}, {"--lr", "1e-3"}, {"--fp16"}, {"--offload-optimizer", "cpu"},
            {"--offload-param", "cpu"}, {"--grad-accum", "4"}};
        for (String[] option : dsOnly) {
            String[] a = concat(args("zero", "--params", "1B", "--gpus", "8"), option);
            assertRefused(Medvlm.EXIT_USAGE, a, option[0] + " applies only with --ds-config FILE");
            // the subcommands that do not write a config do not know the option at all
            assertRefused(Medvlm.EXIT_USAGE, concat(args("zero", "plan", "--params", "1B"), option), "Unknown option", "'" + option[0] + "'");
        }
        assertRefused(Medvlm.EXIT_USAGE, args("zero", "--params", "1B", "--buffer-factor", "2"),
                "--buffer-factor applies only with --deepspeed-estimate");
        for (String[] option : new String[][] {{"--gpu", "A100-40GB"}, {"--micro-batch", "4"}, {"--precision", "amp"}, {"--png", "p.png"},
            {"--require-fit"}, {"--ds-config", "c.json"}, {"--checkpointing"}, {"--stage", "3"}}) {
            assertRefused(Medvlm.EXIT_USAGE, concat(args("zero", "--deepspeed-estimate", "--params", "1B", "--largest-layer", "10"), option),
                    option[0] + " does not apply to --deepspeed-estimate");
        }
        assertRefused(Medvlm.EXIT_USAGE, args("zero", "--params", "1B", "--require-fit"), "--require-fit needs --gpu");
        assertRefused(Medvlm.EXIT_USAGE, args("zero", "--params", "1B", "--hidden", "1024"), "--hidden needs --micro-batch and --seq-len");
        assertRefused(Medvlm.EXIT_USAGE, args("zero", "--params", "7.5B", "plan"), "--params goes after the subcommand");
        assertFalse(Files.exists(Path.of("p.png")) || Files.exists(Path.of("c.json")));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void aHiddenSizeThatDoesNotDivideIntoTheHeadsIsRefused() throws IOException {
        Path qformer = Files.writeString(dir.resolve("q.json"), "{\"model_type\":\"blip-2\",\"vision_config\":{\"model_type\":\"timm_vit\","
                + "\"img_size\":224,\"patch_size\":16,\"embed_dim\":768,\"depth\":12,\"num_heads\":12},\"qformer_config\":{\"model_type\":"
                + "\"blip_2_qformer\",\"hidden_size\":1000,\"num_hidden_layers\":2,\"intermediate_size\":10,\"num_attention_heads\":3},"
                + "\"text_config\":{\"model_type\":\"bloom\",\"hidden_size\":1024,\"n_layer\":2,\"n_head\":16,\"vocab_size\":100}}");
        assertRefused(Medvlm.EXIT_INPUT, args("zero", "--model", qformer.toString()), "q.json qformer_config", "not a multiple of num_attention_heads 3");
        assertRefused(Medvlm.EXIT_INPUT, args("zero", "--params", "1B", "--hidden", "1000", "--heads", "3", "--layers", "2",
                "--micro-batch", "1", "--seq-len", "8"), "hidden size 1000 is not a multiple of the head count 3");
    }

    @Test
    void configFilesThatAreNotFilesAreRefusedQuickly() throws Exception {
        Path huge = Files.writeString(dir.resolve("layers.json"),
                "{\"model_type\":\"bloom\",\"hidden_size\":1024,\"n_layer\":1000000,\"n_head\":16,\"vocab_size\":250880}");
        long started = System.nanoTime();
        assertRefused(Medvlm.EXIT_INPUT, args("zero", "--model", huge.toString(), "--micro-batch", "1", "--seq-len", "16"),
                "layers.json", "n_layer must be an integer from 1 to 1024, got 1000000");
        assertTrue(System.nanoTime() - started < 5_000_000_000L, "refused before anything is built");
        assertRefused(Medvlm.EXIT_INPUT, args("zero", "--model", dir.toString()), dir + ": is a folder without a config.json");
        if (Files.exists(Path.of("/dev/zero"))) {
            assertRefused(Medvlm.EXIT_INPUT, args("zero", "--model", "/dev/zero"), "/dev/zero: not a regular file");
            assertRefused(Medvlm.EXIT_INPUT, args("zero", "estimate", "--model", "/dev/zero"), "/dev/zero: not a regular file");
        }
        Path fifo = fifo("config.json");
        assertRefused(Medvlm.EXIT_INPUT, args("zero", "--model", fifo.toString()), fifo + ": not a regular file");
    }

    private Path fifo(String name) throws Exception {
        Path fifo = dir.resolve(name);
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException e) {
            assumeTrue(false, "no mkfifo");
            return null;
        }
        assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo failed");
        return fifo;
    }

    @Test
    void outputsMustBeRegularFilesAndNoneIsWrittenWhenOneIsRefused() throws Exception {
        Path png = dir.resolve("plan.png");
        Path folder = Files.createDirectory(dir.resolve("out"));
        Path real = Files.writeString(dir.resolve("real.json"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), real);
        Path fifo = fifo("pipe.json");
        String[] plan = {"zero", "--params", "1B", "--gpus", "8"};
        List<Path> refusedTargets = List.of(folder, link, fifo);
        for (Path bad : refusedTargets) {
            assertRefused(Medvlm.EXIT_INPUT, concat(plan, args("--png", png.toString(), "--ds-config", bad.toString())), "--ds-config " + bad);
            assertRefused(Medvlm.EXIT_INPUT, concat(plan, args("--ds-config", png.toString(), "--png", bad.toString())), "--png " + bad);
            assertRefused(Medvlm.EXIT_INPUT, args("zero", "plan", "--params", "1B", "--png", bad.toString()), "--png " + bad);
            assertRefused(Medvlm.EXIT_INPUT, args("zero", "ds-config", bad.toString(), "--params", "1B"), bad.toString());
            assertFalse(Files.exists(png), "the good output is not written when the other is refused");
        }
        for (String device : new String[] {"/dev/null", "/dev/stdout"}) {
            if (Files.exists(Path.of(device), LinkOption.NOFOLLOW_LINKS)) {
                assertRefused(Medvlm.EXIT_INPUT, concat(plan, args("--png", device)), "--png " + device + ": ");
                assertRefused(Medvlm.EXIT_INPUT, args("zero", "ds-config", device, "--params", "1B"), device + ": ");
            }
        }
        assertEquals("keep", Files.readString(real));
        assertTrue(Files.isSymbolicLink(link) && Files.isDirectory(folder));
        // a batch DeepSpeed refuses leaves no chart behind either
        CliRun refused = run(concat(plan, args("--micro-batch", "4", "--seq-len", "8", "--hidden", "64", "--layers", "2", "--heads", "4",
                "--train-batch", "7", "--ds-config", dir.resolve("c.json").toString(), "--png", png.toString())));
        assertEquals(Medvlm.EXIT_INPUT, refused.exitCode(), refused.err());
        assertTrue(refused.err().contains("train_batch_size is not equal"), refused.err());
        assertFalse(Files.exists(png) || Files.exists(dir.resolve("c.json")));
    }

    @Test
    void dicomRenderWritesRegularFilesOnly() throws Exception {
        Path ct = org.medvlm.dicom.DicomFixture.of(org.medvlm.dicom.DicomFixture.Syntax.EXPLICIT_LE)
                .string(org.medvlm.dicom.Tags.MODALITY, "CS", "CT")
                .image(2, 2, 1, 1, 16, 16, false, "MONOCHROME2")
                .nativePixels(new long[] {0, 100, 200, 300}, 16)
                .write(dir.resolve("ct.dcm"));
        Path real = Files.writeString(dir.resolve("real.png"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("link.png"), real);
        Path folder = Files.createDirectory(dir.resolve("folder.png"));
        for (Path bad : List.of(link, folder, fifo("pipe.png"))) {
            assertRefused(Medvlm.EXIT_INPUT, args("dicom", "render", ct.toString(), "--png", bad.toString()), bad + ": ");
        }
        if (Files.exists(Path.of("/dev/null"))) {
            assertRefused(Medvlm.EXIT_INPUT, args("dicom", "render", ct.toString(), "--png", "/dev/null"), "/dev/null: is not a regular file");
        }
        assertEquals("keep", Files.readString(real));
        CliRun ok = run("dicom", "render", ct.toString(), "--png", dir.resolve("ok.png").toString());
        assertEquals(0, ok.exitCode(), ok.err());
        assertTrue(Files.size(dir.resolve("ok.png")) > 0);
    }

    @Test
    void aBatchProductThatWouldWrapIsRefused() {
        Path cfg = dir.resolve("ds.json");
        assertRefused(Medvlm.EXIT_INPUT, args("zero", "--gpus", "65536", "--micro-batch", "100000000", "--grad-accum", "2147483647",
                "--params", "1B", "--hidden", "8", "--layers", "1", "--heads", "1", "--seq-len", "1", "--ds-config", cfg.toString()),
                "train_batch_size 100000000 * 2147483647 * 65536 = 14073748828979200000000 is too large");
        assertFalse(Files.exists(cfg));
    }

    @Test
    void installKernelRefusesDestructiveNamesBeforeTouchingAnything() throws IOException {
        Path prefix = dir.resolve("prefix");
        Path other = Files.createDirectories(prefix.resolve("share/jupyter/kernels/python3"));
        Files.writeString(other.resolve("kernel.json"), "{}");
        Path sibling = Files.writeString(Files.createDirectories(prefix.resolve("share/jupyter/nbconvert")).resolve("keep"), "k");
        for (String name : new String[] {"..", ".", "../..", "a/b", "bad name", "", "x".repeat(101), "é"}) {
            assertRefused(Medvlm.EXIT_USAGE, args("install-kernel", "--prefix", prefix.toString(), "--name", name, "--classpath", "/x"),
                    "Invalid value for option '--name'", "is not a kernel name");
        }
        assertTrue(Files.exists(other.resolve("kernel.json")) && Files.exists(sibling));
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertRefused(Medvlm.EXIT_INPUT, args("install-kernel", "--prefix", file.toString(), "--classpath", "/x"), "--prefix " + file + ": not a folder");
        try (var s = Files.list(prefix.resolve("share/jupyter/kernels"))) {
            assertEquals(List.of("python3"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void checkJsonIsValidEvenWhenTheDifferenceIsNaN() {
        String json = Json.compact(CheckCommand.json(new org.medvlm.check.CheckResult("bloom", Double.NaN, null, java.util.Map.of())));
        assertEquals("{\"max_abs_diff\":null,\"greedy_match\":null}", json);
        JsonParser.parseString(json);
    }
}
