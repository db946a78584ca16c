package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.layers.ConfigReader;
import org.medvlm.testing.Shared;
import org.medvlm.vision.VisionTransformer;

/** {@code medvlm check} from the outside: exit codes, the --json line, one-line errors. */
class CheckCommandTest {

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run check(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "check";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = Medvlm.commandLine(new TerminalDisplay(new PrintWriter(out, true), new PrintWriter(err, true))).execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    static JsonObject json(Run r) {
        assertEquals(1, r.out().strip().lines().count(), r.out());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(2, o.size(), r.out());
        return o;
    }

    static Run onReference(String name, boolean asJson) {
        Path d = Shared.path("reference/" + name);
        return asJson ? check("--model", d.toString(), "--reference", d.resolve("reference.safetensors").toString(), "--json")
                : check("--model", d.toString(), "--reference", d.resolve("reference.safetensors").toString());
    }

    @Test
    void bloomTinyPassesWithGreedyTokens() {
        Run r = onReference("bloom-tiny", true);
        assertEquals(Medvlm.EXIT_OK, r.code(), r.err());
        JsonObject o = json(r);
        assertTrue(o.get("max_abs_diff").getAsDouble() <= 1e-4, r.out());
        assertTrue(o.get("greedy_match").getAsBoolean(), r.out());
    }

    @Test
    void vitTinyPassesWithinTolerance() {
        Run r = onReference("vit-tiny", true);
        assertEquals(Medvlm.EXIT_OK, r.code(), r.err());
        JsonObject o = json(r);
        assertTrue(o.get("max_abs_diff").getAsDouble() <= 1e-4, r.out());
        assertTrue(o.get("greedy_match").isJsonNull(), r.out());
        Run text = onReference("vit-tiny", false);
        assertTrue(text.out().startsWith("PASS timm_vit: max_abs_diff"), text.out());
    }

    @Test
    void qformerTinyPassesWithinTolerance() {
        Run r = onReference("qformer-tiny", true);
        assertEquals(Medvlm.EXIT_OK, r.code(), r.err());
        assertTrue(json(r).get("max_abs_diff").getAsDouble() <= 1e-4, r.out());
    }

    /** A model folder and reference the test makes: the ViT's own outputs, optionally shifted. */
    Path[] selfMadeVit(float shift) throws Exception {
        Path model = Files.createDirectories(dir.resolve("vit"));
        Files.writeString(model.resolve("config.json"), "{\"model_type\":\"timm_vit\",\"img_size\":32,\"patch_size\":16,"
                + "\"embed_dim\":24,\"depth\":2,\"num_heads\":3,\"mlp_ratio\":4.0,\"qkv_bias\":true,\"layer_norm_eps\":1e-6}");
        Path reference = dir.resolve("reference-" + shift + ".safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer.Config c = VisionTransformer.Config.fromJson(ConfigReader.read(model.resolve("config.json")));
            {
                VisionTransformer vit = new VisionTransformer(c);
                vit.initialize(m, vit.initPolicy(), 5);
                SafetensorsWriter.write(model.resolve("model.safetensors"), vit.stateDict());
                NDArray pixels = m.randomNormal(new Shape(2, 3, 32, 32));
                VisionTransformer.Output out = vit.forward(pixels);
                Map<String, NDArray> ref = new LinkedHashMap<>();
                ref.put("pixel_values", pixels);
                ref.put("features", out.features().add(shift));
                ref.put("pooled", out.pooled());
                SafetensorsWriter.write(reference, ref);
            }
        }
        return new Path[] {model, reference};
    }

    @Test
    void exitCodeFollowsTheDifference() throws Exception {
        Path[] same = selfMadeVit(0f);
        Run ok = check("--model", same[0].toString(), "--reference", same[1].toString(), "--json");
        assertEquals(Medvlm.EXIT_OK, ok.code(), ok.err());
        assertTrue(json(ok).get("max_abs_diff").getAsDouble() < 1e-5, ok.out());

        Path[] off = selfMadeVit(1e-3f);
        Run failed = check("--model", off[0].toString(), "--reference", off[1].toString(), "--json");
        assertEquals(Medvlm.EXIT_CHECK_FAILED, failed.code(), failed.err());
        assertEquals(1e-3, json(failed).get("max_abs_diff").getAsDouble(), 1e-5);
        Run text = check("--model", off[0].toString(), "--reference", off[1].toString());
        assertTrue(text.out().startsWith("FAIL timm_vit"), text.out());
        // the tolerance is an option
        assertEquals(Medvlm.EXIT_OK, check("--model", off[0].toString(), "--reference", off[1].toString(),
                "--tolerance", "1e-2").code());
    }

    static void assertOneLineError(Run r, String... fragments) {
        assertEquals(Medvlm.EXIT_INPUT, r.code(), r.out() + r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("medvlm check: "), r.err());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "'" + f + "' not in: " + r.err());
        }
    }

    @Test
    void badInputsGiveOneLine() throws Exception {
        Path[] vit = selfMadeVit(0f);
        assertOneLineError(check("--model", dir.resolve("absent").toString(), "--reference", vit[1].toString()), "absent");
        assertOneLineError(check("--model", vit[0].toString(), "--reference", dir.resolve("nope.safetensors").toString()),
                "nope.safetensors");

        Path corrupt = Files.createDirectories(dir.resolve("corrupt"));
        Files.copy(vit[0].resolve("config.json"), corrupt.resolve("config.json"));
        byte[] bytes = Files.readAllBytes(vit[0].resolve("model.safetensors"));
        Files.write(corrupt.resolve("model.safetensors"), java.util.Arrays.copyOf(bytes, 600));
        assertOneLineError(check("--model", corrupt.toString(), "--reference", vit[1].toString()), "model.safetensors");

        Path bloom = Files.createDirectories(dir.resolve("bloom"));
        Files.writeString(bloom.resolve("config.json"), "{\"model_type\": \"bloom\"}");
        assertOneLineError(check("--model", bloom.toString(), "--reference", vit[1].toString()), "bloom");

        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("config.json"), "{\"model_type\": \"llama\"}");
        assertOneLineError(check("--model", other.toString(), "--reference", vit[1].toString()), "'llama'", "timm_vit");

        Files.writeString(other.resolve("config.json"), "{\"model_type\": ");
        assertOneLineError(check("--model", other.toString(), "--reference", vit[1].toString()), "config.json", "malformed JSON");

        // a reference for another kind of model names what is missing
        Path qref = dir.resolve("q.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            SafetensorsWriter.write(qref, Map.of("query_embeds", m.zeros(new Shape(1, 2, 3))));
        }
        assertOneLineError(check("--model", vit[0].toString(), "--reference", qref.toString()), "pixel_values", "q.safetensors");
    }
}
