package org.medvlm.phantoms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.medvlm.data.AnswerType;
import org.medvlm.data.ImageSource;
import org.medvlm.data.VqaExample;

/**
 * The built-in synthetic MedVQA dataset: procedurally drawn CT, MR and X-ray slices with lesions of known
 * organ, side, count and size, and questions about them. Nothing is downloaded; the same count and seed
 * give the same questions and the same pixels on every machine.
 * <pre>{@code
 * List<VqaExample> ds = Phantoms.generate(200, 7);   // 160 train, 40 test
 * BufferedImage img = ds.get(0).image().load();       // drawn now, 256 x 256 grey
 * }</pre>
 * It is made to be learnable by a small model on a CPU in minutes: every answer is decided by a large
 * visible feature (lesions are 11 to 24 pixels across in a 256-pixel image, never touching one another),
 * the answer vocabulary has 15 words, question kinds come in turn and each kind's answers are balanced.
 * Sides follow the radiological convention (the patient's left is on the image's right).
 */
public final class Phantoms {
    private Phantoms() {}

    /** The dataset name in {@link VqaExample#dataset()}. */
    public static final String DATASET = "phantoms";
    /** The default image side in pixels. */
    public static final int IMAGE_SIZE = 256;

    /** The kinds of question, asked in this order, over and over. */
    public enum QuestionKind {
        /** Is there a lesion? yes / no (closed). */
        PRESENCE(AnswerType.CLOSED, "Abnormality", "Is there a lesion in this image?", "Does this image show a lesion?"),
        /** Which side? left / right (closed). */
        SIDE(AnswerType.CLOSED, "Position", "Which side is the lesion on, left or right?",
                "Is the lesion on the left or the right side?"),
        /** Which modality? ct / mri / x-ray (closed). */
        MODALITY(AnswerType.CLOSED, "Modality", "Which imaging modality is this, CT, MRI or X-ray?",
                "Is this a CT, an MRI or an X-ray?"),
        /** Which organ? brain / lung / liver / kidney (open). */
        ORGAN(AnswerType.OPEN, "Organ", "Which organ contains the lesion?", "In which organ is the lesion?"),
        /** How many? 0 / 1 / 2 / 3 (open). */
        COUNT(AnswerType.OPEN, "Quantity", "How many lesions are there?", "How many lesions can be seen?");

        private final AnswerType answerType;
        private final String contentType;
        private final List<String> templates;

        QuestionKind(AnswerType answerType, String contentType, String... templates) {
            this.answerType = answerType;
            this.contentType = contentType;
            this.templates = List.of(templates);
        }

        public AnswerType answerType() {
            return answerType;
        }

        /** SLAKE's name for this kind of question ({@code content_type}). */
        public String contentType() {
            return contentType;
        }
    }

    /** {@code count} examples with images of {@link #IMAGE_SIZE} pixels. */
    public static List<VqaExample> generate(int count, long seed) {
        return generate(count, seed, IMAGE_SIZE);
    }

