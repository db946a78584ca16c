package org.medvlm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.medvlm.bloom.Bloom;
import org.medvlm.bloom.BloomConfig;
import org.medvlm.bloom.BloomLm;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.data.VqaExample;
import org.medvlm.generate.GenerationConfig;
import org.medvlm.generate.Generator;
import org.medvlm.io.AtomicFiles;
import org.medvlm.layers.Autograd;
import org.medvlm.layers.Losses;
import org.medvlm.layers.Module;
import org.medvlm.phantoms.Phantoms;
import org.medvlm.vlm.Tokenizer;

/**
 * Pre-training the built-in BLOOM on phantom text, as a real LLM is pre-trained on text that includes reports: each
 * document is a case's findings (a one-line report of what its image shows) followed by one of the phantom questions
 * and its answer, {@code "<findings> Question: <q> Answer: <a></s>"}, and the causal LM learns every token. The LM
 * so learns to read a description and answer from it; BLIP-2's stage 2 then trains a Q-Former to put a visual
 * description in the findings' place. Evaluated on other cases: answer accuracy given their true findings.
 */
public final class TextPretraining implements Objective {
    private static final int EVAL_CASES = 500;

    private final Bloom model;
    private final NDManager manager;
    private final Tokenizer tokenizer;
    private final List<long[]> docs;
    private final List<PhantomText.Question> evalQuestions;

    /**
     * Pre-training of a BLOOM of {@code config} (its vocabulary {@code tokenizer}'s) on the documents of {@code count}
     * phantom cases of {@code seed}, evaluated on cases of {@code evalSeed}.
     */
    public TextPretraining(BloomConfig config, Tokenizer tokenizer, int count, long seed, long evalSeed, long initSeed) {
        this.manager = NDManager.newBaseManager();
        this.tokenizer = tokenizer;
        this.model = new Bloom(config);
        model.initialize(manager, Bloom.initPolicy(), initSeed);
        List<VqaExample> cases = Phantoms.generate(count, seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        this.docs = new ArrayList<>();
        for (VqaExample c : cases) {
            String findings = PhantomText.findings(c.metadata());
            for (PhantomText.Question q : PhantomText.questions(c.metadata(), rnd)) {
                long[] context = tokenizer.encode(findings + " " + q.prompt());
                long[] target = tokenizer.encode(" " + q.answer());
                long[] ids = Arrays.copyOf(context, context.length + target.length + 1);
                System.arraycopy(target, 0, ids, context.length, target.length);
                ids[ids.length - 1] = tokenizer.eosId();
                docs.add(ids);
            }
        }
        List<VqaExample> evalCases = Phantoms.generate(EVAL_CASES, evalSeed);
        SplittableRandom erng = new SplittableRandom(evalSeed);
        this.evalQuestions = new ArrayList<>();
        for (VqaExample c : evalCases) {
            String findings = PhantomText.findings(c.metadata());
            for (PhantomText.Question q : PhantomText.questions(c.metadata(), erng)) {
                evalQuestions.add(new PhantomText.Question(q.kind(), findings + " " + q.prompt(), q.answer()));
            }
        }
    }

    @Override
    public Module model() {
        return model;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public int trainSize() {
        return docs.size();
    }

    private record Batch(long[] ids, long[] mask, int b, int t) implements Prepared {
        @Override
        public int examples() {
            return b;
        }

        @Override
        public int tokens() {
            int n = 0;
            for (long m : mask) {
                n += (int) m;
            }
            return n;
        }
    }

    @Override
    public Prepared prepare(int[] indices) {
        int t = 0;
        for (int i : indices) {
            t = Math.max(t, docs.get(i).length);
        }
        long[] ids = new long[indices.length * t];
        long[] mask = new long[indices.length * t];
        Arrays.fill(ids, tokenizer.padId());
        for (int r = 0; r < indices.length; r++) {
            long[] d = docs.get(indices[r]);
            System.arraycopy(d, 0, ids, r * t, d.length);
            Arrays.fill(mask, r * t, r * t + d.length, 1L);
        }
        return new Batch(ids, mask, indices.length, t);
    }

    @Override
    public NDArray loss(Prepared prepared, NDManager step) {
        Batch b = (Batch) prepared;
        Shape shape = new Shape(b.b(), b.t());
        NDArray hidden = model.forward(model.embed(step.create(b.ids(), shape)), step.create(b.mask(), shape), null); // (B, T, C)
        // every real token but the first is a target of the position before it
        List<Long> rows = new ArrayList<>();
        List<Long> targets = new ArrayList<>();
        for (int r = 0; r < b.b(); r++) {
            for (int i = 0; i + 1 < b.t(); i++) {
                if (b.mask()[r * b.t() + i + 1] == 1) {
                    rows.add((long) r * b.t() + i);
                    targets.add(b.ids()[r * b.t() + i + 1]);
                }
            }
        }
        NDArray picked = hidden.reshape(b.b() * b.t(), -1).get(step.create(rows.stream().mapToLong(Long::longValue).toArray()));
        return Losses.crossEntropy(model.lmHead(picked), step.create(targets.stream().mapToLong(Long::longValue).toArray()));
    }

    @Override
    public RunEvents.Eval evaluate(long step, double epoch, double elapsedS) {
        Map<String, int[]> perKind = new LinkedHashMap<>();
        GenerationConfig g = GenerationConfig.greedy(4).withStopTokens(List.of(tokenizer.eosId())).withPadTokenId(tokenizer.padId());
        for (int from = 0; from < evalQuestions.size(); from += 128) {
            List<PhantomText.Question> chunk = evalQuestions.subList(from, Math.min(evalQuestions.size(), from + 128));
            long[][] prompts = chunk.stream().map(q -> tokenizer.encode(q.prompt())).toArray(long[][]::new);
            List<long[]> out = Autograd.noGrad(() -> {
                try (NDManager m = manager.newSubManager()) {
                    return Generator.generate(BloomLm.of(model), m, prompts, g);
                }
            });
            for (int i = 0; i < chunk.size(); i++) {
                long[] ids = out.get(i);
                if (ids.length > 0 && ids[ids.length - 1] == tokenizer.eosId()) {
                    ids = Arrays.copyOf(ids, ids.length - 1);
                }
                boolean ok = tokenizer.decode(ids).strip().equals(chunk.get(i).answer());
                int[] acc = perKind.computeIfAbsent(chunk.get(i).kind(), k -> new int[2]);
                acc[0] += ok ? 1 : 0;
                acc[1]++;
            }
        }
        Map<String, Double> per = new LinkedHashMap<>();
        int right = 0;
        int all = 0;
        for (Map.Entry<String, int[]> e : perKind.entrySet()) {
            per.put(e.getKey(), (double) e.getValue()[0] / e.getValue()[1]);
            right += e.getValue()[0];
            all += e.getValue()[1];
        }
        RunEvents.Metrics metrics = new RunEvents.Metrics(Double.NaN, Double.NaN, (double) right / all, all, per);
        return new RunEvents.Eval(step, epoch, elapsedS, null, metrics, List.of());
    }

    @Override
    public void saveModel(Path folder) throws IOException {
        Files.createDirectories(folder);
        SafetensorsWriter.write(folder.resolve("model.safetensors"), model.stateDict());
        AtomicFiles.writeString(folder.resolve("config.json"), RunEvents.line(model.config().toJson()) + "\n");
        tokenizer.writeTo(folder.resolve("tokenizer.json"));
    }

    @Override
    public void close() {
        manager.close();
    }
}
