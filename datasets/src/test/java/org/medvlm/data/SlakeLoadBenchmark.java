package org.medvlm.data;

import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.medvlm.testing.Shared;

/**
 * How long loading SLAKE's train.json (9,835 questions, 2.96 MB) takes, against the floor a user would
 * compare with: parsing the same file into a Gson tree and nothing else. Prints; asserts no time.
 */
@Tag("benchmark")
class SlakeLoadBenchmark {
    @Test
    void slakeTrainJson() throws Exception {
        Path train = Shared.path("external/medvqa/slake/xiaoman-zhang__PMC-VQA/Slake1.0/train.json");
        for (int i = 0; i < 5; i++) { // warm-up: class loading and JIT
            VqaDataset.read().slake(train);
            JsonParser.parseString(Files.readString(train));
        }
        int runs = 10;
        // CPU time of this thread as well as wall time: on a shared, loaded machine wall time mostly measures the queue
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0cpu = cpu.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        int n = 0;
        for (int i = 0; i < runs; i++) {
            n = VqaDataset.read().slake(train).size();
        }
        double loadMs = (System.nanoTime() - t0) / 1e6 / runs;
        double loadCpuMs = (cpu.getCurrentThreadCpuTime() - c0cpu) / 1e6 / runs;
        long c1cpu = cpu.getCurrentThreadCpuTime();
        long t1 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            JsonParser.parseString(Files.readString(train));
        }
        double parseMs = (System.nanoTime() - t1) / 1e6 / runs;
        double parseCpuMs = (cpu.getCurrentThreadCpuTime() - c1cpu) / 1e6 / runs;
        System.out.printf("SLAKE train.json CPU time: load %.1f ms, gson tree parse only %.1f ms, ratio %.2f; "
                + "system load average %.1f on %d cores%n", loadCpuMs, parseCpuMs, loadCpuMs / parseCpuMs,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        long c0 = System.nanoTime();
        VqaDataset.read().slake(train); // what a fresh notebook cell pays after the first load
        double once = (System.nanoTime() - c0) / 1e6;
        System.out.printf("SLAKE train.json: %d questions, load %.1f ms (warm mean of %d), gson tree parse only %.1f ms,"
                + " ratio %.2f; one more load %.1f ms%n", n, loadMs, runs, parseMs, loadMs / parseMs, once);
    }

    @Test
    void slakeTrainJsonCold() {
        Path train = Shared.path("external/medvqa/slake/xiaoman-zhang__PMC-VQA/Slake1.0/train.json");
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = cpu.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        int n = VqaDataset.read().slake(train).size();
        System.out.printf("SLAKE train.json cold (first load in this JVM, class loading included): %d questions in %.1f ms"
                + " wall, %.1f ms CPU%n", n, (System.nanoTime() - t0) / 1e6, (cpu.getCurrentThreadCpuTime() - c0) / 1e6);
    }
}
