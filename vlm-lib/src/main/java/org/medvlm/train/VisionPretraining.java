package org.medvlm.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.data.VqaExample;
import org.medvlm.imaging.ImagePreprocessor;
import org.medvlm.io.AtomicFiles;
import org.medvlm.layers.Scalars;
import org.medvlm.layers.Autograd;
import org.medvlm.layers.InitPolicy;
import org.medvlm.layers.Linear;
import org.medvlm.layers.Losses;
import org.medvlm.layers.Module;
import org.medvlm.phantoms.Lesion;
import org.medvlm.phantoms.PhantomCase;
import org.medvlm.phantoms.Phantoms;
import org.medvlm.vision.Preprocess;
import org.medvlm.vision.VisionTransformer;

/**
 * Pre-training the built-in vision tower as BiomedCLIP's was pre-trained before BLIP-2 used it, on what the images
 * show: supervised on the phantoms' known attributes (modality, organ, lesion count, side, size: one softmax head each
 * on the class token) plus a dense head that marks the patches holding a lesion's centre (binary cross-entropy on
 * every patch token), so the tokens a Q-Former later reads carry where the lesions are. The heads are training aids:
 * the model folder this run writes is the ViT alone ({@code timm_vit}, no classifier).
 */
public final class VisionPretraining implements Objective {
    /** The attributes and their classes, as the phantoms' metadata spells them. */
    static final Map<String, List<String>> ATTRIBUTES = attributes();

    private static Map<String, List<String>> attributes() {
        Map<String, List<String>> a = new LinkedHashMap<>();
        a.put("modality", List.of("ct", "mri", "x-ray"));
        a.put("organ", List.of("brain", "lung", "liver", "kidney"));
        a.put("count", List.of("0", "1", "2", "3"));
        a.put("side", List.of("none", "left", "right", "both"));
        a.put("lesion_size", List.of("none", "small", "large"));
        return a;
    }

    /** The ViT and its training heads; only {@code vit.*} is saved as the part. */
    static final class Model extends Module {
        final VisionTransformer vit;
        final Linear attributeHead;
        final Linear patchHead;

        Model(VisionTransformer.Config c) {
            vit = addChild("vit", new VisionTransformer(c));
            int classes = ATTRIBUTES.values().stream().mapToInt(List::size).sum();
            attributeHead = addChild("attribute_head", new Linear(c.embedDim(), classes, true));
            patchHead = addChild("patch_head", new Linear(c.embedDim(), 1, true));
        }
    }

    private final Model model;
    private final NDManager manager;
    private final ImagePreprocessor preprocessor;
    private final Preprocess preprocess;
    private final List<VqaExample> train;
    private final long trainSeed;
    private final List<VqaExample> eval;
    private final long evalSeed;
    private final double denseWeight;
    private final byte[][] rgb;

    /**
     * Pre-training of a ViT of {@code config} on {@code count} phantom cases of {@code seed}, evaluated on
     * {@code evalCount} cases of {@code evalSeed}; {@code denseWeight} scales the per-patch lesion loss.
     */
    public VisionPretraining(VisionTransformer.Config config, int count, long seed, int evalCount, long evalSeed,
            double denseWeight, long initSeed) {
        this.manager = NDManager.newBaseManager();
        this.model = new Model(config.withNumClasses(0));
        InitPolicy vit = model.vit.initPolicy();
        model.initialize(manager, (key, p, owner, init) -> key.startsWith("vit.") ? vit.draw(key.substring(4), p, owner, init)
                : p.name().equals("bias") ? init.zeros() : init.truncNormal(0.02), initSeed);
        Preprocess clip = Preprocess.biomedClip();
        this.preprocess = new Preprocess(config.imgSize(), clip.mean(), clip.std());
        this.preprocessor = preprocess.preprocessor();
        this.train = Phantoms.generate(count, seed);
        this.trainSeed = seed;
        this.eval = Phantoms.generate(evalCount, evalSeed);
        this.evalSeed = evalSeed;
        this.denseWeight = denseWeight;
        this.rgb = new byte[count][];
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
        return train.size();
    }

