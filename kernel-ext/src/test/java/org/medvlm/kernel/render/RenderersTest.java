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
    void chartsArePngOfTheirSizeAndSvgOnRequest() throws Exception {
        XYChart chart = new XYChartBuilder().width(300).height(200).title("loss").build();
        chart.addSeries("loss", new double[] {1, 2, 3}, new double[] {3, 2, 1.5});
        DisplayData d = renderer.render(chart);
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) d.getData(MIMEType.IMAGE_PNG))));
        assertEquals(300, png.getWidth());
        assertEquals(200, png.getHeight());
        assertFalse(d.hasDataForType(MIMEType.IMAGE_SVG));
        String svg = (String) renderer.renderAs(chart, "image/svg+xml").getData(MIMEType.IMAGE_SVG);
        assertTrue(svg.contains("<svg"), svg.substring(0, Math.min(200, svg.length())));
    }

    @Test
    void tablesAreHtmlWithThumbnailsAndATextFallback(@TempDir Path dir) throws Exception {
        BufferedImage big = new BufferedImage(400, 200, BufferedImage.TYPE_INT_RGB);
        Path file = dir.resolve("slice.png");
        ImageIO.write(big, "png", file.toFile());
        Table t = Table.create("samples",
                StringColumn.create("image", org.medvlm.imaging.Thumbnails.dataUri(new BufferedImage(4, 4, 1)), file.toString()),
                StringColumn.create("question", "<b>size?</b>", "organ?"),
                IntColumn.create("n", 1, 2));
        DisplayData d = renderer.render(t);
        String html = (String) d.getData(MIMEType.TEXT_HTML);
        assertEquals(2, html.split("<img ", -1).length - 1, html);
        assertTrue(html.contains("&lt;b&gt;size?&lt;/b&gt;"), "cell text is escaped");
        assertTrue(html.contains("<th>question</th>"));
        assertTrue(((String) d.getData(MIMEType.TEXT_PLAIN)).contains("organ?"));
        // the file thumbnail is scaled to at most 96 px
        String uri = html.substring(html.lastIndexOf("data:image/png;base64,") + 22);
        uri = uri.substring(0, uri.indexOf('"'));
        BufferedImage thumb = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(uri)));
        assertEquals(96, thumb.getWidth());
        assertEquals(48, thumb.getHeight());
        assertTrue(Files.size(file) > 0);
    }

    @Test
    void longTablesAreCut() {
        Table t = Table.create("many", IntColumn.create("i", java.util.stream.IntStream.range(0, 120).toArray()));
        String html = (String) renderer.render(t).getData(MIMEType.TEXT_HTML);
        assertEquals(TableHtml.MAX_ROWS, html.split("<tr>", -1).length - 2);
        assertTrue(html.contains("70 more rows (120 in all)"));
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
