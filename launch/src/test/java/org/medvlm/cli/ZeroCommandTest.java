package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.testing.Shared;
import org.medvlm.zero.ZeroPlan;
import tech.tablesaw.api.Table;

/** {@code medvlm zero} as a user runs it: JSON shape, text, exit codes and one-line errors. */
class ZeroCommandTest {

    record Run(int code, String out, String err) {
        JsonObject json() {
            return JsonParser.parseString(out).getAsJsonObject();
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Medvlm.commandLine(new TerminalDisplay(new PrintWriter(out, true), new PrintWriter(err, true)))
                .execute(prepend("zero", args));
        return new Run(code, out.toString(), err.toString());
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    static Path fixture(String name) {
        Path p = Shared.projectRoot().resolve("launch/src/test/resources/org/medvlm/zero/" + name + "/config.json");
        assertTrue(Files.isRegularFile(p), p.toString());
        return p;
    }

    private static Set<String> keys(JsonObject o) {
        return new TreeSet<>(o.keySet());
    }

    @Test
    void planJsonHasTheIssuesShape() {
        Run r = run("--params", "7.5B", "--gpus", "64", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), "one JSON object on one line");
        JsonObject o = r.json();
        assertEquals(7_500_000_000L, o.get("params").getAsLong());
        assertEquals(64, o.get("gpus").getAsInt());
        JsonArray stages = o.getAsJsonArray("stages");
        assertEquals(4, stages.size());
        long[] expected = {120_000_000_000L, 31_406_250_000L, 16_640_625_000L, 1_875_000_000L};
        for (int i = 0; i < 4; i++) {
            JsonObject s = stages.get(i).getAsJsonObject();
            assertEquals(Set.of("stage", "weights_bytes", "gradients_bytes", "optimizer_bytes", "model_states_bytes",
                    "communication_elements"), keys(s));
            assertEquals(i, s.get("stage").getAsInt());
            assertEquals(expected[i], s.get("model_states_bytes").getAsLong());
            assertEquals(s.get("model_states_bytes").getAsLong(), s.get("weights_bytes").getAsLong()
                    + s.get("gradients_bytes").getAsLong() + s.get("optimizer_bytes").getAsLong());
            assertEquals((i == 3 ? 3 : 2) * 7_500_000_000L, s.get("communication_elements").getAsLong());
            for (String k : s.keySet()) {
                assertFalse(s.get(k).getAsString().contains("."), k + " must be an integer: " + s.get(k));
            }
        }
        assertFalse(o.has("recommendation"));
    }

