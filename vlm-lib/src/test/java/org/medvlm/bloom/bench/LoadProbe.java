package org.medvlm.bloom.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.checkpoint.StateDict;

/**
 * Child process of the benchmark: starts the engine, records RSS, loads the checkpoint with the project's reader, runs one 8-token
 * forward (which touches every weight page), and prints {@code baseline_rss peak_rss} in bytes.
 */
public final class LoadProbe {
    private LoadProbe() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        try (NDManager m = NDManager.newBaseManager(); StateDict weights = StateDict.open(Path.of(args[0]))) {
            m.zeros(new ai.djl.ndarray.types.Shape(1)).add(1).close(); // engine + natives loaded before the baseline
            long base = status("VmRSS:");
            Bloom model = Bloom.load(BloomConfig.bloomz560m(), weights, m, ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray ids = m.create(new long[][] {{1, 2, 3, 4, 5, 6, 7, 8}});
            model.logits(ids, ids.onesLike()).close();
            System.out.println(base + " " + status("VmHWM:"));
        }
    }

    static long status(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException(field + " not in /proc/self/status");
    }
}
