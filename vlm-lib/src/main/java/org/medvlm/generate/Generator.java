package org.medvlm.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Autoregressive decoding as a plain loop, one comment per step (nanoGPT's {@code generate}). Token choice happens
 * in Java on the last position's logits, which keeps sampling reproducible from a seed on any device.
 */
public final class Generator {
    private Generator() {}

    /** Left-pads prompts of different lengths with {@code config.padTokenId()} and generates. */
    public static List<long[]> generate(CausalLm lm, NDManager manager, long[][] prompts, GenerationConfig config) {
        int width = Arrays.stream(prompts).mapToInt(p -> p.length).max().orElseThrow(
                () -> new IllegalArgumentException("no prompts"));
        long[][] ids = new long[prompts.length][width];
        long[][] mask = new long[prompts.length][width];
        for (int r = 0; r < prompts.length; r++) {
            if (prompts[r].length == 0) {
                throw new IllegalArgumentException("prompt " + r + " is empty");
            }
            int pad = width - prompts[r].length;
            Arrays.fill(ids[r], 0, pad, config.padTokenId());
            System.arraycopy(prompts[r], 0, ids[r], pad, prompts[r].length);
            Arrays.fill(mask[r], pad, width, 1L);
        }
        return generate(lm, manager, ids, mask, config);
    }

    /**
     * Generates from already left-padded prompts {@code ids [B, T]} with {@code mask [B, T]} (0 = padding) and returns
     * each row's new tokens, ending with its stop token when it produced one.
     */
    public static List<long[]> generate(CausalLm lm, NDManager manager, long[][] ids, long[][] mask, GenerationConfig config) {
        return config.numBeams() > 1 ? beamSearch(lm, manager, ids, mask, config) : decode(lm, manager, ids, mask, config);
    }

    /** Greedy or sampling. */
    static List<long[]> decode(CausalLm lm, NDManager manager, long[][] ids, long[][] mask, GenerationConfig config) {
        int batch = ids.length;
        SplittableRandom rng = new SplittableRandom(config.seed());
        List<List<Long>> out = new ArrayList<>();
        for (int r = 0; r < batch; r++) {
            out.add(new ArrayList<>());
        }
        boolean[] done = new boolean[batch];
        try (CausalLm.State state = lm.start(manager, batch, ids[0].length + config.maxNewTokens())) {
            long[][] feed = ids; // the whole prompt first, then one token per row
            long[][] seen = mask;
            for (int step = 0; step < config.maxNewTokens(); step++) {
                // 1. run the model on the new tokens; every temporary dies with this sub-manager
                float[][] logits = lastLogits(lm, state, manager, feed, seen);
                // 2. choose each unfinished row's next token; finished rows are fed padding
                long[] next = new long[batch];
                for (int r = 0; r < batch; r++) {
                    next[r] = done[r] ? config.padTokenId()
                            : config.doSample() ? Sampling.sample(logits[r], config, rng) : Sampling.argmax(logits[r]);
                    if (!done[r]) {
                        out.get(r).add(next[r]);
                        done[r] = config.isStop(next[r]);
                    }
                }
                // 3. stop when every row has ended, else feed the new column and extend the mask
                if (allTrue(done)) {
                    break;
                }
                feed = column(next);
                seen = appendOnes(seen);
            }
        }
        return out.stream().map(l -> l.stream().mapToLong(Long::longValue).toArray()).toList();
    }

    /**
     * Beam search as Hugging Face does it: each step keeps, per prompt, the numBeams best continuations among the top
     * 2·numBeams candidates; a candidate ending in a stop token (ranked within the first numBeams) becomes a finished
     * hypothesis scored sum(log p) / length^lengthPenalty. A prompt is done when numBeams hypotheses exist and (without
     * early stopping) the best running beam can no longer beat the worst of them; at the token budget the running
     * beams are added as hypotheses. Returns the best hypothesis per prompt.
     */
    static List<long[]> beamSearch(CausalLm lm, NDManager manager, long[][] ids, long[][] mask, GenerationConfig config) {
        int batch = ids.length;
        int k = config.numBeams();
        long[][] rowsIds = new long[batch * k][];
        long[][] rowsMask = new long[batch * k][];
        for (int i = 0; i < batch * k; i++) { // each prompt repeated numBeams times, beams of one prompt adjacent
            rowsIds[i] = ids[i / k];
            rowsMask[i] = mask[i / k];
        }
        double[] beamScore = new double[batch * k];
        for (int i = 0; i < beamScore.length; i++) {
            beamScore[i] = i % k == 0 ? 0 : -1e9; // identical beams at first: only beam 0 may expand
        }
        long[][] beamTokens = new long[batch * k][0];
        List<List<Hypothesis>> finished = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            finished.add(new ArrayList<>());
        }
        boolean[] done = new boolean[batch];
        try (CausalLm.State state = lm.start(manager, batch * k, ids[0].length + config.maxNewTokens())) {
            long[][] feed = rowsIds;
            long[][] seen = rowsMask;
            for (int step = 0; step < config.maxNewTokens(); step++) {
                float[][] logits = lastLogits(lm, state, manager, feed, seen);
                int generated = step + 1;
                long[] parent = new long[batch * k];
                long[] next = new long[batch * k];
                double[] score = new double[batch * k];
                long[][] tokens = new long[batch * k][];
                for (int b = 0; b < batch; b++) {
                    if (done[b]) { // keep the rows alive with padding; their result is fixed
                        for (int j = 0; j < k; j++) {
                            int row = b * k + j;
                            parent[row] = row;
                            next[row] = config.padTokenId();
                            score[row] = beamScore[row];
                            tokens[row] = beamTokens[row];
                        }
                        continue;
                    }
                    // 1. the best (beam, token) pairs by total log-probability: 2k, widened like HF when several
                    //    stop tokens could crowd out the k continuations
                    int wanted = (1 + Math.max(1, config.stopTokens().size())) * k;
                    List<Candidate> candidates = topCandidates(logits, beamScore, b, k, wanted);
                    // 2. walk them best first: stop tokens finish a hypothesis, others fill the k new beams
                    int filled = 0;
                    for (int rank = 0; rank < candidates.size() && filled < k; rank++) {
                        Candidate c = candidates.get(rank);
                        long[] seq = append(beamTokens[c.row], c.token);
                        if (config.isStop(c.token)) {
                            if (rank < k) {
                                addHypothesis(finished.get(b), new Hypothesis(seq, c.score / Math.pow(generated, config.lengthPenalty())), k);
                            }
                            continue;
                        }
                        int row = b * k + filled++;
                        parent[row] = c.row;
                        next[row] = c.token;
                        score[row] = c.score;
                        tokens[row] = seq;
                    }
                    // 3. done when no running beam can beat the finished ones any more
                    done[b] = isDone(finished.get(b), score[b * k], generated, config);
                }
                beamScore = score;
                beamTokens = tokens;
                if (allTrue(done)) {
                    break;
                }
                // 4. the surviving beams take their parents' caches, then feed their new tokens
                state.reorder(parent);
                feed = column(next);
                seen = appendOnes(reorderRows(seen, parent));
            }
        }
        List<long[]> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            List<Hypothesis> hyps = finished.get(b);
            if (!done[b]) { // budget reached: running beams compete with the finished hypotheses
                for (int j = 0; j < k; j++) {
                    int row = b * k + j;
                    addHypothesis(hyps, new Hypothesis(beamTokens[row],
                            beamScore[row] / Math.pow(beamTokens[row].length, config.lengthPenalty())), k);
                }
            }
            out.add(hyps.stream().max(Comparator.comparingDouble(Hypothesis::score)).orElseThrow().tokens());
        }
        return out;
    }

    private record Candidate(int row, long token, double score) {}

    private record Hypothesis(long[] tokens, double score) {}

    private static List<Candidate> topCandidates(float[][] logits, double[] beamScore, int b, int k, int n) {
        PriorityQueue<Candidate> best = new PriorityQueue<>(Comparator.comparingDouble(Candidate::score)); // min-heap
        for (int j = 0; j < k; j++) {
            int row = b * k + j;
            double[] logProbs = Sampling.logSoftmax(logits[row]);
            for (int t = 0; t < logProbs.length; t++) {
                double s = beamScore[row] + logProbs[t];
                if (best.size() < n) {
                    best.add(new Candidate(row, t, s));
                } else if (s > best.peek().score()) {
                    best.poll();
                    best.add(new Candidate(row, t, s));
                }
            }
        }
        List<Candidate> sorted = new ArrayList<>(best);
        sorted.sort(Comparator.comparingDouble(Candidate::score).reversed());
        return sorted;
    }

    private static void addHypothesis(List<Hypothesis> hyps, Hypothesis h, int k) {
        hyps.add(h);
        if (hyps.size() > k) { // keep the k best, like HF's BeamHypotheses
            hyps.remove(hyps.stream().min(Comparator.comparingDouble(Hypothesis::score)).orElseThrow());
        }
    }

    private static boolean isDone(List<Hypothesis> hyps, double bestRunning, int generated, GenerationConfig config) {
        if (hyps.size() < config.numBeams()) {
            return false;
        }
        if (config.earlyStopping()) {
            return true;
        }
        double worst = hyps.stream().mapToDouble(Hypothesis::score).min().orElseThrow();
        return worst >= bestRunning / Math.pow(generated, config.lengthPenalty());
    }

    /** Runs one step in a sub-manager and copies the last position's logits to Java. */
    private static float[][] lastLogits(CausalLm lm, CausalLm.State state, NDManager manager, long[][] feed, long[][] seen) {
        try (NDManager step = manager.newSubManager()) {
            NDArray logits = lm.nextLogits(state, step.create(feed), step.create(seen)).toType(DataType.FLOAT32, false);
            float[] flat = logits.toFloatArray();
            int vocab = (int) logits.getShape().get(1);
            float[][] rows = new float[feed.length][];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = Arrays.copyOfRange(flat, r * vocab, (r + 1) * vocab);
            }
            return rows;
        }
    }

    private static long[] append(long[] a, long x) {
        long[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = x;
        return out;
    }

    private static long[][] column(long[] next) {
        long[][] c = new long[next.length][1];
        for (int r = 0; r < next.length; r++) {
            c[r][0] = next[r];
        }
        return c;
    }

    private static long[][] appendOnes(long[][] mask) {
        long[][] out = new long[mask.length][];
        for (int r = 0; r < mask.length; r++) {
            out[r] = append(mask[r], 1L);
        }
        return out;
    }

    private static long[][] reorderRows(long[][] rows, long[] parent) {
        long[][] out = new long[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = rows[(int) parent[r]];
        }
        return out;
    }

    private static boolean allTrue(boolean[] a) {
        for (boolean x : a) {
            if (!x) {
                return false;
            }
        }
        return true;
    }
}