    @Test
    void freezingAVlmLeavesGradientsAndOptimizerToTheTrainedPart(@TempDir Path dir) throws IOException {
        org.medvlm.launch.InitModel.write(org.medvlm.launch.InitModel.Preset.BIOMEDCLIP_BLOOMZ_7B1, java.util.Map.of(), dir);
        JsonObject all = run("--model", dir.toString(), "--gpus", "8", "--json").json();
        Run r = run("--model", dir.toString(), "--freeze", "blip2", "--gpus", "8", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject frozen = r.json();
        long params = frozen.get("params").getAsLong();
        long trained = frozen.get("trainable_params").getAsLong();
        assertEquals(all.get("params").getAsLong(), params);
        assertFalse(all.has("trainable_params"), "nothing frozen, no key");
        assertTrue(trained < params / 10, trained + " of " + params);
        JsonObject stage0 = frozen.getAsJsonArray("stages").get(0).getAsJsonObject();
        assertEquals(2 * params, stage0.get("weights_bytes").getAsLong());
        assertEquals(14 * trained, stage0.get("gradients_bytes").getAsLong() + stage0.get("optimizer_bytes").getAsLong());
        Run text = run("--model", dir.toString(), "--freeze", "blip2", "--gpus", "8");
        assertTrue(text.out().contains(String.format(java.util.Locale.ROOT, "%,d trained", trained)), text.out());

        Run bad = run("--params", "7.5B", "--freeze", "blip2");
        assertEquals(Medvlm.EXIT_INPUT, bad.code());
        assertTrue(bad.err().strip().lines().count() == 1 && bad.err().contains("--freeze"), bad.err());
        Run more = run("--params", "1M", "--trainable-params", "2M");
        assertEquals(Medvlm.EXIT_INPUT, more.code());
        assertTrue(more.err().contains("--trainable-params"), more.err());
    }

    @Test
    void gpuAddsFitsAndARecommendation() {
        JsonObject o = run("--params", "7.5B", "--gpus", "64", "--gpu", "A100-40GB", "--json").json();
        List<Boolean> fits = new ArrayList<>();
        for (JsonElement s : o.getAsJsonArray("stages")) {
            fits.add(s.getAsJsonObject().get("fits").getAsBoolean());
        }
        assertEquals(List.of(false, true, true, true), fits);
        String rec = o.get("recommendation").getAsString();
        assertTrue(rec.contains("stage 1"), rec);
    }

    @Test
    void batchShapeAddsActivationsAndPeak() {
        JsonObject o = run("--model", fixture("bloomz-560m").toString(), "--precision", "amp", "--optimizer", "adamw",
                "--micro-batch", "8", "--seq-len", "512", "--gpu", "H100-80GB", "--json").json();
        assertEquals(559_214_592L, o.get("params").getAsLong());
        for (JsonElement e : o.getAsJsonArray("stages")) {
            JsonObject s = e.getAsJsonObject();
            assertTrue(s.has("activation_bytes") && s.has("peak_bytes") && s.has("fits"), s.toString());
            assertTrue(s.get("peak_bytes").getAsLong() > s.get("activation_bytes").getAsLong());
        }
        // measured on an H100: 28,727,100,416 bytes peak allocated
        long peak = o.getAsJsonArray("stages").get(0).getAsJsonObject().get("peak_bytes").getAsLong();
        assertEquals(1.0, peak / 28_727_100_416.0, 0.10);
        // the same shape from flags: Korthikanti's formula for 24 layers
        JsonObject flags = run("--params", "559214592", "--hidden", "1024", "--layers", "24", "--heads", "16",
                "--micro-batch", "8", "--seq-len", "512", "--json").json();
        assertEquals(7_449_083_904L, flags.getAsJsonArray("stages").get(0).getAsJsonObject().get("activation_bytes").getAsLong());
    }

    @Test
    void modelConfigsGiveExactCounts() {
        assertEquals(559_214_592L, run("--model", fixture("bloomz-560m").toString(), "--json").json().get("params").getAsLong());
        assertEquals(7_069_016_064L, run("--model", fixture("bloomz-7b1").toString(), "--json").json().get("params").getAsLong());
        assertEquals(1_027_604_480L, run("--model", fixture("bloomz-7b1").toString(), "--json").json().get("largest_layer_params").getAsLong());
    }

    @Test
    void deepSpeedEstimateJson() {
        Run r = run("--deepspeed-estimate", "--params", "7.07B", "--largest-layer", "1027604480", "--gpus-per-node", "8",
                "--nodes", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = r.json();
        JsonArray z2 = o.getAsJsonArray("zero2");
        JsonArray z3 = o.getAsJsonArray("zero3");
        assertEquals(2, z2.size());
        assertEquals(6, z3.size());
        assertEquals(Set.of("offload_optimizer", "cpu_bytes_per_node", "gpu_bytes_per_gpu"), keys(z2.get(0).getAsJsonObject()));
        assertEquals(Set.of("offload_param", "offload_optimizer", "zero_init", "cpu_bytes_per_node", "gpu_bytes_per_gpu"),
                keys(z3.get(0).getAsJsonObject()));
        assertEquals("cpu", z2.get(0).getAsJsonObject().get("offload_optimizer").getAsString());
        assertEquals(30_047_500_000L, z2.get(1).getAsJsonObject().get("gpu_bytes_per_gpu").getAsLong());
        assertEquals(339_360_000_000L, z2.get(1).getAsJsonObject().get("cpu_bytes_per_node").getAsLong());
        JsonObject noneNone = z3.get(4).getAsJsonObject();
        assertEquals("none", noneNone.get("offload_param").getAsString());
        assertTrue(noneNone.get("zero_init").getAsBoolean());
        assertEquals(49_325_015_040L, noneNone.get("cpu_bytes_per_node").getAsLong());
        assertEquals(20_017_917_920L, noneNone.get("gpu_bytes_per_gpu").getAsLong());
    }

    @Test
    void deepSpeedEstimateTextIsDeepSpeedsLayout() {
        Run r = run("--deepspeed-estimate", "--params", "7.07B", "--largest-layer", "1027604480", "--gpus-per-node", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("""
                  per CPU  |  per GPU |   Options
                  316.05GB |  13.17GB | offload_optimizer=cpu\s
                  316.05GB |  27.98GB | offload_optimizer=none
                """), r.out());
        assertTrue(r.out().contains("   45.94GB |  18.64GB | offload_param=none, offload_optimizer=none, zero_init=1\n"), r.out());
        assertTrue(r.out().contains("GiB"), "says what DeepSpeed's GB are");
    }

    @Test
    void deepSpeedEstimateFromAModel() {
        JsonObject o = run("--deepspeed-estimate", "--model", fixture("bloomz-560m").toString(), "--gpus-per-node", "4", "--json").json();
        assertEquals(559_214_592L, o.get("params").getAsLong());
        JsonObject z3 = o.getAsJsonArray("zero3").get(0).getAsJsonObject();
        assertEquals(4L * 256_901_120L, z3.get("gpu_bytes_per_gpu").getAsLong());
    }

    @Test
    void textOutputIsATableWithUnitsAndARecommendation() {
        Run r = run("--params", "7.5B", "--gpus", "8", "--gpu", "A100-80GB");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("model states GB") && r.out().contains("model states GiB"), r.out());
        assertTrue(r.out().contains("Recommendation: "), r.out());
        assertTrue(r.out().contains("10^9"), r.out());
    }

    @Test
    void badInputIsOneLineAndNonZero(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("config.json");
        Files.writeString(broken, "{\"model_type\": \"bloom\", \"hidden_size\": ");
        List<String[]> cases = List.of(
                new String[] {"--params", "-3"},
                new String[] {"--params", "1B", "--gpus", "0"},
                new String[] {"--params", "7.5Q"},
                new String[] {"--model", dir.resolve("missing/config.json").toString()},
                new String[] {"--model", broken.toString()},
                new String[] {"--gpus", "4"},
                new String[] {"--params", "1B", "--gpu", "TPUv9"},
                new String[] {"--params", "1B", "--micro-batch", "4", "--seq-len", "128"},
                new String[] {"--deepspeed-estimate", "--params", "1B"});
        String[] named = {"--params", "--gpus", "--params", "missing", broken.toString(), "--params", "--gpu", "--hidden", "--largest-layer"};
        for (int i = 0; i < cases.size(); i++) {
            Run r = run(cases.get(i));
            String what = Arrays.toString(cases.get(i));
            assertNotEquals(0, r.code(), what);
            assertEquals("", r.out(), what);
            List<String> lines = r.err().lines().toList();
            assertEquals(1, lines.size(), what + ": " + r.err());
            assertTrue(lines.get(0).startsWith("medvlm zero: "), lines.get(0));
            assertTrue(lines.get(0).contains(named[i]), what + ": " + lines.get(0));
            assertFalse(lines.get(0).contains("Exception"), lines.get(0));
        }
        assertEquals(Medvlm.EXIT_USAGE, run("--params", "7.5Q").code());
        assertEquals(Medvlm.EXIT_INPUT, run("--model", broken.toString()).code());
    }

    @Test
    void pngIsWritten(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("plan.png");
        Run r = run("--params", "7.5B", "--gpus", "8", "--gpu", "A100-40GB", "--png", png.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(bytes, 4));
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 100);
    }

