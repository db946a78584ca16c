package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.vlm.Tokenizer;

/** {@code datasets prepare}: the manifest, token ids, images and prepare.json of FORMATS.md; idempotent; refusals. */
class DatasetsPrepareCommandTest {
    @TempDir Path dir;

    @Test
    void preparesPhantomsWithTheModelsTokenIds() throws Exception {
        Path out = dir.resolve("ph");
        CliRun r = CliRun.of("datasets", "prepare", "phantoms:10:4", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("10 examples"), r.out());
        List<String> lines = Files.readAllLines(out.resolve("manifest.jsonl"));
        assertEquals(10, lines.size());
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        for (String k : List.of("id", "image", "question", "answers", "answer_type", "split", "question_type", "dataset",
                "prompt_ids", "answer_ids")) {
            assertTrue(first.has(k), k);
        }
        assertTrue(Files.isRegularFile(out.resolve(first.get("image").getAsString())), "phantom rendered to a file");
        try (Tokenizer t = Tokenizer.builtin()) {
            long[] prompt = t.encode("Question: " + first.get("question").getAsString() + " Answer:");
            assertEquals(prompt.length, first.getAsJsonArray("prompt_ids").size());
            for (int i = 0; i < prompt.length; i++) {
                assertEquals(prompt[i], first.getAsJsonArray("prompt_ids").get(i).getAsLong());
            }
            var answer = first.getAsJsonArray("answer_ids");
            assertEquals(t.eosId(), answer.get(answer.size() - 1).getAsLong(), "answer ends with EOS");
            assertEquals(first.getAsJsonArray("answers").get(0).getAsString(),
                    t.decode(new long[] {answer.get(0).getAsLong()}).strip());
        }
        JsonObject info = JsonParser.parseString(Files.readString(out.resolve("prepare.json"))).getAsJsonObject();
        assertEquals(1, info.get("schema").getAsInt());
        assertEquals("phantoms:10:4", info.get("source").getAsString());
        assertEquals(10, info.get("count").getAsInt());
        assertEquals(256, info.get("image_size").getAsInt());
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
        // the same source again: nothing to do; another source into the same folder: refused in one line
        CliRun again = CliRun.of("datasets", "prepare", "phantoms:10:4", "--out", out.toString());
        assertTrue(again.out().contains("already prepared"), again.out());
        CliRun other = CliRun.of("datasets", "prepare", "phantoms:11:4", "--out", out.toString());
        assertEquals(1, other.exitCode());
        assertTrue(other.errIsOneLine() && other.err().contains("holds data prepared from"), other.err());
    }

    @Test
    void refusesWhatItCannotPrepare() throws Exception {
        CliRun captions = CliRun.of("datasets", "prepare", "roco:" + dir, "--out", dir.resolve("x").toString());
        assertEquals(1, captions.exitCode());
        assertTrue(captions.errIsOneLine() && captions.err().contains("captions"), captions.err());
        Files.createDirectories(dir.resolve("busy"));
        Files.writeString(dir.resolve("busy/notes.txt"), "mine");
        CliRun busy = CliRun.of("datasets", "prepare", "phantoms:3:1", "--out", dir.resolve("busy").toString());
        assertEquals(1, busy.exitCode());
        assertTrue(busy.errIsOneLine() && busy.err().contains("not empty"), busy.err());
        assertEquals(List.of(dir.resolve("busy/notes.txt")), Files.list(dir.resolve("busy")).toList(), "nothing written");
        CliRun format = CliRun.of("datasets", "prepare", "nope:1", "--out", dir.resolve("y").toString());
        assertEquals(1, format.exitCode());
        assertTrue(format.errIsOneLine() && format.err().contains("unknown dataset format"), format.err());
    }
}
