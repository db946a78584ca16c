package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/**
 * Every notebook under notebooks/ is executed by nbclient (the engine of {@code jupyter nbconvert --execute}) on the
 * installed kernel ({@link ExecutedNotebooks}), and each code cell's outputs are checked against its tags (see
 * src/test/python/run_notebook.py): image/png where a chart or image is promised, HTML tables with {@code <img}
 * thumbnails, update_display_data for live displays, and no error outputs. The quick start's image–answer table must
 * show the built-in trained model right on at least 90% of its rows.
 */
class NotebookTest {

    @Test
    void theTutorialsAreAllThereAndStoredWithoutBigOutputs() throws Exception {
        Path dir = ExecutedNotebooks.sourceDir();
        for (String name : ExecutedNotebooks.TUTORIALS) {
            Path nb = dir.resolve(name);
            assertTrue(Files.isRegularFile(nb), "missing tutorial " + nb);
            JsonObject json = JsonParser.parseString(Files.readString(nb, StandardCharsets.UTF_8)).getAsJsonObject();
            assertEquals("medvlm", json.getAsJsonObject("metadata").getAsJsonObject("kernelspec").get("name").getAsString(),
                    name + " must name the MedVLM kernel");
            int code = 0;
            for (JsonElement c : json.getAsJsonArray("cells")) {
                JsonObject cell = c.getAsJsonObject();
                // git holds the notebooks without outputs or with small ones: no multi-megabyte cells
                int outputs = cell.has("outputs") ? cell.get("outputs").toString().length() : 0;
                assertTrue(outputs < 100_000, name + ": a cell with " + outputs + " characters of stored output");
                code += cell.get("cell_type").getAsString().equals("code") ? 1 : 0;
            }
            assertTrue(code >= 3, name + " has " + code + " code cells");
            assertTrue(Files.size(nb) < 200_000, name + " is " + Files.size(nb) + " bytes");
        }
        List<String> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".ipynb")).forEach(p -> all.add(p.getFileName().toString()));
        }
        assertTrue(ExecutedNotebooks.TUTORIALS.containsAll(all), "a notebook the tests do not know: " + all);
    }

    @Test
    void notebooksRunAndShowWhatTheirCellsPromise() throws Exception {
        ExecutedNotebooks.Run run = ExecutedNotebooks.get();
        System.out.println(run.output());
        assertEquals(0, run.code(), "notebook check failed:\n" + run.output());
        for (String name : ExecutedNotebooks.TUTORIALS) {
            assertTrue(run.summary().has(name), name + " did not run:\n" + run.output());
            assertEquals(0, run.summary().getAsJsonObject(name).getAsJsonArray("problems").size(), run.output());
            assertTrue(Files.isRegularFile(run.executed().resolve(name)), "executed " + name + " was not saved");
        }
    }

    @Test
    void theZeroTrainingNotebookPlansAndLaunches() throws Exception {
        ExecutedNotebooks.Run run = ExecutedNotebooks.get();
        JsonObject nb = run.summary().getAsJsonObject(ExecutedNotebooks.LAUNCH_NOTEBOOK);
        assertTrue(nb != null && nb.getAsJsonArray("problems").isEmpty(), run.output());
        String executed = Files.readString(run.executed().resolve(ExecutedNotebooks.LAUNCH_NOTEBOOK), StandardCharsets.UTF_8);
        for (String expected : new String[] {"deepspeed --num_gpus 4", "deepspeed --hostfile", "torchrun", "sbatch",
            "\\\"train_batch_size\\\"", "run finished"}) {
            assertTrue(executed.contains(expected), ExecutedNotebooks.LAUNCH_NOTEBOOK + " shows no '" + expected + "'");
        }
        // the checkpoint two PyTorch processes wrote answers in the Java kernel
        JsonArray tables = nb.getAsJsonArray("answer_tables");
        assertEquals(1, tables.size(), "the launched run's model answers in one table");
        int rows = tables.get(0).getAsJsonObject().get("rows").getAsInt();
        int correct = tables.get(0).getAsJsonObject().get("correct").getAsInt();
        assertTrue(rows >= 8 && correct >= 0.75 * rows, "the launched run's model is right on " + correct + " of " + rows);
    }

    @Test
    void theQuickStartsTrainedModelIsRightOnNinetyPercentOfItsAnswerTable() throws Exception {
        ExecutedNotebooks.Run run = ExecutedNotebooks.get();
        JsonObject quick = run.summary().getAsJsonObject("01-quick-start.ipynb");
        assertTrue(quick != null, "the quick start did not run:\n" + run.output());
        JsonArray tables = quick.getAsJsonArray("answer_tables");
        assertEquals(1, tables.size(), "the quick start shows one image-answer table");
        int rows = tables.get(0).getAsJsonObject().get("rows").getAsInt();
        int correct = tables.get(0).getAsJsonObject().get("correct").getAsInt();
        assertTrue(rows >= 16, "the answer table has " + rows + " rows");
        assertTrue(correct >= 0.9 * rows, "the trained built-in model is right on " + correct + " of " + rows + " rows");
    }

    @Test
    void theTrainingNotebooksRunTeachesTheModel() throws Exception {
        ExecutedNotebooks.Run run = ExecutedNotebooks.get();
        JsonObject nb = JsonParser.parseString(Files.readString(run.executed().resolve("05-train-locally.ipynb"),
                StandardCharsets.UTF_8)).getAsJsonObject();
        String evaluations = null;
        String beforeAfter = null;
        for (JsonElement c : nb.getAsJsonArray("cells")) {
            JsonObject cell = c.getAsJsonObject();
            for (JsonElement o : cell.has("outputs") ? cell.getAsJsonArray("outputs") : new JsonArray()) {
                JsonObject data = o.getAsJsonObject().getAsJsonObject("data");
                String text = data == null || !data.has("text/plain") ? "" : join(data.get("text/plain"));
                if (text.startsWith("evaluations of ")) {
                    evaluations = text;
                } else if (text.startsWith("held-out answers at update ")) {
                    beforeAfter = text;
                }
            }
        }
        assertTrue(evaluations != null && beforeAfter != null, "05-train-locally shows no evaluation or before/after table");
        // rows: step, held-out loss, closed accuracy, open recall, exact match
        List<double[]> rows = new ArrayList<>();
        for (String line : evaluations.split("\n")) {
            if (line.strip().matches("\\d+\\s+[0-9.]+\\s+[0-9.]+.*")) {
                rows.add(Stream.of(line.strip().split("\\s+")).mapToDouble(Double::parseDouble).toArray());
            }
        }
        assertTrue(rows.size() >= 2, evaluations);
        double[] first = rows.get(0);
        double[] last = rows.get(rows.size() - 1);
        assertTrue(last[1] < first[1] / 2, "the held-out loss did not fall by half:\n" + evaluations);
        assertTrue(last[2] >= 0.9 && last[2] > first[2], "closed accuracy did not reach 90%:\n" + evaluations);
        assertTrue(beforeAfter.lines().anyMatch(l -> l.matches(".*✗\\s+\\S+ ✓\\s*")), "no answer turned from ✗ to ✓:\n" + beforeAfter);
    }

    private static String join(JsonElement text) {
        if (!text.isJsonArray()) {
            return text.getAsString();
        }
        StringBuilder b = new StringBuilder();
        text.getAsJsonArray().forEach(e -> b.append(e.getAsString()));
        return b.toString();
    }
}