    private record Batch(float[] pixels, long[] labels, float[] patches, int n) implements Prepared {
        @Override
        public int examples() {
            return n;
        }

        @Override
        public int tokens() {
            return 0;
        }
    }

    @Override
    public Prepared prepare(int[] indices) {
        return encode(indices, train, trainSeed, rgb);
    }

    private Batch encode(int[] indices, List<VqaExample> cases, long seed, byte[][] cache) {
        int s = preprocess.size();
        int chw = 3 * s * s;
        int grid = model.vit.config().gridSize();
        float[] pixels = new float[indices.length * chw];
        long[] labels = new long[indices.length * ATTRIBUTES.size()];
        float[] patches = new float[indices.length * grid * grid];
        for (int r = 0; r < indices.length; r++) {
            int i = indices[r];
            VqaExample e = cases.get(i);
            int[] resized;
            if (cache != null && cache[i] != null) {
                resized = unpack(cache[i]);
            } else {
                resized = preprocessor.resizedRgb(load(e));
                if (cache != null) {
                    cache[i] = pack(resized);
                }
            }
            preprocessor.normalizeInto(resized, pixels, r * chw);
            int a = 0;
            for (Map.Entry<String, List<String>> attr : ATTRIBUTES.entrySet()) {
                String value = e.metadata().get(attr.getKey());
                int cls = attr.getValue().indexOf(value);
                if (cls < 0) {
                    throw new IllegalStateException(e.id() + ": " + attr.getKey() + " '" + value + "' is not a known class");
                }
                labels[r * ATTRIBUTES.size() + a++] = cls;
            }
            PhantomCase c = Phantoms.caseOf(i, seed);
            for (Lesion l : c.lesions()) {
                int gx = (int) Math.min(grid - 1, l.x() / Phantoms.IMAGE_SIZE * grid);
                int gy = (int) Math.min(grid - 1, l.y() / Phantoms.IMAGE_SIZE * grid);
                patches[r * grid * grid + gy * grid + gx] = 1f;
            }
        }
        return new Batch(pixels, labels, patches, indices.length);
    }

