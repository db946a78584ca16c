package org.medvlm.vlm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.checkpoint.StateDict;

class VisionLanguageModelTest {
    private static VisionLanguageModel qformer;
    private static VisionLanguageModel gated;

    @BeforeAll
    static void build() {
        long t0 = System.nanoTime();
        qformer = VisionLanguageModel.builtin(Fusion.QFORMER);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // the brief's bound for the built-in model: well under a few seconds on CPU (first use loads the engine too)
        assertTrue(ms < 5000, "built-in model took " + ms + " ms");
        gated = VisionLanguageModel.builtin(Fusion.GATED);
    }

    @AfterAll
    static void close() {
        qformer.close();
        gated.close();
    }

    /** A synthetic scan: a grey disc on black, with a bright spot whose place varies with {@code k}. */
    static BufferedImage scan(int k, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.GRAY);
        g.fillOval(w / 8, h / 8, 3 * w / 4, 3 * h / 4);
        g.setColor(Color.WHITE);
        g.fillOval(10 + 17 * k % (w - 30), 20 + 11 * k % (h - 40), 12, 9);
        g.dispose();
        return img;
    }

    @Test
    void answersAQuestionAboutAnImageDeterministically() {
        BufferedImage img = scan(1, 120, 90);
        Answer a = qformer.ask(img, "Is there a lesion in the left lung?", 6);
        assertTrue(a.tokenIds().length >= 1 && a.tokenIds().length <= 6, a.toString());
        assertEquals(qformer.tokenizer().decode(a.tokenIds()).strip(), a.text());
        assertTrue(a.image() == img);
        try (VisionLanguageModel again = VisionLanguageModel.builtin(Fusion.QFORMER)) {
            Answer b = again.ask(img, "Is there a lesion in the left lung?", 6);
            assertArrayEquals(a.tokenIds(), b.tokenIds());
            assertEquals(a.text(), b.text());
        }
    }

    @Test
    void theImageChangesTheLogits() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = qformer.promptLogits(List.of(scan(1, 64, 64)), List.of("which organ?"), m);
            NDArray y = qformer.promptLogits(List.of(scan(5, 64, 64)), List.of("which organ?"), m);
            assertTrue(x.sub(y).abs().max().getFloat() > 0, "the visual prefix reaches the LM");
        }
    }

    @Test
    void aBatchOfThreeEqualsThreeSingles() {
        List<BufferedImage> images = List.of(scan(1, 64, 64), scan(2, 100, 70), scan(3, 50, 80));
        // prompts of different lengths, so two rows are left-padded
        List<String> questions = List.of("Is there a lesion?", "Which side is the largest lesion located on?",
                "How many nodules are visible in the right lung?");
        for (VisionLanguageModel vlm : List.of(qformer, gated)) {
            List<Answer> batch = vlm.ask(images, questions, 5);
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray all = vlm.promptLogits(images, questions, m); // (3, T, V)
                long t = all.getShape().get(1);
                for (int i = 0; i < 3; i++) {
                    Answer single = vlm.ask(images.get(i), questions.get(i), 5);
                    assertArrayEquals(single.tokenIds(), batch.get(i).tokenIds(), vlm.config().fusion() + " row " + i);
                    NDArray one = vlm.promptLogits(List.of(images.get(i)), List.of(questions.get(i)), m); // (1, Ti, V)
                    long ti = one.getShape().get(1);
                    NDArray row = all.get(new NDIndex("{}, {}:, :", i, t - ti));
                    float diff = row.sub(one.get(0)).abs().max().getFloat();
                    assertTrue(diff < 1e-4, vlm.config().fusion() + " row " + i + " differs by " + diff);
                }
            }
        }
    }

    @Test
    void gatedFusionWithClosedGatesLeavesBloomUnchanged() {
        // a fresh gated fusion on the built-in parts: its gates start at 0, as OpenFlamingo's
        try (NDManager m = NDManager.newBaseManager(); VisionLanguageModel fresh = VlmLoader.builtinParts(Fusion.GATED, 3)) {
            List<String> questions = List.of("Is there a lesion?");
            NDArray vlmLogits = fresh.promptLogits(List.of(scan(4, 64, 64)), questions, m);
            long[] ids = fresh.tokenizer().encode(fresh.config().prompt().apply(questions.get(0)));
            NDArray input = m.create(ids, new Shape(1, ids.length));
            NDArray alone = fresh.languageModel().logits(input, m.ones(new Shape(1, ids.length), ai.djl.ndarray.types.DataType.INT64));
            assertEquals(0f, vlmLogits.sub(alone).abs().max().getFloat(), 0f);
            // the gates are what holds the image back: open one and the logits move (the shipped model's are open)
            assertTrue(gated.stateDict().entrySet().stream().anyMatch(e -> e.getKey().endsWith("attn_gate")
                    && e.getValue().abs().sum().getFloat() > 0), "the trained gated model has opened its gates");
            try (VisionLanguageModel opened = VlmLoader.builtinParts(Fusion.GATED, 3)) {
                Map<String, NDArray> sd = opened.stateDict();
                List<String> gates = sd.keySet().stream().filter(k -> k.endsWith("attn_gate")).toList();
                assertEquals(opened.languageModel().config().nLayer(), gates.size(), "one gated block per layer (every 1)");
                for (String gate : gates) {
                    assertEquals(0f, sd.get(gate).abs().sum().getFloat(), gate);
                }
                sd.get(gates.get(0)).addi(1f); // the model's own array
                NDArray openLogits = opened.promptLogits(List.of(scan(4, 64, 64)), questions, m);
                assertTrue(openLogits.sub(alone).abs().max().getFloat() > 1e-6);
            }
        }
    }

    @Test
    void bothFusionsRunAndHaveTheirKeys() {
        assertEquals(Fusion.QFORMER, qformer.summary().fusion());
        assertEquals(Fusion.GATED, gated.summary().fusion());
        Map<String, NDArray> q = qformer.stateDict();
        assertTrue(q.containsKey("query_tokens"));
        assertTrue(q.containsKey("vision_model.blocks.0.attn.qkv.weight"));
        assertTrue(q.containsKey("qformer.encoder.layer.0.crossattention.attention.key.weight"));
        assertTrue(q.containsKey("language_projection.weight"));
        assertTrue(q.containsKey("language_model.h.0.self_attention.query_key_value.weight"));
        Map<String, NDArray> g = gated.stateDict();
        assertTrue(g.keySet().stream().anyMatch(k -> k.startsWith("perceiver.")));
        assertTrue(g.keySet().stream().anyMatch(k -> k.startsWith("gated_cross_attn_layers.")));
        assertFalse(g.containsKey("query_tokens"));
        String answer = gated.ask(scan(2, 64, 64), "Which organ is shown?", 4).text();
        assertTrue(answer.length() < 200);
    }

    @Test
    void saveAndLoadRoundTripsTheWeights(@TempDir Path dir) throws IOException {
        for (VisionLanguageModel vlm : List.of(qformer, gated)) {
            Path out = dir.resolve(vlm.config().fusion().key());
            vlm.save(out);
            assertTrue(Files.isRegularFile(out.resolve("config.json")));
            assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
            try (VisionLanguageModel back = VisionLanguageModel.load(out)) {
                assertEquals(vlm.config(), back.config());
                Map<String, NDArray> a = vlm.stateDict();
                Map<String, NDArray> b = back.stateDict();
                assertEquals(List.copyOf(a.keySet()), List.copyOf(b.keySet()));
                for (String k : a.keySet()) {
                    assertTrue(a.get(k).contentEquals(b.get(k)), k);
                }
                BufferedImage img = scan(6, 64, 64);
                assertArrayEquals(vlm.ask(img, "Which organ?", 5).tokenIds(), back.ask(img, "Which organ?", 5).tokenIds());
            }
        }
    }

    @Test
    void weightsInHfLayoutWithTransformerPrefixLoad(@TempDir Path dir) throws IOException {
        qformer.save(dir);
        Map<String, NDArray> renamed = new LinkedHashMap<>();
        qformer.stateDict().forEach((k, v) -> renamed.put(
                k.startsWith("language_model.") ? "language_model.transformer." + k.substring(15) : k, v));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), renamed);
        try (VisionLanguageModel back = VisionLanguageModel.load(dir)) {
            BufferedImage img = scan(7, 64, 64);
            assertArrayEquals(qformer.ask(img, "Is it normal?", 4).tokenIds(), back.ask(img, "Is it normal?", 4).tokenIds());
        }
    }

    @Test
    void badCheckpointsFailNamingTheKey(@TempDir Path dir) throws IOException {
        qformer.save(dir);
        Map<String, NDArray> sd = new LinkedHashMap<>(qformer.stateDict());
        sd.remove("language_projection.bias");
        SafetensorsWriter.write(dir.resolve("model.safetensors"), sd);
        IOException missing = assertThrows(IOException.class, () -> VisionLanguageModel.load(dir));
        assertTrue(missing.getMessage().contains("language_projection.bias"), missing.getMessage());

        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> wrong = new LinkedHashMap<>(qformer.stateDict());
            wrong.put("vision_model.pos_embed", m.zeros(new Shape(1, 5, 64)));
            SafetensorsWriter.write(dir.resolve("model.safetensors"), wrong);
            IOException shape = assertThrows(IOException.class, () -> VisionLanguageModel.load(dir));
            assertTrue(shape.getMessage().contains("pos_embed") && shape.getMessage().contains("[1, 5, 64]")
                    && shape.getMessage().contains("[1, " + qformer.config().vision().numTokens() + ", 64]"), shape.getMessage());
        }

        Files.writeString(dir.resolve("model.safetensors"), "garbage");
        IOException corrupt = assertThrows(IOException.class, () -> VisionLanguageModel.load(dir));
        assertTrue(corrupt.getMessage().contains("model.safetensors"), corrupt.getMessage());

        Files.delete(dir.resolve("tokenizer.json"));
        IOException noTokenizer = assertThrows(IOException.class, () -> VisionLanguageModel.load(dir));
        assertTrue(noTokenizer.getMessage().contains("tokenizer.json"), noTokenizer.getMessage());
    }

    @Test
    void partsMayComeFromTheirOwnFolders(@TempDir Path dir) throws IOException {
        // the language model as a Hub-style BLOOM folder next to the composite, referenced by path
        // and the vision tower as an open_clip (BiomedCLIP-style) file with a text tower beside it
        Path lm = Files.createDirectories(dir.resolve("bloom-tiny"));
        Path clip = Files.createDirectories(dir.resolve("clip"));
        Map<String, NDArray> bloomOnly = new LinkedHashMap<>();
        Map<String, NDArray> openClip = new LinkedHashMap<>();
        Map<String, NDArray> rest = new LinkedHashMap<>();
        qformer.stateDict().forEach((k, v) -> {
            if (k.startsWith("language_model.")) {
                bloomOnly.put(k.substring("language_model.".length()), v);
            } else if (k.startsWith("vision_model.")) {
                openClip.put("visual.trunk." + k.substring("vision_model.".length()), v);
            } else {
                rest.put(k, v);
            }
        });
        openClip.put("text.proj.weight", qformer.stateDict().get("language_projection.weight"));
        SafetensorsWriter.write(lm.resolve("model.safetensors"), bloomOnly);
        SafetensorsWriter.write(clip.resolve("model.safetensors"), openClip);
        Files.writeString(clip.resolve("config.json"), qformer.config().vision().toJson().toString());
        Files.writeString(lm.resolve("config.json"), qformer.config().text().toJson().toString());
        qformer.tokenizer().writeTo(lm.resolve("tokenizer.json"));
        Path composite = Files.createDirectories(dir.resolve("vlm"));
        SafetensorsWriter.write(composite.resolve("model.safetensors"), rest);
        com.google.gson.JsonObject cfg = qformer.config().toJson(composite);
        cfg.addProperty("text_config", "../bloom-tiny");
        cfg.addProperty("vision_config", "../clip");
        Files.writeString(composite.resolve("config.json"), cfg.toString());
        try (VisionLanguageModel back = VisionLanguageModel.load(composite)) {
            BufferedImage img = scan(8, 64, 64);
            assertArrayEquals(qformer.ask(img, "Which side?", 4).tokenIds(), back.ask(img, "Which side?", 4).tokenIds());
        }
    }

    @Test
    void summaryCountsWhatTheCheckpointStoresPerPart(@TempDir Path dir) throws IOException {
        qformer.save(dir);
        Map<String, Long> stored = new LinkedHashMap<>();
        try (StateDict file = StateDict.open(dir)) {
            for (String k : file.keys()) {
                String part = k.startsWith("vision_model.") ? "vision_model" : k.startsWith("language_model.") ? "language_model" : "qformer";
                stored.merge(part, file.expect(k).shape().size(), Long::sum);
            }
        }
        for (VlmSummary.Part p : qformer.summary().parts()) {
            assertEquals(stored.get(p.name()), p.parameters(), p.name());
        }
        assertEquals(3, qformer.summary().parts().size());
    }

    @Test
    void summaryNamesPartsAndSizes() {
        String text = qformer.summary().toString();
        assertTrue(text.contains("vision_model") && text.contains("qformer") && text.contains("language_model"), text);
        assertTrue(text.contains("fusion qformer"), text);
        assertTrue(gated.summary().toString().contains("gated_fusion"));
        assertNotEquals(qformer.summary().parameters(), gated.summary().parameters());
    }
}
