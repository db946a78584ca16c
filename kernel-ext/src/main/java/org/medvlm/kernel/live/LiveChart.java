package org.medvlm.kernel.live;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
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
    private final String title;
    private final String firstSeries;
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();
    private final LiveDisplay display;

    private LiveChart(String title, String firstSeries) {
        this.title = title;
        this.firstSeries = firstSeries;
        series.put(firstSeries, new ArrayList<>());
        this.display = LiveDisplay.show(title + ": waiting for the first point");
    }

    /** A live line chart titled {@code name}, with one series of the same name. */
    public static LiveChart line(String name) {
        return new LiveChart(name, name);
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
        XYChart chart = new XYChartBuilder().width(640).height(320).title(title).xAxisTitle("step").build();
        chart.getStyler().setLegendVisible(series.size() > 1);
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            List<double[]> points = e.getValue();
            if (points.isEmpty()) {
                continue;
            }
            double[] xs = new double[points.size()];
            double[] ys = new double[points.size()];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = points.get(i)[0];
                ys[i] = points.get(i)[1];
            }
            chart.addSeries(e.getKey(), xs, ys).setMarker(SeriesMarkers.NONE);
        }
        return chart;
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
