package org.medvlm.vlm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.layers.ConfigReader;

class VlmConfigTest {

    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    private static final String SAMPLE = "{\"model_type\":\"medvlm\",\"fusion\":\"qformer\",\"num_query_tokens\":8,"
            + "\"prompt_template\":\"Q: {question} A:\",\"max_new_tokens\":12,"
            + "\"vision_config\":{\"model_type\":\"timm_vit\",\"img_size\":64,\"embed_dim\":64,\"num_heads\":4,\"depth\":1,\"conv_stem_channels\":[8,16]},"
            + "\"qformer_config\":{\"model_type\":\"blip_2_qformer\",\"hidden_size\":64,\"num_attention_heads\":4,\"num_hidden_layers\":1,\"hidden_dropout_prob\":0.0},"
            + "\"gated_config\":{\"cross_attn_every_n_layers\":2,\"perceiver_depth\":1},"
            + "\"text_config\":{\"model_type\":\"bloom\",\"hidden_size\":64,\"n_layer\":2,\"n_head\":4}}";

    private static VlmConfig sample() throws IOException {
        return VlmConfig.fromJson(ConfigReader.of(json(SAMPLE), "sample"), Path.of("."));
    }

    @Test
    void roundTripsThroughConfigJson(@TempDir Path dir) throws IOException {
        VlmConfig c = sample();
        assertEquals(64, c.qformer().encoderHiddenSize(), "encoder_hidden_size defaults to the vision width, as Blip2Config sets it");
        assertEquals(8, c.qformer().numQueryTokens());
        assertEquals(List.of(8, 16), c.vision().convStemChannels());
        assertEquals(0.0, c.qformer().hiddenDropoutProb());
        assertEquals(0.1, c.qformer().attentionProbsDropoutProb(), "absent fields take HF's defaults");
        c.write(dir);
        VlmConfig back = VlmConfig.read(dir);
        assertEquals(c, back);
        assertEquals(c.toJson(dir), back.toJson(dir));
        JsonObject written = json(Files.readString(dir.resolve("config.json")));
        assertEquals("medvlm", written.get("model_type").getAsString());
        assertEquals("qformer", written.get("fusion").getAsString());
        assertEquals(64, written.getAsJsonObject("text_config").get("hidden_size").getAsInt());
        assertEquals("Q: what? A:", back.prompt().apply("  what? "));
        VlmConfig lora = c.withLora(LoraConfig.bloom(4, 8, 0.0));
        lora.write(dir);
        assertEquals(lora, VlmConfig.read(dir));
    }

    @Test
    void partsMayBeFoldersRelativeToTheModel(@TempDir Path dir) throws IOException {
        Path lm = Files.createDirectories(dir.resolve("bloom-part"));
        Files.writeString(lm.resolve("config.json"), "{\"model_type\":\"bloom\",\"hidden_size\":32,\"n_head\":4}");
        JsonObject root = sample().toJson(dir);
        root.addProperty("text_config", "bloom-part");
        Files.writeString(dir.resolve("config.json"), root.toString());
        VlmConfig c = VlmConfig.read(dir);
        assertEquals(32, c.text().hiddenSize());
        assertEquals(lm.toAbsolutePath().normalize(), c.partDir(VlmConfig.Part.TEXT).orElseThrow().toAbsolutePath());
        // written back, the part stays a path
        Path out = Files.createDirectories(dir.resolve("copy"));
        assertEquals("../bloom-part", c.toJson(out).get("text_config").getAsString());
    }

    @Test
    void gatedFusionNeedsItsPart(@TempDir Path dir) throws IOException {
        JsonObject root = json(SAMPLE);
        root.addProperty("fusion", "gated");
        VlmConfig gated = VlmConfig.fromJson(ConfigReader.of(root, "gated"), dir);
        assertEquals(Fusion.GATED, gated.fusion());
        assertEquals(2, gated.gated().every());
        assertEquals(8, gated.gated().numLatents(), "latents default to num_query_tokens");
        assertTrue(gated.toJson(null).has("gated_config"));
        assertFalse(gated.toJson(null).has("qformer_config"));
        root.remove("gated_config");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VlmConfig.fromJson(ConfigReader.of(root, "gated"), dir));
        assertTrue(e.getMessage().contains("gated_config"), e.getMessage());
    }

    @Test
    void absurdSizesAreRefusedNamingTheField() {
        JsonObject root = json(SAMPLE);
        root.getAsJsonObject("text_config").addProperty("n_layer", 1_000_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VlmConfig.fromJson(ConfigReader.of(root, "cfg"), Path.of(".")));
        assertTrue(e.getMessage().contains("cfg.text_config: n_layer must be an integer from 1 to 1024, got 1000000"), e.getMessage());
        JsonObject odd = json(SAMPLE);
        odd.getAsJsonObject("text_config").addProperty("n_head", 5);
        e = assertThrows(IllegalArgumentException.class, () -> VlmConfig.fromJson(ConfigReader.of(odd, "cfg"), Path.of(".")));
        assertTrue(e.getMessage().contains("hidden_size 64 is not divisible by n_head 5"), e.getMessage());
        JsonObject tokens = json(SAMPLE);
        tokens.addProperty("max_new_tokens", 1_000_000_000);
        e = assertThrows(IllegalArgumentException.class, () -> VlmConfig.fromJson(ConfigReader.of(tokens, "cfg"), Path.of(".")));
        assertTrue(e.getMessage().contains("max_new_tokens"), e.getMessage());
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
