package org.medvlm.zero;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import org.medvlm.io.AtomicFiles;

/**
 * A stacked bar chart of a plan: per stage, weights, gradients, optimizer states and activations
 * (everything else the peak holds) in GiB, with the named GPU's capacity as a horizontal line.
 * With a workload, each bar is what is allocated at that stage's peak moment, so it adds up to the
 * peak: gradients are absent where the peak is the start of backward and they were freed, and
 * activations are absent where the peak is the optimizer step. Without one, bars are the model states.
 */
public final class ZeroChart {
    private ZeroChart() {}

    public static CategoryChart of(ZeroPlan plan) {
        CategoryChart chart = new CategoryChartBuilder().width(800).height(500)
                .title(shorten(plan.title()))
                .xAxisTitle("ZeRO stage").yAxisTitle("GiB per GPU (2^30 bytes)").build();
        chart.getStyler().setStacked(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setOverlapped(false);

        List<String> stages = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        List<Double> gradients = new ArrayList<>();
        List<Double> optimizer = new ArrayList<>();
        List<Double> activations = new ArrayList<>();
        double top = 0;
        for (StagePlan s : plan.stages()) {
            stages.add(s.stage().number() + " " + s.stage().paperName());
            weights.add(Units.gib(s.weightsBytes()));
            optimizer.add(Units.gib(s.optimizerBytes()));
            if (plan.hasWorkload()) {
                long rest = s.peakBytes() - s.weightsBytes() - s.optimizerBytes();
                long grads = s.gradientsAtPeakBytes();
                gradients.add(Units.gib(grads));
                activations.add(Units.gib(rest - grads));
                top = Math.max(top, Units.gib(s.peakBytes()));
            } else {
                gradients.add(Units.gib(s.gradientsBytes()));
                activations.add(0.0);
                top = Math.max(top, Units.gib(s.modelStatesBytes()));
            }
        }
        chart.addSeries("weights", stages, weights);
        chart.addSeries("gradients", stages, gradients);
        chart.addSeries("optimizer states", stages, optimizer);
        chart.addSeries(plan.hasWorkload() ? "activations, logits, other" : "activations (no batch given)", stages, activations);
        plan.request().gpu().ifPresent(g -> {
            double cap = Units.gib(g.capacityBytes());
            chart.addAnnotation(new AnnotationLine(cap, false, false));
            chart.addAnnotation(new AnnotationText(g.name() + " " + String.format(java.util.Locale.ROOT, "%.1f GiB", cap),
                    0.5, cap, false));
        });
        double ceiling = Math.max(top, plan.request().gpu().map(g -> Units.gib(g.capacityBytes())).orElse(0.0));
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(ceiling * 1.1);
        return chart;
    }

    /** Writes the chart as a PNG, atomically. */
    public static void writePng(CategoryChart chart, Path file) throws IOException {
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(file, out -> out.write(png));
    }

    private static String shorten(String title) {
        return title.length() <= 90 ? title : title.substring(0, 87) + "...";
    }
}
