package org.medvlm.kernel.render;

import io.github.spencerpark.jupyter.kernel.display.RenderContext;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.medvlm.data.CaptionDataset;
import org.medvlm.data.VqaDataset;
import org.medvlm.imaging.Thumbnails;
import org.medvlm.vlm.AttentionMap;
import tech.tablesaw.api.Table;

/**
 * How the toolkit's values look in a notebook, registered once when the kernel starts. The toolkit's
 * libraries never import the kernel; the kernel knows their types. BufferedImages are already PNG
 * through the base library's renderer; their text form is {@code [image WxH]}.
 * <ul>
 *   <li>XChart charts: {@code image/png} (and {@code image/svg+xml} when asked for).</li>
 *   <li>Tablesaw tables: {@code text/html} with image thumbnails, plus a text/plain fallback.</li>
 *   <li>Records with a public {@code table()} returning a Table (plans, summaries, answer tables): the
 *       table as HTML, followed by the record's {@code chart()} as an inline PNG when it has one.</li>
 * </ul>
 */
public final class Renderers {
    private static final MIMEType SVG = MIMEType.IMAGE_SVG;

    private Renderers() {}

    public static void register(Renderer renderer) {
        // the base library's PNG (this registration replaces its own), and a text form for exports and consoles that
        // says what it is instead of BufferedImage@1a2b
        renderer.createRegistration(BufferedImage.class)
                .preferring(MIMEType.IMAGE_PNG, MIMEType.TEXT_PLAIN)
                .register((image, context) -> {
                    io.github.spencerpark.jupyter.kernel.display.common.Image.renderImage(image, context);
                    context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> TextForms.value(image));
                });
        renderer.createRegistration(Chart.class)
                .preferring(MIMEType.IMAGE_PNG)
                .supporting(SVG)
                .register(Renderers::chart);
        renderer.createRegistration(Table.class)
                .preferring(MIMEType.TEXT_HTML)
                .register((table, context) -> {
                    context.renderIfRequested(MIMEType.TEXT_HTML, () -> TableHtml.of(table));
                    context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> TableText.of(table));
                });
        renderer.createRegistration(VqaDataset.class)
                .preferring(MIMEType.TEXT_HTML)
                .register((ds, context) -> dataset(context, ds.name(), ds.size(), "questions", ds.splits(), ds.first(PREVIEW_ROWS)));
        renderer.createRegistration(CaptionDataset.class)
                .preferring(MIMEType.TEXT_HTML)
                .register((ds, context) -> dataset(context, ds.name(), ds.size(), "image-caption pairs", ds.splits(),
                        ds.first(PREVIEW_ROWS)));
        renderer.createRegistration(Record.class)
                .preferring(MIMEType.TEXT_HTML)
                .register(Renderers::record);
        renderer.createRegistration(AttentionMap.class)
                .preferring(MIMEType.TEXT_HTML)
                .register((map, context) -> context.renderIfRequested(MIMEType.TEXT_HTML, () -> attention(map)));
    }

    /** Rows a dataset shows of itself; {@code %medvqa show NAME --n N} shows more, with thumbnails. */
    static final int PREVIEW_ROWS = 5;

    /**
     * A dataset: its first rows as an HTML table under a one-line caption, and that line as its text (the counts by
     * field are {@code ds.summary()}; {@code %medvqa load} prints them).
     */
    private static void dataset(RenderContext context, String name, int size, String what, java.util.Map<String, Integer> splits,
            Table first) {
        StringBuilder line = new StringBuilder(name).append(": ").append(size).append(' ').append(what);
        if (!splits.isEmpty()) {
            StringBuilder s = new StringBuilder();
            splits.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
            line.append(" (").append(s).append(')');
        }
        context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> line + "\n" + TableText.of(first));
        context.renderIfRequested(MIMEType.TEXT_HTML, () -> {
            Table shown = first.copy();
            shown.setName("the first " + first.rowCount() + " of " + size + " " + what);
            return TableHtml.of(shown);
        });
    }

    /** Shown size of the image and of its attention overlay. */
    static final int EXPLAIN_SIZE = 256;

    /**
     * {@code %vlm explain}: the image and the heat map over the part of it the model saw, side by side at a size
     * where the patches show, with the question, the answer and where the peak is.
     */
    static String attention(AttentionMap map) {
        double[] peak = map.peak();
        String style = "style=\"max-width:" + EXPLAIN_SIZE + "px;max-height:" + EXPLAIN_SIZE + "px\"";
        return "<div class=\"medvlm-explain\" style=\"display:flex;gap:16px;align-items:flex-start\">"
                + "<figure style=\"margin:0\"><img src=\"" + Thumbnails.dataUri(map.image(), EXPLAIN_SIZE) + "\" " + style + "/>"
                + "<figcaption>the image (" + map.image().getWidth() + "x" + map.image().getHeight() + ")</figcaption></figure>"
                + "<figure style=\"margin:0\"><img src=\"" + Thumbnails.dataUri(map.overlay(), EXPLAIN_SIZE) + "\" " + style + "/>"
                + "<figcaption>where the answer looked (red: most, blue: least; " + map.grid() + "x" + map.grid()
                + " patches)</figcaption></figure>"
                + "<div><p><b>question</b> " + TableHtml.escape(map.question()) + "</p><p><b>answer</b> "
                + TableHtml.escape(map.answer()) + "</p><p>attention peak at x=" + Math.round(peak[0]) + ", y="
                + Math.round(peak[1]) + "</p></div></div>";
    }

    private static void chart(Chart<?, ?> chart, RenderContext context) {
        context.renderIfRequested(MIMEType.IMAGE_PNG, () -> Base64.getEncoder().encodeToString(png(chart)));
        context.renderIfRequested(SVG, () -> svg(chart));
        context.renderIfRequested(MIMEType.TEXT_PLAIN, () -> chartText(chart));
    }

    /** "[chart: loss; train loss, held-out loss]": what a text front end shows instead of XChart's object name. */
    static String chartText(Chart<?, ?> chart) {
        String title = chart.getTitle() == null || chart.getTitle().isBlank() ? "" : " " + chart.getTitle();
        String series = String.join(", ", chart.getSeriesMap().keySet());
        return "[chart" + (title.isEmpty() ? "" : ":" + title) + (series.isEmpty() ? "" : "; " + series) + "]";
    }

    /** The chart as PNG bytes. */
    public static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String svg(Chart<?, ?> chart) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void record(Record value, RenderContext context) {
        Object table = call(value, "table");
        if (!(table instanceof Table t)) {
            return; // a plain record: its toString() is the text/plain form
        }
        context.renderIfRequested(MIMEType.TEXT_HTML, () -> {
            StringBuilder html = new StringBuilder(TableHtml.of(t));
            if (call(value, "chart") instanceof Chart<?, ?> chart) {
                html.append("<img src=\"data:image/png;base64,")
                        .append(Base64.getEncoder().encodeToString(png(chart))).append("\"/>");
            }
            return html.toString();
        });
    }

    /**
     * What a magic's result is shown as: a record with both a {@code table()} and a {@code chart()} (a ZeRO
     * plan) becomes two outputs, the table as HTML and the chart as its own image/png, so front ends that pick
     * one MIME type per output show both; anything else is shown as itself.
     */
    public static List<Object> parts(Object value) {
        if (value instanceof Record r && call(r, "table") instanceof Table t && call(r, "chart") instanceof Chart<?, ?> c) {
            return List.of(t, c);
        }
        return List.of(value);
    }

    /** Calls a public no-argument method if the record has one; null otherwise. */
    private static Object call(Object value, String name) {
        try {
            Method m = value.getClass().getMethod(name);
            // records declared in a cell are not public classes; their public methods are still meant to be called
            if (!m.trySetAccessible()) {
                return null;
            }
            return m.invoke(value);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalStateException(value.getClass().getSimpleName() + "." + name + "() failed: " + e.getCause(), e.getCause());
        }
    }
}
