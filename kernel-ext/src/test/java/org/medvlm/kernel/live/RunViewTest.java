package org.medvlm.kernel.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medvlm.imaging.Thumbnails;
import org.medvlm.train.RunEvents;

/** The answer table of a run's view stays bounded however long the run: the newest evaluations, a few rows each. */
class RunViewTest {
    private static final String THUMB = Thumbnails.dataUri(new java.awt.image.BufferedImage(64, 64, 1));

    private static RunView.Shown eval(long step, int samples) {
        List<RunView.Row> rows = new ArrayList<>();
        for (int i = 0; i < Math.min(samples, RunView.SAMPLES_SHOWN); i++) {
            rows.add(new RunView.Row(THUMB, "Which organ <b>?</b>", "liver", i % 2 == 0 ? "liver" : "lung", i % 2 == 0));
        }
        return new RunView.Shown(step, new RunEvents.Metrics(0.5, Double.NaN, 1.0 / 3, 12, Map.of()), 2.345678, rows, samples);
    }

    @Test
    void theTableShowsTheNewestEvaluationsFirstWithTheirScores() {
        DisplayData d = RunView.answerTable(List.of(eval(20, 3), eval(10, 3)), 2);
        String html = (String) d.getData(MIMEType.TEXT_HTML);
        assertEquals(6, html.split("<img ", -1).length - 1);
        assertTrue(html.indexOf("<b>step 20</b>") < html.indexOf("<b>step 10</b>"), html);
        assertTrue(html.contains("closed accuracy 0.500, exact match 0.333 (12 questions), held-out loss 2.346"), html);
        assertFalse(html.contains("open recall"), "an evaluation without open questions has no open recall: " + html);
        assertTrue(html.contains("Which organ &lt;b&gt;?&lt;/b&gt;"), "text is escaped");
        assertTrue(html.contains("✓") && html.contains("✗"));
        String text = (String) d.getData(MIMEType.TEXT_PLAIN);
        assertEquals("answers at step 20: 2 of 3 shown examples correct; closed accuracy 0.500, exact match 0.333 (12 questions),"
                + " held-out loss 2.346", text);
    }

    @Test
    void aLongRunKeepsTheTableBounded() {
        List<RunView.Shown> kept = new ArrayList<>();
        for (int i = RunView.EVALS_SHOWN; i >= 1; i--) {
            kept.add(eval(i * 100L, 64));
        }
        DisplayData d = RunView.answerTable(kept, 40);
        String html = (String) d.getData(MIMEType.TEXT_HTML);
        assertEquals(RunView.EVALS_SHOWN * RunView.SAMPLES_SHOWN, html.split("<img ", -1).length - 1);
        assertTrue(html.contains((64 - RunView.SAMPLES_SHOWN) + " more examples of this evaluation"), html);
        assertTrue(html.contains((40 - RunView.EVALS_SHOWN) + " earlier evaluations are in the run folder"), html);
        assertTrue(html.length() < 200_000, html.length() + " characters");
    }
}
