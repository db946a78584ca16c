package org.medvlm.zero;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner refuses what it cannot plan, by name and within a second, before it counts anything:
 * files that are not config files, absurd sizes, counts that would wrap, and values echoed in full.
 */
class HostileInputTest {
    @TempDir Path dir;

    private static final Duration QUICK = Duration.ofSeconds(5);

    private IllegalArgumentException refused(Path file) {
        return assertTimeoutPreemptively(QUICK, () -> assertThrows(IllegalArgumentException.class, () -> ModelDescriptions.read(file)));
    }

    private Path config(String json) throws IOException {
        return Files.writeString(dir.resolve("config-" + Math.abs(json.hashCode()) + ".json"), json);
    }

    @Test
    void onlyRegularFilesAreRead() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/zero")), "no /dev/zero");
        // /dev/zero never ends: it must be refused before a byte is read, not read until the heap is gone
        assertEquals("/dev/zero: not a regular file (a device or a pipe); give a config.json", refused(Path.of("/dev/zero")).getMessage());
        Path fifo = dir.resolve("pipe.json");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "no mkfifo");
        // a named pipe with no writer blocks its reader forever
        assertEquals(fifo + ": not a regular file (a device or a pipe); give a config.json", refused(fifo).getMessage());
        assertEquals(dir + ": is a folder without a config.json", refused(dir).getMessage());
        assertEquals(dir.resolve("absent.json") + ": no such file", refused(dir.resolve("absent.json")).getMessage());
        Path binary = Files.write(dir.resolve("weights.json"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        assertEquals(binary + ": not UTF-8 text, so not a config.json", refused(binary).getMessage());
        Path large = Files.write(dir.resolve("large.json"), new byte[(int) ModelDescriptions.MAX_BYTES + 1]);
        assertTrue(refused(large).getMessage().startsWith(large + ": 4194305 bytes is too large"));
    }

    @Test
    void aFolderHoldingConfigJsonIsRead() throws IOException {
        Path model = Files.createDirectories(dir.resolve("bloomz-560m"));
        Files.writeString(model.resolve("config.json"),
                "{\"model_type\":\"bloom\",\"hidden_size\":1024,\"n_layer\":24,\"n_head\":16,\"vocab_size\":250880}");
        assertEquals(559_214_592L, ModelDescriptions.read(model).params());
        assertEquals("bloomz-560m", ModelDescriptions.read(model).name());
    }

    @Test
    void absurdCountsAreRefusedBeforeAnythingIsCounted() throws IOException {
        String[][] cases = {
            {"{\"model_type\":\"bloom\",\"hidden_size\":1024,\"n_layer\":1000000,\"n_head\":16,\"vocab_size\":250880}", "\"n_layer\" 1000000"},
            {"{\"model_type\":\"blip_2_qformer\",\"hidden_size\":768,\"num_hidden_layers\":2000000000,\"intermediate_size\":3072}",
                "\"num_hidden_layers\" 2000000000"},
            {"{\"model_type\":\"timm_vit\",\"img_size\":224,\"patch_size\":16,\"embed_dim\":768,\"depth\":12,\"num_heads\":12,"
                + "\"mlp_ratio\":1e300}", "mlp_ratio"},
            {"{\"model_type\":\"bloom\",\"hidden_size\":1000000,\"n_layer\":10000,\"n_head\":16,\"vocab_size\":100000000}",
                "beyond what is planned here"},
            {"{\"model_type\":\"bloom\",\"hidden_size\":4096,\"n_layer\":30,\"n_head\":32,\"vocab_size\":1e12}", "\"vocab_size\""},
            {"{\"model_type\":\"bloom\",\"hidden_size\":4096,\"n_layer\":30,\"n_head\":32,\"vocab_size\":250880,\"attention_dropout\":1e999}",
                "attention_dropout"},
        };
        for (String[] c : cases) {
            String message = refused(config(c[0])).getMessage();
            assertTrue(message.contains(c[1]), c[1] + " in: " + message);
        }
    }

    @Test
    void aHiddenSizeMustDivideIntoTheHeads() throws IOException {
        String[][] cases = {
            {"{\"model_type\":\"bloom\",\"hidden_size\":1000,\"n_layer\":2,\"n_head\":3,\"vocab_size\":100}", "hidden_size 1000 is not a multiple of n_head 3"},
            {"{\"model_type\":\"blip_2_qformer\",\"hidden_size\":1000,\"num_hidden_layers\":2,\"intermediate_size\":10,\"num_attention_heads\":3}",
                "hidden_size 1000 is not a multiple of num_attention_heads 3"},
            // Hugging Face's default of 12 heads applies when the file leaves it out
            {"{\"model_type\":\"blip_2_qformer\",\"hidden_size\":1000,\"num_hidden_layers\":2,\"intermediate_size\":10}",
                "not a multiple of num_attention_heads 12"},
            {"{\"model_type\":\"timm_vit\",\"img_size\":224,\"patch_size\":16,\"embed_dim\":100,\"depth\":2,\"num_heads\":3}",
                "embed_dim 100 is not a multiple of num_heads 3"},
        };
        for (String[] c : cases) {
            String message = refused(config(c[0])).getMessage();
            assertTrue(message.contains(c[1]), c[1] + " in: " + message);
        }
        IllegalArgumentException flags = assertThrows(IllegalArgumentException.class, () -> new TransformerShape(1000, 2, 3, 0, 0));
        assertEquals("hidden size 1000 is not a multiple of the head count 3", flags.getMessage());
    }

    @Test
    void echoedValuesAreBounded() throws IOException {
        String huge = "x".repeat(1_000_000);
        String message = refused(config("{\"model_type\":\"bloom\",\"hidden_size\":\"" + huge + "\",\"n_layer\":2,\"n_head\":2,"
                + "\"vocab_size\":10}")).getMessage();
        assertTrue(message.length() < 400, message.length() + " characters");
        for (String text : new String[] {"1e-999999999", "1e999999999", "1e-99999999B", huge + "B"}) {
            IllegalArgumentException e = assertTimeoutPreemptively(QUICK, () -> assertThrows(IllegalArgumentException.class,
                    () -> Units.parseCount(text, "--params")));
            assertTrue(e.getMessage().length() < 200, e.getMessage().length() + " characters for " + text.length());
        }
        for (String text : new String[] {"1e999999999GB", "1e99999999GB", "1e-99999999GB", huge + "GB"}) {
            IllegalArgumentException e = assertTimeoutPreemptively(QUICK, () -> assertThrows(IllegalArgumentException.class,
                    () -> Units.parseBytes(text, "--gpu")));
            assertTrue(e.getMessage().length() < 200, e.getMessage());
        }
        assertEquals("'ab'", Units.quote("ab"));
        assertEquals(82, Units.quote(huge).length());
        assertEquals("'a b'", Units.quote("a\nb"));
    }

    @Test
    void parameterCountsNeverWrap() {
        // through the public size classes, whatever a caller passes
        String[] messages = {
            assertThrows(IllegalArgumentException.class, () -> BloomSize.of("b", Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 2,
                    Long.MAX_VALUE / 2, false)).getMessage(),
            assertThrows(IllegalArgumentException.class, () -> VitSize.of("v", 1 << 30, 1, 3, 1 << 30, 1 << 30, 1, 4.0, true, 0)).getMessage(),
            assertThrows(IllegalArgumentException.class, () -> QFormerSize.params(Integer.MAX_VALUE, Integer.MAX_VALUE,
                    Integer.MAX_VALUE, Integer.MAX_VALUE, 1, true)).getMessage(),
        };
        for (String m : messages) {
            assertTrue(m.contains("overflows"), m);
        }
        // a count that fits a long but not the planner is refused, not planned
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BloomSize.of("b", 1_000_000, 10_000, 16, 100_000_000, true))
                .getMessage().contains("beyond what is planned here"));
    }

    @Test
    void deepSpeedBatchProductsAreCheckedExactly() {
        // 2^31-1 · 2^31-1 · 2^16 wraps a long to a small number; it must be refused, not written as 65536
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DeepSpeedConfig(ZeroStage.STAGE_2,
                Offload.NONE, Offload.NONE, Precision.MIXED, false, Optimizer.ADAMW, 1e-4, Integer.MAX_VALUE, Integer.MAX_VALUE,
                65_536, OptionalInt.empty(), OptionalInt.empty(), 1.0, 10, true));
        assertTrue(e.getMessage().startsWith("train_batch_size 2147483647 * 2147483647 * 65536 = "), e.getMessage());
        // an explicit train_batch_size equal to the wrapped value is no loophole
        assertThrows(IllegalArgumentException.class, () -> new DeepSpeedConfig(ZeroStage.STAGE_2, Offload.NONE, Offload.NONE,
                Precision.MIXED, false, Optimizer.ADAMW, 1e-4, Integer.MAX_VALUE, Integer.MAX_VALUE, 65_536, OptionalInt.of(65_536),
                OptionalInt.empty(), 1.0, 10, true));
        assertEquals(Integer.MAX_VALUE, new DeepSpeedConfig(ZeroStage.STAGE_2, Offload.NONE, Offload.NONE, Precision.MIXED, false,
                Optimizer.ADAMW, 1e-4, Integer.MAX_VALUE, 1, 1, OptionalInt.empty(), OptionalInt.empty(), 1.0, 10, true).trainBatch());
    }

    @Test
    void deepSpeedEstimatesRefuseWhatALongCannotHold() {
        for (double factor : new double[] {1e300, Double.NaN, Double.POSITIVE_INFINITY, 0, -1, 101}) {
            assertThrows(IllegalArgumentException.class, () -> DeepSpeedEstimator.zero2(1_000_000_000L, 8, 1, false, factor), "factor " + factor);
            assertThrows(IllegalArgumentException.class, () -> DeepSpeedEstimator.zero3(1_000_000_000L, 10, 8, 1, true, false, false, factor));
        }
        // 10^15 parameters × 4 bytes × 10^6 GPUs per node is 4·10^21 bytes: refused, not wrapped
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeepSpeedEstimator.zero2(ModelSize.MAX_PARAMS, 1_000_000, 1, false, 1.5));
        assertTrue(e.getMessage().contains("2^63"), e.getMessage());
        assertTrue(DeepSpeedEstimator.zero2(1_000_000_000L, 8, 1, false, 100).cpuBytesPerNode() > 0);
    }

    @Test
    void planByteCountsNeverWrap() {
        // every product Workload checks fits a long (tokens·40·h·L = 9.2e18 < 2^63), their sum per layer does not
        TransformerShape shape = new TransformerShape(1_000_000, 10_000, 1, 0, 0);
        Workload w = new Workload(5, 4_600_000, 1, false, Attention.EAGER, shape);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZeroPlanner.plan(
                PlanRequest.of(ModelSize.ofParams(1_000_000_000L), 1).withWorkload(w)));
        assertTrue(e.getMessage().contains("2^63"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ActivationMemory.activationBytes(w));
    }
}
