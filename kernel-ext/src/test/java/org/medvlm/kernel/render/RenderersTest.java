package org.medvlm.kernel.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class RenderersTest {
    private final Renderer renderer = new Renderer();

    RenderersTest() {
        Renderers.register(renderer);
    }

    @Test
    void imagesArePngThroughTheBaseLibraryAndSayWhatTheyAreInText() {
        Renderer withBase = new Renderer();
        io.github.spencerpark.jupyter.kernel.display.common.Image.registerAll(withBase);
        Renderers.register(withBase);
        DisplayData d = withBase.render(new BufferedImage(256, 128, BufferedImage.TYPE_INT_RGB));
        assertTrue(d.hasDataForType(MIMEType.IMAGE_PNG), "the PNG is still there");
        assertEquals("[image 256x128]", d.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void chartsArePngOfTheirSizeAndSvgOnRequest() throws Exception {
        XYChart chart = new XYChartBuilder().width(300).height(200).title("loss").build();
        chart.addSeries("loss", new double[] {1, 2, 3}, new double[] {3, 2, 1.5});
        DisplayData d = renderer.render(chart);
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) d.getData(MIMEType.IMAGE_PNG))));
        assertEquals(300, png.getWidth());
        assertEquals(200, png.getHeight());
        assertFalse(d.hasDataForType(MIMEType.IMAGE_SVG));
        assertEquals("[chart: loss; loss]", d.getData(MIMEType.TEXT_PLAIN));
        String svg = (String) renderer.renderAs(chart, "image/svg+xml").getData(MIMEType.IMAGE_SVG);
        assertTrue(svg.contains("<svg"), svg.substring(0, Math.min(200, svg.length())));
    }

    @Test
    void tablesAreHtmlWithThumbnailsAndAShortTextForm(@TempDir Path dir) throws Exception {
        BufferedImage big = new BufferedImage(400, 200, BufferedImage.TYPE_INT_RGB);
        Path file = dir.resolve("slice.png");
        ImageIO.write(big, "png", file.toFile());
        Table t = Table.create("samples",
                StringColumn.create("image", org.medvlm.imaging.Thumbnails.dataUri(new BufferedImage(96, 64, 1)), file.toString()),
                StringColumn.create("question", "<b>size?</b>", "organ?"),
                IntColumn.create("n", 1, 2));
        DisplayData d = renderer.render(t);
        String html = (String) d.getData(MIMEType.TEXT_HTML);
        assertEquals(1, html.split("<img ", -1).length - 1, "only the data URI is an image: " + html);
        assertTrue(html.contains("<td>" + file + "</td>"), "a cell that names a file is text, never opened");
        assertTrue(html.contains("&lt;b&gt;size?&lt;/b&gt;"), "cell text is escaped");
        assertTrue(html.contains("<th>question</th>"));
        String text = (String) d.getData(MIMEType.TEXT_PLAIN);
        assertTrue(text.contains("organ?") && text.contains("[image 96x64]"), text);
        assertFalse(text.contains("base64"), text);
        assertTrue(text.length() < 400, text);
    }

    @Test
    void thumbnailTextOfEightRowsIsShort() {
        String uri = org.medvlm.imaging.Thumbnails.dataUri(noise(96, 96));
        Table t = Table.create("thumbnails", StringColumn.create("thumbnail", java.util.Collections.nCopies(8, uri)),
                StringColumn.create("question", java.util.Collections.nCopies(8, "Which organ contains the lesion?")));
        String text = (String) renderer.render(t).getData(MIMEType.TEXT_PLAIN);
        assertTrue(uri.length() > 10_000, "a noisy 96 px PNG is big: " + uri.length());
        assertTrue(text.length() < 1000, text.length() + " characters: " + text);
        assertEquals(8, text.split("\\[image 96x96\\]", -1).length - 1, text);
    }

    private static BufferedImage noise(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(1);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt());
            }
        }
        return img;
    }

    @Test
    void numbersShowFourSignificantDigits() {
        Table t = Table.create("scores", tech.tablesaw.api.DoubleColumn.create("score", 1.0 / 3, 41.3245, 559214592.0, 0.5),
                tech.tablesaw.api.StringColumn.create("metric", "a", "b", "c", "d"));
        DisplayData d = renderer.render(t);
        String html = (String) d.getData(MIMEType.TEXT_HTML);
        assertTrue(html.contains("<td>0.3333</td>") && html.contains("<td>41.32</td>") && html.contains("<td>559214592</td>")
                && html.contains("<td>0.5</td>"), html);
        String text = (String) d.getData(MIMEType.TEXT_PLAIN);
        assertTrue(text.contains("0.3333") && !text.contains("0.33333"), text);
    }

    @Test
    void longTablesKeepEveryRowInAScrollBox() {
        Table t = Table.create("many", IntColumn.create("i", java.util.stream.IntStream.range(0, 300).toArray()));
        DisplayData d = renderer.render(t);
        String html = (String) d.getData(MIMEType.TEXT_HTML);
        assertEquals(300, html.split("<tr>", -1).length - 2, "every row (a DICOM header has hundreds)");
        assertTrue(html.startsWith("<div style=\"max-height:36em;overflow:auto\">"), html.substring(0, 80));
        String text = (String) d.getData(MIMEType.TEXT_PLAIN);
        assertTrue(text.endsWith("... 280 more rows"), text);
    }

    @Test
    void aDatasetIsItsFirstRowsAndOneLine() {
        org.medvlm.data.VqaDataset ds = org.medvlm.data.VqaDataset.read().phantoms(40, 3);
        DisplayData d = renderer.render(ds);
        String html = (String) d.getData(MIMEType.TEXT_HTML);
        assertEquals(Renderers.PREVIEW_ROWS, html.split("<tr>", -1).length - 2, html);
        assertTrue(html.contains("the first 5 of 40 questions"), html);
        String text = (String) d.getData(MIMEType.TEXT_PLAIN);
        assertTrue(text.startsWith(ds.name() + ": 40 questions (train "), text);
        assertTrue(text.lines().allMatch(l -> l.length() < 250), text);
    }

    /** A result record as the toolkit's commands return them. */
    public record Plan(int gpus) {
        public Table table() {
            return Table.create("plan", IntColumn.create("gpus", new int[] {gpus}));
        }

        public XYChart chart() {
            XYChart c = new XYChartBuilder().width(100).height(80).build();
            c.addSeries("s", new double[] {0, 1}, new double[] {1, 0});
            return c;
        }
    }

    record Plain(int x) {}

    @Test
    void recordsWithATableAreThatTableAndTheirChart() {
        DisplayData d = renderer.render(new Plan(8));
        String html = (String) d.getData(MIMEType.TEXT_HTML);
        assertTrue(html.contains("<th>gpus</th>") && html.contains("<td>8</td>"), html);
        assertTrue(html.contains("<img src=\"data:image/png;base64,"), "the chart follows the table");
        assertEquals("Plan[gpus=8]", d.getData(MIMEType.TEXT_PLAIN));
        DisplayData plain = renderer.render(new Plain(1));
        assertFalse(plain.hasDataForType(MIMEType.TEXT_HTML));
        assertEquals("Plain[x=1]", plain.getData(MIMEType.TEXT_PLAIN));
    }
}
