package org.medvlm.vlm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.ConfigReader;
import org.medvlm.testing.Shared;

/**
 * Model folders as users have them: part folders made from the transformers/timm reference models and stored as the
 * published checkpoints are (bloomz in F16, some BLOOMs in sharded BF16, vision towers in F16). Each loads (converted to
 * float32 on the CPU), answers, and agrees with the float32 original within the storage type's rounding.
 */
class ModelFoldersTest {
    private static final List<String> QUESTIONS = List.of("Is there a lesion?", "Which organ is it?");

    /** Writes {@code source}'s tensors to {@code dir} in {@code dtype}, as one file or {@code shards} files + an index. */
    private static void store(Path source, Path dir, DataType dtype, int shards) throws IOException {
        Files.createDirectories(dir);
        Files.copy(source.resolve("config.json"), dir.resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager(); StateDict sd = StateDict.open(source.resolve("model.safetensors"))) {
            Map<String, NDArray> all = sd.toMap(m, DataType.FLOAT32);
            List<String> keys = new ArrayList<>(all.keySet());
            if (shards == 1) {
                SafetensorsWriter w = SafetensorsWriter.create();
                all.forEach((k, v) -> w.add(k, v, dtype));
                w.write(dir.resolve("model.safetensors"));
                return;
            }
            JsonObject weightMap = new JsonObject();
            for (int s = 0; s < shards; s++) {
                String name = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
                SafetensorsWriter w = SafetensorsWriter.create();
                for (int i = s; i < keys.size(); i += shards) {
                    w.add(keys.get(i), all.get(keys.get(i)), dtype);
                    weightMap.addProperty(keys.get(i), name);
                }
                w.write(dir.resolve(name));
            }
            JsonObject index = new JsonObject();
            index.add("metadata", new JsonObject());
            index.add("weight_map", weightMap);
            Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        }
    }

