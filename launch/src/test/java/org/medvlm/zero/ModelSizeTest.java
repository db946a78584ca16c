package org.medvlm.zero;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.testing.Shared;

/** Parameter counts from model descriptions, checked against published totals and real checkpoints. */
class ModelSizeTest {

    static Path fixture(String name) {
        try {
            return Path.of(ModelSizeTest.class.getResource(name + "/config.json").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void bloomzConfigsGiveThePublishedCounts() {
        ModelSize small = ModelDescriptions.read(fixture("bloomz-560m"));
        assertEquals(559_214_592L, small.params());
        assertEquals(250_880L * 1024, small.largestLayerParams());
        assertEquals("bloomz-560m", small.name());
        assertEquals(new TransformerShape(1024, 24, 16, 250_880, 0, false), small.shape().orElseThrow());
        ModelSize big = ModelDescriptions.read(fixture("bloomz-7b1"));
        assertEquals(7_069_016_064L, big.params());
        assertEquals(1_027_604_480L, big.largestLayerParams());
        assertEquals(BloomSize.bloomz7b1().params(), big.params());
    }

    @Test
    void untiedHeadCountsTwice() {
        ModelSize tied = BloomSize.of("x", 64, 2, 4, 1000, true);
        ModelSize untied = BloomSize.of("x", 64, 2, 4, 1000, false);
        assertEquals(64_000, untied.params() - tied.params());
    }

    @Test
    void vitB16AndQFormerAndTheWholeVlm() {
        // timm vit_base_patch16_224 has 86,567,656 parameters with its 1000-class head (768·1000 + 1000)
        assertEquals(86_567_656L - 769_000L, VitSize.biomedClipVitB16().params());
        // Q-Former: self-attention 12 layers, cross-attention on 6, query FFN on 12, plus the embedding LayerNorm
        long h = 768;
        long self = 4 * (h * h + h) + 2 * h;
        long cross = 2 * (h * h + h) + 2 * (h * h + h) + 2 * h;
        long ffn = 2 * h * 3072 + 3072 + h + 2 * h;
        assertEquals(2 * h + 12 * (self + ffn) + 6 * cross, QFormerSize.blip2ForBiomedClip().params());
        ModelSize vlm = VlmSize.medVlm(BloomSize.bloomz560m());
        long expected = VitSize.biomedClipVitB16().params() + QFormerSize.blip2ForBiomedClip().params()
                + 32 * 768 + (768 * 1024 + 1024) + 559_214_592L;
        assertEquals(expected, vlm.params());
        assertEquals(32, vlm.shape().orElseThrow().visualTokens());
        assertEquals(250_880L * 1024, vlm.largestLayerParams());
    }

    @Test
    void timmHubAndOpenClipConfigs(@TempDir Path dir) throws IOException {
        Path timm = dir.resolve("timm.json");
        Files.writeString(timm, "{\"architecture\": \"vit_base_patch16_224\", \"num_classes\": 1000, \"num_features\": 768}");
        assertEquals(86_567_656L, ModelDescriptions.read(timm).params());
        // BiomedCLIP's open_clip_config.json: the ViT-B/16 trunk plus visual.head.proj [512, 768] without bias
        Path clip = dir.resolve("open_clip_config.json");
        Files.writeString(clip, """
                {"model_cfg": {"embed_dim": 512, "vision_cfg": {"timm_model_name": "vit_base_patch16_224",
                 "timm_model_pretrained": false, "timm_pool": "", "timm_proj": "linear", "image_size": 224},
                 "text_cfg": {"hf_model_name": "microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract"}},
                 "preprocess_cfg": {"mean": [0.48145466, 0.4578275, 0.40821073]}}
                """);
        assertEquals(VitSize.biomedClipVitB16().params() + 512 * 768, ModelDescriptions.read(clip).params());
        Path unknown = dir.resolve("unknown.json");
        Files.writeString(unknown, "{\"architecture\": \"eva_giant_patch14_224\"}");
        assertMessage(unknown, "eva_giant_patch14_224");
    }

    @Test
    void wholeVlmDescription(@TempDir Path dir) throws IOException {
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, """
                {"model_type": "blip-2", "num_query_tokens": 32,
                 "vision_config": {"model_type": "timm_vit", "img_size": 224, "patch_size": 16, "embed_dim": 768,
                                   "depth": 12, "num_heads": 12, "mlp_ratio": 4.0, "qkv_bias": true},
                 "qformer_config": {"model_type": "blip_2_qformer", "hidden_size": 768, "num_hidden_layers": 12,
                                    "num_attention_heads": 12, "intermediate_size": 3072, "encoder_hidden_size": 768,
                                    "cross_attention_frequency": 2},
                 "text_config": {"model_type": "bloom", "hidden_size": 1024, "n_layer": 24, "n_head": 16, "vocab_size": 250880}}
                """);
        assertEquals(VlmSize.medVlm(BloomSize.bloomz560m()).params(), ModelDescriptions.read(cfg).params());
    }

    /** The tiny reference models' configs against the tensors their checkpoints hold. */
    @Test
    void referenceCheckpointsHoldExactlyTheCountedParameters() throws IOException {
        for (String name : new String[] {"bloom-tiny", "vit-tiny", "qformer-tiny"}) {
            Path dir = Shared.path("reference/" + name);
            long stored = safetensorsParameterCount(dir.resolve("model.safetensors"));
            assertEquals(stored, ModelDescriptions.read(dir.resolve("config.json")).params(), name);
        }
    }

    /** The same check on a checkpoint layout the test writes itself: BLOOM with hidden 8, 1 layer, vocab 10. */
    @Test
    void selfMadeBloomCheckpointLayout(@TempDir Path dir) throws IOException {
        Map<String, int[]> tensors = Map.ofEntries(
                Map.entry("word_embeddings.weight", new int[] {10, 8}),
                Map.entry("word_embeddings_layernorm.weight", new int[] {8}),
                Map.entry("word_embeddings_layernorm.bias", new int[] {8}),
                Map.entry("h.0.input_layernorm.weight", new int[] {8}),
                Map.entry("h.0.input_layernorm.bias", new int[] {8}),
                Map.entry("h.0.self_attention.query_key_value.weight", new int[] {24, 8}),
                Map.entry("h.0.self_attention.query_key_value.bias", new int[] {24}),
                Map.entry("h.0.self_attention.dense.weight", new int[] {8, 8}),
                Map.entry("h.0.self_attention.dense.bias", new int[] {8}),
                Map.entry("h.0.post_attention_layernorm.weight", new int[] {8}),
                Map.entry("h.0.post_attention_layernorm.bias", new int[] {8}),
                Map.entry("h.0.mlp.dense_h_to_4h.weight", new int[] {32, 8}),
                Map.entry("h.0.mlp.dense_h_to_4h.bias", new int[] {32}),
                Map.entry("h.0.mlp.dense_4h_to_h.weight", new int[] {8, 32}),
                Map.entry("h.0.mlp.dense_4h_to_h.bias", new int[] {8}),
                Map.entry("ln_f.weight", new int[] {8}),
                Map.entry("ln_f.bias", new int[] {8}));
        long total = tensors.values().stream().mapToLong(s -> { long n = 1; for (int d : s) n *= d; return n; }).sum();
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, "{\"model_type\":\"bloom\",\"hidden_size\":8,\"n_layer\":1,\"n_head\":2,\"vocab_size\":10}");
        assertEquals(total, ModelDescriptions.read(cfg).params());
    }

    @Test
    void badDescriptionsNameTheFileAndTheProblem(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope/config.json");
        assertMessage(missing, "no such file");
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"model_type\": \"bloom\", ");
        assertMessage(broken, "malformed JSON");
        Path array = dir.resolve("array.json");
        Files.writeString(array, "[1, 2]");
        assertMessage(array, "not a JSON object");
        Path noField = dir.resolve("nofield.json");
        Files.writeString(noField, "{\"model_type\": \"bloom\", \"hidden_size\": 64, \"n_layer\": 2, \"n_head\": 4}");
        assertMessage(noField, "missing \"vocab_size\"");
        Path negative = dir.resolve("negative.json");
        Files.writeString(negative, "{\"model_type\": \"bloom\", \"hidden_size\": -64, \"n_layer\": 2, \"n_head\": 4, \"vocab_size\": 10}");
        assertMessage(negative, "\"hidden_size\" must be positive");
        Path text = dir.resolve("text.json");
        Files.writeString(text, "{\"model_type\": \"bloom\", \"hidden_size\": \"wide\", \"n_layer\": 2, \"n_head\": 4, \"vocab_size\": 10}");
        assertMessage(text, "\"hidden_size\" must be a whole number");
        Path unknown = dir.resolve("gpt.json");
        Files.writeString(unknown, "{\"model_type\": \"gpt2\"}");
        assertMessage(unknown, "model_type 'gpt2' is not understood");
        Path deep = dir.resolve("deep.json");
        Files.writeString(deep, "[".repeat(200_000));
        assertMessage(deep, "malformed JSON");
        Path huge = dir.resolve("huge.json");
        Files.write(huge, new byte[(int) ModelDescriptions.MAX_BYTES + 1]);
        assertMessage(huge, "too large");
    }

