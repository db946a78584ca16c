package org.medvlm.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomLm;
import org.medvlm.bloom.TinyBloom;

class GeneratorTest {
    private static NDManager manager;
    private static BloomLm lm;
    private static final long[][] PROMPT = {{5, 17, 42, 8, 63}};

    @BeforeAll
    static void model() {
        manager = NDManager.newBaseManager();
        lm = BloomLm.of(TinyBloom.model(manager, 21));
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** Greedy written the slow way: full recomputation of the growing sequence, argmax of the last position. */
    private static long[] naiveGreedy(Bloom model, long[] prompt, int n) {
        long[] seq = prompt.clone();
        for (int i = 0; i < n; i++) {
            try (NDManager m = manager.newSubManager()) {
                NDArray ids = m.create(new long[][] {seq});
                NDArray logits = model.logits(ids, ids.onesLike());
                long next = logits.get(new ai.djl.ndarray.index.NDIndex("0, -1, :")).argMax().getLong();
                seq = Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = next;
            }
        }
        return Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    @Test
    void greedyEqualsFullRecomputation() {
        long[] got = Generator.generate(lm, manager, PROMPT, GenerationConfig.greedy(10)).get(0);
        assertArrayEquals(naiveGreedy(lm.model(), PROMPT[0], 10), got);
    }

    @Test
    void beamSearchWithOneBeamIsGreedy() {
        long[][] mask = {{1, 1, 1, 1, 1}};
        long[] beam = Generator.beamSearch(lm, manager, PROMPT, mask, GenerationConfig.beam(10, 1)).get(0);
        assertArrayEquals(Generator.generate(lm, manager, PROMPT, GenerationConfig.greedy(10)).get(0), beam);
    }

    @Test
    void beamSearchFindsTheBestTwoTokenSequence() {
        // with 2 new tokens and as many beams as the vocabulary, beam search is exhaustive: compare with brute force
        Bloom model = lm.model();
        int vocab = model.config().vocabSize();
        double best = Double.NEGATIVE_INFINITY;
        long[] bestSeq = null;
        double[] first = logSoftmaxLast(model, PROMPT[0]);
        for (int a = 0; a < vocab; a++) {
            double[] second = logSoftmaxLast(model, new long[] {5, 17, 42, 8, 63, a});
            for (int b = 0; b < vocab; b++) {
                if (first[a] + second[b] > best) {
                    best = first[a] + second[b];
                    bestSeq = new long[] {a, b};
                }
            }
        }
        long[] beam = Generator.generate(lm, manager, PROMPT, GenerationConfig.beam(2, vocab)).get(0);
        assertArrayEquals(bestSeq, beam);
    }

    private static double[] logSoftmaxLast(Bloom model, long[] seq) {
        try (NDManager m = manager.newSubManager()) {
            NDArray ids = m.create(new long[][] {seq});
            float[] l = model.logits(ids, ids.onesLike()).get(new ai.djl.ndarray.index.NDIndex("0, -1, :")).toFloatArray();
            return Sampling.logSoftmax(l);
        }
    }

    @Test
    void seededSamplingIsReproducible() {
        GenerationConfig s = GenerationConfig.sample(12, 1.5, 0, 1.0, 42);
        long[] a = Generator.generate(lm, manager, PROMPT, s).get(0);
        long[] b = Generator.generate(lm, manager, PROMPT, s).get(0);
        long[] c = Generator.generate(lm, manager, PROMPT, s.withSeed(43)).get(0);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c), "another seed gives another sample");
        long[] topK1 = Generator.generate(lm, manager, PROMPT, GenerationConfig.sample(12, 0.7, 1, 1.0, 7)).get(0);
        assertArrayEquals(Generator.generate(lm, manager, PROMPT, GenerationConfig.greedy(12)).get(0), topK1, "top-k 1 is greedy");
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        float[] logits = new float[4];
        double[] p = {0.5, 0.3, 0.15, 0.05};
        for (int i = 0; i < 4; i++) {
            logits[i] = (float) Math.log(p[i]);
        }
        SplittableRandom rng = new SplittableRandom(1);
        Set<Long> seen = new HashSet<>();
        GenerationConfig c = GenerationConfig.sample(1, 1.0, 0, 0.7, 0);
        for (int i = 0; i < 2000; i++) {
            seen.add(Sampling.sample(logits, c, rng));
        }
        assertEquals(Set.of(0L, 1L), seen, "0.5 + 0.3 reaches 0.7; 0.15 and 0.05 are cut");
        Set<Long> k3 = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            k3.add(Sampling.sample(logits, GenerationConfig.sample(1, 1.0, 3, 1.0, 0), rng));
        }
        assertEquals(Set.of(0L, 1L, 2L), k3);
    }

    @Test
    void stopTokenEndsTheRow() {
        long[] free = Generator.generate(lm, manager, PROMPT, GenerationConfig.greedy(10)).get(0);
        long stop = free[3];
        int firstStop = 0;
        while (free[firstStop] != stop) {
            firstStop++;
        }
        long[] stopped = Generator.generate(lm, manager, PROMPT, GenerationConfig.greedy(10).withStopTokens(List.of(stop))).get(0);
        assertArrayEquals(Arrays.copyOf(free, firstStop + 1), stopped);
        long[] beam = Generator.generate(lm, manager, PROMPT, GenerationConfig.beam(10, 3).withStopTokens(List.of(stop))).get(0);
        assertTrue(beam.length <= 10);
        for (int i = 0; i < beam.length - 1; i++) {
            assertNotEquals(stop, beam[i], "nothing after a stop token");
        }
    }

    @Test
    void batchedLeftPaddedPromptsMatchSinglePrompts() {
        long[][] prompts = {{5, 17, 42, 8, 63}, {9, 1}, {33, 34, 35}};
        GenerationConfig g = GenerationConfig.greedy(6).withPadTokenId(3);
        List<long[]> batched = Generator.generate(lm, manager, prompts, g);
        for (int r = 0; r < prompts.length; r++) {
            assertArrayEquals(Generator.generate(lm, manager, new long[][] {prompts[r]}, g).get(0), batched.get(r), "row " + r);
        }
        List<long[]> beams = Generator.generate(lm, manager, prompts, GenerationConfig.beam(4, 2).withPadTokenId(3));
        for (int r = 0; r < prompts.length; r++) {
            assertArrayEquals(Generator.generate(lm, manager, new long[][] {prompts[r]}, GenerationConfig.beam(4, 2)).get(0),
                    beams.get(r), "beam row " + r);
        }
    }

    @Test
    void maxNewTokensBoundsTheOutput() {
        assertEquals(3, Generator.generate(lm, manager, PROMPT, GenerationConfig.greedy(3)).get(0).length);
        assertEquals(0, Generator.generate(lm, manager, PROMPT, GenerationConfig.greedy(0)).get(0).length);
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.sample(3, 0, 0, 1, 1));
    }
}