    /** A VLM folder whose vision and text parts are the given folders; the bridge is fresh (seeded). */
    private static Path vlmFolder(Path root, String name, Path vision, Path text) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        JsonObject cfg = com.google.gson.JsonParser.parseString("{\"model_type\":\"medvlm\",\"fusion\":\"qformer\","
                + "\"num_query_tokens\":4,\"max_new_tokens\":4,\"qformer_config\":{\"hidden_size\":32,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":4,\"intermediate_size\":64}}").getAsJsonObject();
        cfg.addProperty("vision_config", dir.relativize(vision).toString());
        cfg.addProperty("text_config", dir.relativize(text).toString());
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        VlmConfig config = VlmConfig.fromJson(ConfigReader.of(cfg, name), dir);
        try (VisionLanguageModel fresh = VisionLanguageModel.random(config, Tokenizer.builtin(), 5)) {
            Map<String, NDArray> bridge = new LinkedHashMap<>();
            fresh.stateDict().forEach((k, v) -> {
                if (!k.startsWith("vision_model.") && !k.startsWith("language_model.")) {
                    bridge.put(k, v);
                }
            });
            SafetensorsWriter.write(dir.resolve("model.safetensors"), bridge);
            fresh.tokenizer().writeTo(dir.resolve("tokenizer.json"));
        }
        return dir;
    }

    private static float[] logits(VisionLanguageModel vlm, NDManager m) {
        List<BufferedImage> images = List.of(VisionLanguageModelTest.scan(1, 64, 64), VisionLanguageModelTest.scan(2, 48, 70));
        return vlm.promptLogits(images, QUESTIONS, m).toFloatArray();
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void halfPrecisionAndShardedPartsLoadAndAnswer(@TempDir Path tmp) throws IOException {
        Path bloom = Shared.path("reference/bloom-tiny");
        Path vit = Shared.path("reference/vit-tiny");
        store(bloom, tmp.resolve("bloom-f32"), DataType.FLOAT32, 1);
        store(bloom, tmp.resolve("bloom-f16"), DataType.FLOAT16, 1);
        store(bloom, tmp.resolve("bloom-bf16-sharded"), DataType.BFLOAT16, 2);
        store(vit, tmp.resolve("vit-f32"), DataType.FLOAT32, 1);
        store(vit, tmp.resolve("vit-f16"), DataType.FLOAT16, 1);
        Map<String, Path> folders = new LinkedHashMap<>();
        folders.put("f32", vlmFolder(tmp, "vlm-f32", tmp.resolve("vit-f32"), tmp.resolve("bloom-f32")));
        folders.put("text-f16", vlmFolder(tmp, "vlm-text-f16", tmp.resolve("vit-f32"), tmp.resolve("bloom-f16")));
        folders.put("text-bf16-sharded", vlmFolder(tmp, "vlm-text-bf16", tmp.resolve("vit-f32"), tmp.resolve("bloom-bf16-sharded")));
        folders.put("vision-f16", vlmFolder(tmp, "vlm-vision-f16", tmp.resolve("vit-f16"), tmp.resolve("bloom-f32")));
        // rounding of the weights to the storage type, relative to the logits' scale
        Map<String, Double> tolerance = Map.of("text-f16", 2e-3, "text-bf16-sharded", 2e-2, "vision-f16", 2e-3);
        try (NDManager m = NDManager.newBaseManager(); VisionLanguageModel reference = VisionLanguageModel.load(folders.get("f32"))) {
            float[] expected = logits(reference, m);
            double scale = 0;
            for (float v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (String kind : tolerance.keySet()) {
                try (VisionLanguageModel vlm = VisionLanguageModel.load(folders.get(kind))) {
                    for (NDArray w : vlm.stateDict().values()) {
                        assertEquals(DataType.FLOAT32, w.getDataType(), kind + ": weights are converted to float32 on load");
                    }
                    Answer a = vlm.ask(VisionLanguageModelTest.scan(3, 64, 64), "Is there a lesion?");
                    assertTrue(a.tokenIds().length >= 1, kind + " answers");
                    double d = maxDiff(expected, logits(vlm, m));
                    assertTrue(d > 0 && d <= tolerance.get(kind) * scale, kind + ": logits differ by " + d + " (scale " + scale + ")");
                }
            }
        }
    }

    @Test
    void savedModelReloadsToTheSameLogitsBitForBit(@TempDir Path dir) throws IOException {
        for (Fusion fusion : Fusion.values()) {
            try (VisionLanguageModel vlm = VlmLoader.builtinRandom(fusion, 21); NDManager m = NDManager.newBaseManager()) {
                vlm.addLora(LoraConfig.bloom(2, 4, 0), 3); // adapters are part of the checkpoint too
                Path out = dir.resolve(fusion.key());
                vlm.save(out);
                TrainingExamples ex = new TrainingExamples(vlm);
                List<TrainingExamples.Example> batch = List.of(ex.encode(VisionLanguageModelTest.scan(4, 64, 64), "Which side?", "left"));
                float[] before = vlm.logits(ex.collate(batch, m)).toFloatArray();
                try (VisionLanguageModel back = VisionLanguageModel.load(out)) {
                    assertEquals(vlm.config(), back.config());
                    assertEquals(List.copyOf(vlm.stateDict().keySet()), List.copyOf(back.stateDict().keySet()));
                    float[] after = back.logits(new TrainingExamples(back).collate(batch, m)).toFloatArray();
                    assertTrue(java.util.Arrays.equals(before, after), fusion + ": logits after save and load differ");
                }
            }
        }
    }

    @Test
    void aKeyMissingOrExtraInACompositeCheckpointIsNamed(@TempDir Path dir) throws IOException {
        try (VisionLanguageModel vlm = VlmLoader.builtinRandom(Fusion.QFORMER, 22); NDManager m = NDManager.newBaseManager()) {
            vlm.save(dir);
            Map<String, NDArray> extra = new LinkedHashMap<>(vlm.stateDict());
            extra.put("qformer.encoder.layer.7.attention.output.dense.weight", m.zeros(new ai.djl.ndarray.types.Shape(2, 2)));
            SafetensorsWriter.write(dir.resolve("model.safetensors"), extra);
            IOException e = assertThrows(IOException.class, () -> VisionLanguageModel.load(dir));
            assertTrue(e.getMessage().contains("unexpected keys [qformer.encoder.layer.7.attention.output.dense.weight]")
                    && e.getMessage().startsWith(dir.toString()), e.getMessage());
            Map<String, NDArray> missing = new LinkedHashMap<>(vlm.stateDict());
            missing.remove("vision_model.blocks.0.attn.qkv.bias");
            SafetensorsWriter.write(dir.resolve("model.safetensors"), missing);
            e = assertThrows(IOException.class, () -> VisionLanguageModel.load(dir));
            assertTrue(e.getMessage().contains("missing keys [vision_model.blocks.0.attn.qkv.bias]"), e.getMessage());
        }
    }
}
