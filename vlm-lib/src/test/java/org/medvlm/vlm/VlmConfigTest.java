package org.medvlm.vlm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VlmConfigTest {

    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    private static VlmConfig sample() {
        Map<VlmConfig.Part, JsonObject> parts = new EnumMap<>(VlmConfig.Part.class);
        parts.put(VlmConfig.Part.VISION, json("{\"model_type\":\"timm_vit\",\"img_size\":64,\"embed_dim\":64}"));
        parts.put(VlmConfig.Part.QFORMER, json("{\"model_type\":\"blip_2_qformer\",\"hidden_size\":64}"));
        parts.put(VlmConfig.Part.TEXT, json("{\"model_type\":\"bloom\",\"hidden_size\":64,\"n_layer\":2}"));
        return new VlmConfig(Fusion.QFORMER, 8, new PromptTemplate("Q: {question} A:"), 12, parts, Map.of());
    }

    @Test
    void roundTripsThroughConfigJson(@TempDir Path dir) throws IOException {
        VlmConfig c = sample();
        c.write(dir);
        VlmConfig back = VlmConfig.read(dir);
        assertEquals(c, back);
        assertEquals(c.toJson(dir), back.toJson(dir));
        JsonObject written = json(Files.readString(dir.resolve("config.json")));
        assertEquals("medvlm", written.get("model_type").getAsString());
        assertEquals("qformer", written.get("fusion").getAsString());
        assertEquals(64, written.getAsJsonObject("text_config").get("hidden_size").getAsInt());
        assertEquals("Q: what? A:", back.prompt().apply("  what? "));
    }

    @Test
    void partsMayBeFoldersRelativeToTheModel(@TempDir Path dir) throws IOException {
        Path lm = Files.createDirectories(dir.resolve("bloom-part"));
        Files.writeString(lm.resolve("config.json"), "{\"model_type\":\"bloom\",\"hidden_size\":32}");
        JsonObject root = sample().toJson(dir);
        root.addProperty("text_config", "bloom-part");
        Files.writeString(dir.resolve("config.json"), root.toString());
        VlmConfig c = VlmConfig.read(dir);
        assertEquals(32, c.part(VlmConfig.Part.TEXT).get("hidden_size").getAsInt());
        assertEquals(lm.toAbsolutePath().normalize(), c.partDir(VlmConfig.Part.TEXT).orElseThrow().toAbsolutePath());
        // written back, the part stays a path
        Path out = Files.createDirectories(dir.resolve("copy"));
        assertEquals("../bloom-part", c.toJson(out).get("text_config").getAsString());
    }

    @Test
    void gatedFusionNeedsItsPart() {
        VlmConfig gated = sample().withFusion(Fusion.GATED, json("{\"cross_attn_every_n_layers\":1}"));
        assertEquals(Fusion.GATED, gated.fusion());
        assertTrue(gated.toJson(null).has("gated_config"));
        assertTrue(!gated.toJson(null).has("qformer_config"));
        Map<VlmConfig.Part, JsonObject> parts = new EnumMap<>(sample().parts());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new VlmConfig(Fusion.GATED, 8, PromptTemplate.BLOOMZ, 12, parts, Map.of()));
        assertTrue(e.getMessage().contains("gated_config"), e.getMessage());
    }

    @Test
    void badFilesGetOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        IOException missing = assertThrows(IOException.class, () -> VlmConfig.read(dir));
        assertTrue(missing.getMessage().contains("no config.json"), missing.getMessage());
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"model_type\": ");
        IOException malformed = assertThrows(IOException.class, () -> VlmConfig.read(dir));
        assertTrue(malformed.getMessage().startsWith(file.toString()) && malformed.getMessage().contains("malformed"),
                malformed.getMessage());
        Files.writeString(file, "{\"model_type\": \"bloom\"}");
        IOException wrongType = assertThrows(IOException.class, () -> VlmConfig.read(dir));
        assertTrue(wrongType.getMessage().contains("model_type must be \"medvlm\""), wrongType.getMessage());
        Files.writeString(file, sample().toJson(dir).toString().replace("\"qformer\"", "\"mixer\""));
        IOException badFusion = assertThrows(IOException.class, () -> VlmConfig.read(dir));
        assertTrue(badFusion.getMessage().contains("fusion must be"), badFusion.getMessage());
        Files.writeString(file, sample().toJson(dir).toString().replace("\"format_version\":1", "\"format_version\":9"));
        IOException version = assertThrows(IOException.class, () -> VlmConfig.read(dir));
        assertTrue(version.getMessage().contains("format_version 9"), version.getMessage());
    }

    @Test
    void promptTemplateNeedsOnePlaceholder() {
        assertEquals("Question: is it? Answer:", PromptTemplate.BLOOMZ.apply("is it?"));
        assertThrows(IllegalArgumentException.class, () -> new PromptTemplate("no placeholder"));
        assertThrows(IllegalArgumentException.class, () -> new PromptTemplate("{question} {question}"));
    }
}
