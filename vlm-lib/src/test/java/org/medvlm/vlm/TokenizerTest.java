package org.medvlm.vlm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

    @Test
    void shippedResourceIsWhatTheWordListBuilds() throws IOException {
        String built = BuiltinTokenizerJson.build(BuiltinTokenizerJson.words());
        String regenerate = System.getProperty("medvlm.regenerate", System.getenv("MEDVLM_REGENERATE"));
        if (regenerate != null) {
            Files.writeString(Path.of(regenerate), built);
        }
        try (InputStream in = Tokenizer.class.getResourceAsStream("builtin/tokenizer.json")) {
            assertEquals(built, new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    "builtin/tokenizer.json is stale: rerun with -Dmedvlm.regenerate=<resource path>");
        }
    }

    @Test
    void loadsOfflineAndRoundTrips() {
        assertEquals("true", System.getProperty("ai.djl.offline", "true"));
        try (Tokenizer tok = Tokenizer.builtin()) {
            assertEquals("true", System.getProperty("ai.djl.offline"));
            long[] ids = tok.encode("Is there a lesion in the left lung?");
            // whole words are single tokens
            assertEquals(9, ids.length, Arrays.toString(ids) + " " + tok.tokens("Is there a lesion in the left lung?"));
            assertEquals("is there a lesion in the left lung?", tok.decode(ids));
            // an unseen word falls back to characters, never to <unk>
            long[] odd = tok.encode("pneumothorax 42");
            assertFalse(Arrays.stream(odd).anyMatch(id -> id == 0), Arrays.toString(odd));
            assertEquals("pneumothorax 42", tok.decode(odd));
            assertEquals(2, tok.eosId());
            assertEquals(3, tok.padId());
        }
    }

    @Test
    void phantomQuestionsAndAnswersAreWholeWords() {
        try (Tokenizer tok = Tokenizer.builtin()) {
            for (org.medvlm.data.VqaExample e : org.medvlm.phantoms.Phantoms.generate(200, 3)) {
                for (String text : List.of(e.question(), e.answer())) {
                    List<String> tokens = tok.tokens(text);
                    assertFalse(tokens.stream().anyMatch(t -> t.startsWith("##")), text + " -> " + tokens);
                    assertEquals(text.toLowerCase(java.util.Locale.ROOT), tok.decode(tok.encode(text))
                            .replace(" ,", ","), text);
                }
            }
        }
    }

    @Test
    void builtinConfigVocabularyIsTheTokenizers() throws IOException {
        String json = BuiltinTokenizerJson.build(BuiltinTokenizerJson.words());
        int vocab = com.google.gson.JsonParser.parseString(json).getAsJsonObject().getAsJsonObject("model")
                .getAsJsonObject("vocab").size();
        assertEquals(vocab, VlmLoader.builtinConfig(Fusion.QFORMER).text().vocabSize());
    }

    @Test
    void specialTokensHaveBloomIdsAndAreSkippedOnDecode() {
        try (Tokenizer tok = Tokenizer.builtin()) {
            assertArrayEquals(new long[] {2}, tok.encode("</s>"));
            long[] ids = tok.encode("yes");
            assertEquals("yes", tok.decode(new long[] {ids[0], 2, 3}));
        }
    }

    @Test
    void readsATokenizerJsonFileAndRefusesAnotherFile(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("tokenizer.json");
        Files.writeString(good, BuiltinTokenizerJson.build(java.util.List.of("pneumothorax")));
        try (Tokenizer tok = Tokenizer.read(dir, new Tokenizer.SpecialIds(2, 3))) {
            assertEquals(1, tok.encode("pneumothorax").length);
        }
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"model\": 12");
        IOException e = assertThrows(IOException.class, () -> Tokenizer.read(bad, new Tokenizer.SpecialIds(2, 3)));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        IOException missing = assertThrows(IOException.class,
                () -> Tokenizer.read(dir.resolve("nothing"), new Tokenizer.SpecialIds(2, 3)));
        assertTrue(missing.getMessage().contains("no tokenizer.json"), missing.getMessage());
    }
}
