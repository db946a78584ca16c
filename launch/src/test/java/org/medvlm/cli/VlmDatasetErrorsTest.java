package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vlm ask --dataset}: an example whose image cannot be read is that row's error; the others are answered. */
class VlmDatasetErrorsTest {

    @Test
    void anUnreadableImageIsAnErrorRowAndTheOtherAnswersAreKept(@TempDir Path dir) throws IOException {
        Path rad = VlmCommandTest.vqaRad(dir);
        // synpic2.png (question 2) is not a PNG any more
        Files.writeString(rad.resolve("VQA_RAD Image Folder/synpic2.png"), "not an image");
        CliRun run = CliRun.of("vlm", "ask", "--dataset", "vqa-rad:" + rad, "--n", "3", "--max-new-tokens", "2", "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("vlm ask: 1 of 3 examples could not be asked; their rows say why", run.err().strip());
        JsonObject o = JsonParser.parseString(run.out().strip()).getAsJsonObject();
        JsonArray answers = o.getAsJsonArray("answers");
        assertEquals(3, answers.size());
        JsonObject broken = answers.get(1).getAsJsonObject();
        assertEquals("Which side?", broken.get("question").getAsString());
        assertTrue(broken.get("error").getAsString().contains("synpic2.png"), broken.toString());
        assertFalse(broken.get("correct").getAsBoolean());
        for (int i : new int[] {0, 2}) {
            JsonObject ok = answers.get(i).getAsJsonObject();
            assertFalse(ok.has("error"), ok.toString());
            assertFalse(ok.get("answer").getAsString().startsWith("(error"), ok.toString());
        }

        CliRun text = CliRun.of("vlm", "ask", "--dataset", "vqa-rad:" + rad, "--n", "3", "--max-new-tokens", "2");
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("(error: ") && text.out().contains("Is it normal?"), text.out());
    }
}