    @Test
    void dsConfigForTheRecommendationAndBatchRefusal(@TempDir Path dir) throws IOException {
        Path cfg = dir.resolve("ds_config.json");
        Run r = run("--model", fixture("bloomz-7b1").toString(), "--gpus", "8", "--gpu", "A100-40GB", "--micro-batch", "2",
                "--seq-len", "1024", "--checkpointing", "--grad-accum", "4", "--ds-config", cfg.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject ds = JsonParser.parseString(Files.readString(cfg)).getAsJsonObject();
        assertEquals(64, ds.get("train_batch_size").getAsInt());
        String rec = r.json().get("recommendation").getAsString();
        int stage = ds.getAsJsonObject("zero_optimization").get("stage").getAsInt();
        assertTrue(rec.contains("stage " + stage), rec + " vs " + stage);
        assertTrue(ds.has("gradient_clipping") && ds.has("steps_per_print"));

        Path bad = dir.resolve("bad.json");
        Run refused = run("--params", "1B", "--gpus", "4", "--micro-batch", "4", "--seq-len", "128", "--hidden", "2048",
                "--layers", "24", "--heads", "16", "--grad-accum", "2", "--train-batch", "64", "--ds-config", bad.toString());
        assertEquals(Medvlm.EXIT_INPUT, refused.code());
        assertEquals("medvlm zero: Check batch related parameters. train_batch_size is not equal to micro_batch_per_gpu * "
                + "gradient_acc_step * world_size 64 != 4 * 2 * 4", refused.err().strip());
        assertFalse(Files.exists(bad));
    }

    @Test
    void richDisplayGetsThePlanTableAndChart() {
        RecordingDisplay rich = new RecordingDisplay(true);
        List<Object> shown = rich.shown;
        int code = rich.run("zero", "--params", "7.5B", "--gpus", "8", "--gpu", "A100-40GB");
        assertEquals(0, code, rich.err.toString());
        assertEquals(1, shown.size(), "one value, so the notebook's last is the plan: " + shown);
        ZeroPlan plan = (ZeroPlan) shown.get(0);
        assertEquals(4, plan.table().rowCount());
        assertEquals(4, plan.chart().getSeriesMap().values().iterator().next().getXData().size());
        assertTrue(rich.out.toString().startsWith("Recommendation: ZeRO stage"), rich.out.toString());
    }

    @Test
    void requireFitExitsWith3() {
        assertEquals(Medvlm.EXIT_DOES_NOT_FIT, run("--params", "7.5B", "--gpus", "1", "--gpu", "A100-40GB", "--require-fit", "--json").code());
        assertEquals(0, run("--params", "7.5B", "--gpus", "8", "--gpu", "A100-40GB", "--require-fit", "--json").code());
    }

    @Test
    void helpWorks() {
        Run r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("--deepspeed-estimate") && r.out().contains("--params"), r.out());
    }