    private static void assertMessage(Path file, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelDescriptions.read(file));
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void describeParsedJson() {
        JsonObject o = JsonParser.parseString("{\"model_type\":\"timm_vit\",\"img_size\":32,\"patch_size\":8,\"embed_dim\":48,"
                + "\"depth\":2,\"num_heads\":4}").getAsJsonObject();
        // 16 patches + class token; two 48-wide blocks with mlp 192
        long d = 48;
        long block = 2 * d + 3 * d * d + 3 * d + d * d + d + 2 * d + d * 192 + 192 + 192 * d + d;
        long expected = d * 3 * 64 + d + d + 17 * d + 2 * block + 2 * d;
        assertEquals(expected, ModelDescriptions.describe(o, "vit", "inline").params());
    }

    /** Σ numel over a safetensors header (8-byte little-endian length, then JSON). */
    static long safetensorsParameterCount(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            long n = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertTrue(n > 0 && n < 1 << 24, "header length " + n);
            JsonObject header = JsonParser.parseString(new String(in.readNBytes((int) n), StandardCharsets.UTF_8)).getAsJsonObject();
            long total = 0;
            for (var e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                long numel = 1;
                for (var d : e.getValue().getAsJsonObject().getAsJsonArray("shape")) {
                    numel *= d.getAsLong();
                }
                total += numel;
            }
            return total;
        }
    }
}
