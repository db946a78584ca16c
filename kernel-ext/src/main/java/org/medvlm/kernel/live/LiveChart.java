package org.medvlm.kernel.live;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A line chart that redraws in place as points arrive, e.g. a loss curve:
 * <pre>{@code
 * var chart = LiveChart.line("loss");
 * for (int step = 0; step < steps; step++) chart.add(step, loss);
 * }</pre>
 * Each {@link #add} is cheap; the chart is redrawn at most every 250 ms (see {@link LiveDisplay}).
 */
public final class LiveChart {
    /** A series with at most this many points shows them as markers (one evaluation is a single point). */
    static final int MARKERS_UP_TO = 40;
    /** XChart's default series colours, fixed per series so a series that appears later does not recolour others. */
    private static final Color[] PALETTE = {new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115),
        new Color(204, 121, 167), new Color(230, 159, 0), new Color(86, 180, 233), new Color(0, 0, 0)};

    private final String title;
    private final String firstSeries;
    private final String yAxisTitle;
    private final double[] yRange;
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();
    private final LiveDisplay display;

    private LiveChart(String title, String yAxisTitle, double[] yRange, List<String> names) {
        this.title = title;
        this.firstSeries = names.get(0);
        this.yAxisTitle = yAxisTitle;
        this.yRange = yRange;
        for (String n : names) {
            series.put(n, new ArrayList<>());
        }
        this.display = LiveDisplay.show(title + ": waiting for the first point");
    }

    /** A live line chart titled {@code name}, with one series of the same name. */
    public static LiveChart line(String name) {
        return new LiveChart(name, null, null, List.of(name));
    }

    /**
     * A live chart with named series in a fixed order (their colours and legend order), a y axis title and,
     * when {@code yMin < yMax}, a fixed y range (scores between 0 and 1).
     */
    public static LiveChart of(String title, String yAxisTitle, double yMin, double yMax, String... seriesNames) {
        if (seriesNames.length == 0) {
            throw new IllegalArgumentException("a chart needs at least one series");
        }
        return new LiveChart(title, yAxisTitle, yMin < yMax ? new double[] {yMin, yMax} : null, List.of(seriesNames));
    }

    /** Adds a point to the chart's first series. */
    public LiveChart add(double x, double y) {
        return add(firstSeries, x, y);
    }

    /** Adds a point to a named series (created on first use). */
    public LiveChart add(String seriesName, double x, double y) {
        synchronized (this) {
            series.computeIfAbsent(seriesName, k -> new ArrayList<>()).add(new double[] {x, y});
        }
        // outside this chart's lock: the display may draw the chart, and the kernel flushes displays at cell end
        display.update(this::chart);
        return this;
    }

    /** The chart as it is now. */
    public synchronized XYChart chart() {
        XYChartBuilder builder = new XYChartBuilder().width(640).height(320).title(title).xAxisTitle("step");
        if (yAxisTitle != null) {
            builder.yAxisTitle(yAxisTitle);
        }
        XYChart chart = builder.build();
        chart.getStyler().setLegendVisible(series.size() > 1);
        if (yRange != null) {
            chart.getStyler().setYAxisMin(yRange[0]).setYAxisMax(yRange[1]);
        }
        int index = 0;
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            List<double[]> points = e.getValue();
            Color color = PALETTE[index++ % PALETTE.length];
            if (points.isEmpty()) {
                continue;
            }
            double[] xs = new double[points.size()];
            double[] ys = new double[points.size()];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = points.get(i)[0];
                ys[i] = points.get(i)[1];
            }
            XYSeries s = chart.addSeries(e.getKey(), xs, ys);
            s.setLineColor(color);
            s.setMarkerColor(color);
            s.setMarker(points.size() <= MARKERS_UP_TO ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        return chart;
    }

    /** How many points the named series has (0 for an unknown name). */
    public synchronized int size(String seriesName) {
        List<double[]> points = series.get(seriesName);
        return points == null ? 0 : points.size();
    }

    /** Sends the latest state now. */
    public void flush() {
        display.flush();
    }

    /** The underlying display (its id and update count). */
    public LiveDisplay display() {
        return display;
    }
}