    @Test
    void subcommandsGiveWhatTheOneCommandFormsGive(@TempDir Path dir) throws IOException {
        String model = fixture("bloomz-7b1").toString();
        String[] shape = {"--model", model, "--gpus", "8", "--gpu", "A100-40GB", "--micro-batch", "2", "--seq-len", "1024",
            "--checkpointing"};
        Run legacy = run(concat(shape, "--json"));
        Run plan = run(concat(prepend("plan", shape), "--json"));
        assertEquals(0, plan.code(), plan.err());
        assertEquals(legacy.out(), plan.out());

        String[] estimate = {"--params", "7.07B", "--largest-layer", "1027604480", "--gpus-per-node", "8", "--buffer-factor", "2"};
        Run legacyEstimate = run(prepend("--deepspeed-estimate", estimate));
        Run sub = run(prepend("estimate", estimate));
        assertEquals(0, sub.code(), sub.err());
        assertEquals(legacyEstimate.out(), sub.out());
        assertTrue(sub.out().contains("offload_optimizer=cpu"), sub.out());

        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        String[] ds = {"--grad-accum", "4", "--lr", "3e-5", "--stage", "3", "--offload-optimizer", "cpu"};
        assertEquals(0, run(concat(concat(shape, ds), "--ds-config", a.toString())).code());
        Run written = run(concat(concat(new String[] {"ds-config", b.toString()}, shape), ds));
        assertEquals(0, written.code(), written.err());
        assertEquals(Files.readString(a), Files.readString(b));
        assertEquals("DeepSpeed config written to " + b + " (ZeRO stage 3, train_batch_size 64 = 2 × 4 × 8)", written.out().strip());
        JsonObject cfg = JsonParser.parseString(Files.readString(b)).getAsJsonObject();
        assertEquals(3e-5, cfg.getAsJsonObject("optimizer").getAsJsonObject("params").get("lr").getAsDouble());
        Run json = run(concat(new String[] {"ds-config", b.toString(), "--params", "1B", "--json"}));
        assertEquals("{\"file\":\"" + b + "\",\"stage\":2,\"offload_optimizer\":\"none\",\"offload_param\":\"none\","
                + "\"train_batch_size\":1}", json.out().strip());

        Run help = run("--help");
        assertTrue(help.out().contains("plan") && help.out().contains("estimate") && help.out().contains("ds-config"), help.out());
        for (String subcommand : new String[] {"plan", "estimate", "ds-config"}) {
            Run h = run(subcommand, "--help");
            assertEquals(0, h.code());
            assertTrue(h.out().startsWith("Usage: medvlm zero " + subcommand), h.out());
        }
        assertFalse(run("plan", "--help").out().contains("--stage"), "plan has no ds-config options");
        assertFalse(run("estimate", "--help").out().contains("--micro-batch"), "estimate has no batch options");
    }

    @Test
    void aModelFolderReadsItsConfigJson() {
        Path folder = fixture("bloomz-560m").getParent();
        assertEquals(559_214_592L, run("plan", "--model", folder.toString(), "--json").json().get("params").getAsLong());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
