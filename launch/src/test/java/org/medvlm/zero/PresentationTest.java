package org.medvlm.zero;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import tech.tablesaw.api.Table;

/** The table, chart and text a notebook shows for a plan. */
class PresentationTest {

    private static ZeroPlan bloomPlan() {
        ModelSize m = BloomSize.bloomz7b1();
        Workload w = new Workload(1, 2048, 1, true, Attention.EAGER, m.shape().orElseThrow());
        return ZeroPlanner.plan(PlanRequest.of(m, 8).withWorkload(w).withGpu(Gpu.A100_40GB));
    }

    @Test
    void tableHasOneRowPerStageWithUnitsInColumnNames() {
        Table t = bloomPlan().table();
        assertEquals(4, t.rowCount());
        assertTrue(t.columnNames().containsAll(java.util.List.of("stage", "weights GB", "gradients GB", "optimizer GB",
                "model states GB", "model states GiB", "activations GB", "peak GB", "peak GiB", "fits A100-40GB")), t.columnNames().toString());
        assertEquals(3, t.intColumn("stage").get(3));
        // 7,069,016,064 × 16 bytes = 113.1 GB at stage 0
        assertEquals(113.104, t.doubleColumn("model states GB").get(0), 0.001);
        Table bare = ZeroPlanner.plan(PlanRequest.of(ModelSize.ofParams(1_000_000), 2)).table();
        assertTrue(!bare.columnNames().contains("peak GB") && !bare.columnNames().contains("fits A100-40GB"));
    }

    @Test
    void toStringIsShortAndSaysTheUnits() {
        String s = bloomPlan().toString();
        long lines = s.lines().count();
        assertTrue(lines <= 6, s);
        assertTrue(s.contains("GiB") && s.contains("stage 3") && s.contains("bloomz-7b1"), s);
        assertTrue(s.length() < 2000, s);
    }

    @Test
    void chartStacksFourSeriesThatAddUpToThePeak() {
        ZeroPlan plan = bloomPlan();
        CategoryChart chart = ZeroChart.of(plan);
        assertEquals(4, chart.getSeriesMap().size());
        for (int i = 0; i < 4; i++) {
            double sum = 0;
            for (var series : chart.getSeriesMap().values()) {
                sum += ((Number) series.getYData().stream().toList().get(i)).doubleValue();
            }
            assertEquals(Units.gib(plan.stages().get(i).peakBytes()), sum, 1e-9);
        }
    }

    @Test
    void pngIsAValidImage(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("plan.png");
        ZeroChart.writePng(ZeroChart.of(bloomPlan()), png);
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(bytes, 8));
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image);
        assertEquals(800, image.getWidth());
        assertEquals(500, image.getHeight());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }
}