    private static BufferedImage load(VqaExample e) {
        try {
            return e.image().load();
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static byte[] pack(int[] v) {
        byte[] b = new byte[v.length];
        for (int k = 0; k < v.length; k++) {
            b[k] = (byte) v[k];
        }
        return b;
    }

    private static int[] unpack(byte[] b) {
        int[] v = new int[b.length];
        for (int k = 0; k < b.length; k++) {
            v[k] = b[k] & 0xff;
        }
        return v;
    }

    /** Attribute logits [B, classes] and patch logits [B, grid²]. */
    private NDArray[] forward(Batch b, NDManager m) {
        int s = preprocess.size();
        NDArray pixels = m.create(b.pixels(), new Shape(b.n(), 3, s, s));
        VisionTransformer.Output out = model.vit.forward(pixels);
        NDArray attributes = model.attributeHead.forward(out.pooled()); // (B, classes)
        int prefix = model.vit.config().classToken() ? 1 : 0;
        NDArray patchTokens = out.features().get(new NDIndex(":, {}:, :", prefix)); // (B, grid², D)
        NDArray patches = model.patchHead.forward(patchTokens).squeeze(-1); // (B, grid²)
        return new NDArray[] {attributes, patches};
    }

    @Override
    public NDArray loss(Prepared prepared, NDManager step) {
        Batch b = (Batch) prepared;
        NDArray[] out = forward(b, step);
        NDArray loss = null;
        int from = 0;
        int a = 0;
        for (List<String> classes : ATTRIBUTES.values()) {
            NDArray logits = out[0].get(new NDIndex(":, {}:{}", from, from + classes.size()));
            long[] targets = new long[b.n()];
            for (int r = 0; r < b.n(); r++) {
                targets[r] = b.labels()[r * ATTRIBUTES.size() + a];
            }
            NDArray ce = Losses.crossEntropy(logits, step.create(targets));
            loss = loss == null ? ce : loss.add(ce);
            from += classes.size();
            a++;
        }
        if (denseWeight > 0) {
            NDArray targets = step.create(b.patches(), out[1].getShape());
            loss = loss.add(Scalars.mul(Losses.binaryCrossEntropyWithLogits(out[1], targets), denseWeight));
        }
        return loss;
    }

    @Override
    public RunEvents.Eval evaluate(long step, double epoch, double elapsedS) {
        int[] correct = new int[ATTRIBUTES.size() + 1]; // the attributes, then lesion presence
        int n = eval.size();
        double lossSum = 0;
        int batches = 0;
        for (int from = 0; from < n; from += 64) {
            int[] idx = java.util.stream.IntStream.range(from, Math.min(n, from + 64)).toArray();
            Batch b = encode(idx, eval, evalSeed, null);
            int f = from;
            lossSum += Autograd.noGrad(() -> {
                try (NDManager m = manager.newSubManager()) {
                    NDArray[] out = forward(b, m);
                    float[] logits = out[0].toFloatArray();
                    int classes = (int) out[0].getShape().get(1);
                    for (int r = 0; r < b.n(); r++) {
                        int off = 0;
                        int a = 0;
                        boolean lesionPredicted = false;
                        for (Map.Entry<String, List<String>> attr : ATTRIBUTES.entrySet()) {
                            int best = 0;
                            for (int c = 1; c < attr.getValue().size(); c++) {
                                if (logits[r * classes + off + c] > logits[r * classes + off + best]) {
                                    best = c;
                                }
                            }
                            if (best == b.labels()[r * ATTRIBUTES.size() + a]) {
                                correct[a]++;
                            }
                            if (attr.getKey().equals("count")) {
                                lesionPredicted = best > 0;
                            }
                            off += attr.getValue().size();
                            a++;
                        }
                        boolean lesion = !eval.get(f + r).metadata().get("count").equals("0");
                        if (lesionPredicted == lesion) {
                            correct[ATTRIBUTES.size()]++;
                        }
                    }
                    return (double) loss(b, m).getFloat();
                }
            });
            batches++;
        }
        Map<String, Double> per = new LinkedHashMap<>();
        int a = 0;
        double sum = 0;
        for (String name : ATTRIBUTES.keySet()) {
            per.put(name, (double) correct[a] / n);
            sum += (double) correct[a] / n;
            a++;
        }
        per.put("presence", (double) correct[ATTRIBUTES.size()] / n);
        RunEvents.Metrics metrics = new RunEvents.Metrics(Double.NaN, Double.NaN, sum / ATTRIBUTES.size(), n, per);
        return new RunEvents.Eval(step, epoch, elapsedS, lossSum / batches, metrics, List.of());
    }

    @Override
    public void saveModel(Path folder) throws IOException {
        Files.createDirectories(folder);
        SafetensorsWriter.write(folder.resolve("model.safetensors"), model.vit.stateDict());
        AtomicFiles.writeString(folder.resolve("config.json"), RunEvents.line(model.vit.config().toJson()) + "\n");
        Map<String, NDArray> heads = new LinkedHashMap<>();
        model.namedParameters().forEach((k, p) -> {
            if (!k.startsWith("vit.")) {
                heads.put(k, p.array());
            }
        });
        SafetensorsWriter.write(folder.resolve("heads.safetensors"), heads); // for resuming only
    }

    @Override
    public void restore(Path folder) throws IOException {
        try (StateDict vit = StateDict.open(folder.resolve("model.safetensors"));
             StateDict heads = StateDict.open(folder.resolve("heads.safetensors"))) {
            model.load(StateDict.union(List.of(vit.prefixed("vit."), heads), folder.toString()), manager, DataType.FLOAT32);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