    /** {@code count} examples whose images are {@code imageSize} pixels square. */
    public static List<VqaExample> generate(int count, long seed, int imageSize) {
        if (count < 0) {
            throw new IllegalArgumentException("phantom count must be 0 or more, got " + count);
        }
        if (org.medvlm.io.Limit.PHANTOMS.exceededBy(count)) {
            throw new IllegalArgumentException("phantom count " + count + " is too many " + org.medvlm.io.Limit.PHANTOMS.hint());
        }
        if (imageSize < 32 || imageSize > 2048) {
            throw new IllegalArgumentException("phantom image size must be 32 to 2048 pixels, got " + imageSize);
        }
        List<VqaExample> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(example(i, seed, imageSize));
        }
        return List.copyOf(out);
    }

    /** The case behind one example (what its image shows); {@link #generate} draws exactly this. */
    public static PhantomCase caseOf(int index, long seed) {
        return sample(index, seed).kase;
    }

    private record Sampled(QuestionKind kind, PhantomCase kase, String answer, int template) {}

    private static VqaExample example(int index, long seed, int imageSize) {
        Sampled s = sample(index, seed);
        PhantomCase c = s.kase;
        String id = String.format("phantom-%05d", index);
        // every fifth block of five questions (one of each kind) is test: 80/20, every kind in both
        String split = (index / QuestionKind.values().length) % 5 == 4 ? "test" : "train";
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("modality", c.modality().answer());
        meta.put("organ", c.organ().answer());
        meta.put("region", c.region());
        meta.put("plane", c.modality() == Modality.XRAY ? "coronal" : "axial");
        meta.put("side", c.sideSummary());
        meta.put("count", Integer.toString(c.lesions().size()));
        meta.put("lesion_size", c.lesions().isEmpty() ? "none" : c.large() ? "large" : "small");
        if (!c.lesions().isEmpty()) {
            double px = 2 * c.lesions().get(0).radius() * imageSize / 256.0;
            meta.put("lesion_diameter_px", String.format(java.util.Locale.ROOT, "%.1f", px));
        }
        meta.put("content_type", s.kind.contentType());
        meta.put("question_type", s.kind.name());
        meta.put("seed", Long.toString(c.seed()));
        ImageSource image = new ImageSource.Generated(id + ".png", () -> PhantomPainter.paint(c, imageSize));
        return new VqaExample(id, DATASET, split, image, s.kind.templates.get(s.template), List.of(s.answer),
                s.kind.answerType(), "en", meta);
    }

    /** Draws the question kind first, then a balanced answer, then a case that has that answer. */
    private static Sampled sample(int index, long seed) {
        SplittableRandom rnd = new SplittableRandom(mix(seed, index));
        QuestionKind kind = QuestionKind.values()[index % QuestionKind.values().length];
        int template = rnd.nextInt(kind.templates.size());
        Organ organ;
        Modality modality;
        List<Side> sides = new ArrayList<>();
        String answer;
        switch (kind) {
            case PRESENCE -> {
                boolean yes = rnd.nextBoolean();
                organ = pick(rnd, Organ.values());
                modality = modalityFor(rnd, organ);
                addRandomSides(rnd, organ, sides, yes ? 1 + rnd.nextInt(3) : 0);
                answer = yes ? "yes" : "no";
            }
            case SIDE -> {
                Side side = pick(rnd, Side.values());
                List<Organ> candidates = new ArrayList<>();
                for (Organ o : Organ.values()) {
                    if (o.hasSide(side)) {
                        candidates.add(o);
                    }
                }
                organ = candidates.get(rnd.nextInt(candidates.size()));
                modality = modalityFor(rnd, organ);
                int n = 1 + rnd.nextInt(2);
                for (int i = 0; i < n; i++) {
                    sides.add(side);
                }
                answer = side.answer();
            }
            case MODALITY -> {
                modality = pick(rnd, Modality.values());
                organ = switch (modality) {
                    case MRI -> Organ.BRAIN;
                    case XRAY -> Organ.LUNG;
                    case CT -> pick(rnd, new Organ[] {Organ.LUNG, Organ.LIVER, Organ.KIDNEY});
                };
                addRandomSides(rnd, organ, sides, rnd.nextInt(4));
                answer = modality.answer();
            }
            case ORGAN -> {
                organ = pick(rnd, Organ.values());
                modality = modalityFor(rnd, organ);
                addRandomSides(rnd, organ, sides, 1 + rnd.nextInt(3));
                answer = organ.answer();
            }
            case COUNT -> {
                int n = rnd.nextInt(4);
                organ = pick(rnd, Organ.values());
                modality = modalityFor(rnd, organ);
                addRandomSides(rnd, organ, sides, n);
                answer = Integer.toString(n);
            }
            default -> throw new AssertionError(kind);
        }
        boolean large = rnd.nextBoolean();
        long imageSeed = rnd.nextLong();
        List<Lesion> lesions = Anatomy.place(new SplittableRandom(imageSeed ^ 0x5DEECE66DL), modality, organ, sides, large);
        return new Sampled(kind, new PhantomCase(modality, organ, lesions, large, imageSeed), answer, template);
    }

    private static void addRandomSides(SplittableRandom rnd, Organ organ, List<Side> sides, int n) {
        for (int i = 0; i < n; i++) {
            Side side = organ == Organ.LIVER ? Side.RIGHT : pick(rnd, Side.values());
            // a kidney holds two separate lesions at most
            if (organ == Organ.KIDNEY && sides.stream().filter(x -> x == side).count() == 2) {
                sides.add(side == Side.LEFT ? Side.RIGHT : Side.LEFT);
            } else {
                sides.add(side);
            }
        }
    }

    private static Modality modalityFor(SplittableRandom rnd, Organ organ) {
        return switch (organ) {
            case BRAIN -> Modality.MRI;
            case LIVER, KIDNEY -> Modality.CT;
            case LUNG -> rnd.nextBoolean() ? Modality.CT : Modality.XRAY;
        };
    }

    private static <T> T pick(SplittableRandom rnd, T[] values) {
        return values[rnd.nextInt(values.length)];
    }

    /** SplitMix64 of (seed, index): independent streams per example, whatever the count. */
    private static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
