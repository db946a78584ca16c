package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.vlm.Answer;

class VlmCommandTest {

    static Path writePng(Path dir) throws IOException {
        BufferedImage img = new BufferedImage(80, 60, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.DARK_GRAY);
        g.fillRect(0, 0, 80, 60);
        g.setColor(Color.WHITE);
        g.fillOval(10, 10, 30, 25);
        g.dispose();
        Path png = dir.resolve("scan.png");
        ImageIO.write(img, "png", png.toFile());
        return png;
    }

    @Test
    void asksTheBuiltinModelAboutAPngAsJson(@TempDir Path dir) throws IOException {
        Path png = writePng(dir);
        CliRun run = CliRun.of("vlm", "ask", png.toString(), "Is there a lesion?", "--max-new-tokens", "4", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject o = JsonParser.parseString(run.out().strip()).getAsJsonObject();
        assertEquals("Is there a lesion?", o.get("question").getAsString());
        assertTrue(o.get("tokens").getAsInt() <= 4, run.out());
        assertEquals(png.toString(), o.get("image").getAsString());
        // deterministic: the same call gives the same answer
        CliRun again = CliRun.of("vlm", "ask", png.toString(), "Is there a lesion?", "--max-new-tokens", "4", "--json");
        assertEquals(o.get("answer"), JsonParser.parseString(again.out().strip()).getAsJsonObject().get("answer"));
    }

    @Test
    void loadPrintsPartsAndParameterCounts() {
        CliRun run = CliRun.of("vlm", "load", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonObject o = JsonParser.parseString(run.out().strip()).getAsJsonObject();
        assertEquals("qformer", o.get("fusion").getAsString());
        JsonObject parts = o.getAsJsonObject("parts");
        long sum = 0;
        for (String part : parts.keySet()) {
            assertTrue(parts.get(part).getAsLong() > 0, part);
            sum += parts.get(part).getAsLong();
        }
        assertTrue(parts.has("vision_model") && parts.has("language_model"), parts.toString());
        assertEquals(o.get("parameters").getAsLong(), sum);
        CliRun gated = CliRun.of("vlm", "load", "--fusion", "gated");
        assertEquals(0, gated.exitCode(), gated.err());
        assertTrue(gated.out().contains("gated"), gated.out());
    }

    @Test
    void missingImageAndBadModelFolderAreOneLine(@TempDir Path dir) throws IOException {
        CliRun missing = CliRun.of("vlm", "ask", dir.resolve("nope.png").toString(), "what?");
        assertEquals(Medvlm.EXIT_INPUT, missing.exitCode());
        assertTrue(missing.errIsOneLine(), missing.err());
        assertTrue(missing.err().contains("nope.png: no such image file"), missing.err());

        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image");
        CliRun notImage = CliRun.of("vlm", "ask", text.toString(), "what?");
        assertEquals(Medvlm.EXIT_INPUT, notImage.exitCode());
        assertTrue(notImage.errIsOneLine() && notImage.err().contains("not a readable image"), notImage.err());

        Path png = writePng(dir);
        CliRun noFolder = CliRun.of("vlm", "ask", png.toString(), "what?", "--model", dir.resolve("model").toString());
        assertEquals(Medvlm.EXIT_INPUT, noFolder.exitCode());
        assertTrue(noFolder.errIsOneLine() && noFolder.err().contains("no such model folder"), noFolder.err());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRun noConfig = CliRun.of("vlm", "load", empty.toString());
        assertEquals(Medvlm.EXIT_INPUT, noConfig.exitCode());
        assertTrue(noConfig.errIsOneLine() && noConfig.err().contains("config.json"), noConfig.err());

        CliRun neither = CliRun.of("vlm", "ask");
        assertEquals(Medvlm.EXIT_INPUT, neither.exitCode());
        assertTrue(neither.errIsOneLine(), neither.err());
    }

    /** A display like the notebook's: keeps what it is shown. */
    static final class RichDisplay implements Display, Session.Provider {
        final Session session = new Session();
        final List<Object> shown = new ArrayList<>();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        private final PrintWriter outWriter = new PrintWriter(out, true);
        private final PrintWriter errWriter = new PrintWriter(err, true);

        @Override public PrintWriter out() { return outWriter; }
        @Override public PrintWriter err() { return errWriter; }
        @Override public void show(Object result) { shown.add(result); }
        @Override public boolean rich() { return true; }
        @Override public Session session() { return session; }
    }

    @Test
    void inANotebookTheLoadedModelStaysAndAnswersAreRich(@TempDir Path dir) throws IOException {
        RichDisplay display = new RichDisplay();
        assertEquals(0, Medvlm.commandLine(display).execute("vlm", "load", "--builtin"), display.err.toString());
        Session session = display.session;
        var model = session.model().orElseThrow();
        Path png = writePng(dir);
        assertEquals(0, Medvlm.commandLine(display).execute("vlm", "ask", png.toString(), "Which organ?"),
                display.err.toString());
        assertTrue(session.model().orElseThrow() == model, "the session keeps the loaded model");
        Answer answer = (Answer) display.shown.get(display.shown.size() - 1);
        assertEquals("Which organ?", answer.question());
        assertEquals(80, answer.image().getWidth());
        assertFalse(new RichDisplay().session().model().isPresent(), "another display has its own session");
        session.close();
    }
}
