package org.medvlm.vlm;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints what the built-in model costs on this machine: building it, one answer, and a batch of 8 against
 * the 8 single calls a user would otherwise make (the alternative a notebook loop picks). Run with
 * {@code mvn -Pbench -pl vlm-lib -am test -Dtest=VlmBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class VlmBenchmark {
    private static final int MAX_NEW = 8;

    @Test
    void builtinModelLatencyAndBatching() {
        for (Fusion fusion : Fusion.values()) {
            long t0 = System.nanoTime();
            try (VisionLanguageModel vlm = VisionLanguageModel.builtin(fusion)) {
                double buildMs = (System.nanoTime() - t0) / 1e6;
                List<BufferedImage> images = new ArrayList<>();
                List<String> questions = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    images.add(VisionLanguageModelTest.scan(i, 256, 256));
                    questions.add(i % 2 == 0 ? "Is there a lesion in this image?" : "Which organ contains the lesion?");
                }
                vlm.ask(images, questions, MAX_NEW); // warm-up
                double[] single = new double[5];
                double[] singles8 = new double[5];
                double[] batch8 = new double[5];
                for (int r = 0; r < 5; r++) {
                    long s = System.nanoTime();
                    vlm.ask(images.get(0), questions.get(0), MAX_NEW);
                    single[r] = (System.nanoTime() - s) / 1e6;
                    s = System.nanoTime();
                    for (int i = 0; i < 8; i++) {
                        vlm.ask(images.get(i), questions.get(i), MAX_NEW);
                    }
                    singles8[r] = (System.nanoTime() - s) / 1e6;
                    s = System.nanoTime();
                    vlm.ask(images, questions, MAX_NEW);
                    batch8[r] = (System.nanoTime() - s) / 1e6;
                }
                System.out.printf(Locale.ROOT, "VLM built-in (%s, %d parameters): build %.0f ms; one answer (%d new tokens max) "
                        + "median %.1f ms; 8 answers: 8 single calls %.1f ms vs one batch %.1f ms (batch %.2fx faster, %.1f images/s)%n",
                        fusion.key(), vlm.summary().parameters(), buildMs, MAX_NEW, median(single), median(singles8),
                        median(batch8), median(singles8) / median(batch8), 8000 / median(batch8));
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
