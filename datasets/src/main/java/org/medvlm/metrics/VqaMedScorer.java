package org.medvlm.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ImageCLEF VQA-Med 2020/2021 official evaluator ({@code VQA-Med-2021--VQA--Evaluator.py}), one
 * answer at a time. Its two scores:
 * <ul>
 *   <li><b>accuracy</b>: the prediction ({@code \n} and {@code \t} to spaces, stripped) and each
 *       reference go through the VQA normaliser ({@link VqaNormalizer#vqa}); 1 when the prediction equals
 *       any reference ({@code acc = min(1, #matches)}), else 0.</li>
 *   <li><b>BLEU</b>: both sides lower-cased, {@code string.punctuation} deleted, tokenised as NLTK's
 *       {@code word_tokenize} does, English stop words (NLTK's list) removed, Snowball-stemmed; 1 when both
 *       token lists are empty, else NLTK {@code sentence_bleu} with {@code method0}; the maximum over the
 *       reference answers (2020: alternatives split on {@code #}; 2021: extra {@code |} fields).</li>
 * </ul>
 * The evaluator averages both over every test image and rounds to 4 decimals ({@link #round4}).
 */
public final class VqaMedScorer {
    private final NltkBleu.Smoothing smoothing;

    /** The scorer with the BLEU of the published leaderboards ({@link NltkBleu.Smoothing#NLTK_3_2}). */
    public VqaMedScorer() {
        this(NltkBleu.Smoothing.NLTK_3_2);
    }

    public VqaMedScorer(NltkBleu.Smoothing smoothing) {
        this.smoothing = smoothing;
    }

    /** Which NLTK behaviour the BLEU follows. */
    public NltkBleu.Smoothing smoothing() {
        return smoothing;
    }

    /** Python's {@code string.punctuation}, which the evaluator deletes before tokenising. */
    static final String ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    // TreebankWordTokenizer's CONTRACTIONS2 rules that survive punctuation removal ("cannot" -> "can not").
    // The others need an apostrophe, which is gone by then; so is every other rule's punctuation.
    private static final List<Pattern> CONTRACTIONS = List.of(
            Pattern.compile("(?i)\\b(can)(not)\\b", Pattern.UNICODE_CHARACTER_CLASS),
            Pattern.compile("(?i)\\b(gim)(me)\\b", Pattern.UNICODE_CHARACTER_CLASS),
            Pattern.compile("(?i)\\b(gon)(na)\\b", Pattern.UNICODE_CHARACTER_CLASS),
            Pattern.compile("(?i)\\b(got)(ta)\\b", Pattern.UNICODE_CHARACTER_CLASS),
            Pattern.compile("(?i)\\b(lem)(me)\\b", Pattern.UNICODE_CHARACTER_CLASS),
            Pattern.compile("(?i)\\b(wan)(na)\\s", Pattern.UNICODE_CHARACTER_CLASS));

    /** 1 when the normalised prediction equals a normalised reference, else 0. */
    public double accuracy(String prediction, List<String> references) {
        String pred = VqaNormalizer.vqa(PyText.strip(prediction.replace('\n', ' ').replace('\t', ' ')));
        for (String ref : references) {
            if (VqaNormalizer.vqa(ref).equals(pred)) {
                return 1.0;
            }
        }
        return 0.0;
    }

    /** The best BLEU of the prediction against any one reference (0 when there is none). */
    public double bleu(String prediction, List<String> references) {
        double best = 0.0;
        List<String> cand = tokens(prediction);
        for (String ref : references) {
            best = Math.max(best, bleu(cand, tokens(ref)));
        }
        return best;
    }

    double bleu(List<String> candidate, List<String> reference) {
        if (candidate.isEmpty() && reference.isEmpty()) {
            return 1.0;
        }
        return NltkBleu.sentence(reference, candidate, smoothing);
    }

    /** The evaluator's tokens for BLEU: lower, no punctuation, word_tokenize, no stop words, stems. */
    public static List<String> tokens(String text) {
        StringBuilder sb = new StringBuilder();
        String lower = PyText.lower(text);
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (ASCII_PUNCTUATION.indexOf(c) < 0) {
                sb.append(c);
            }
        }
        String s = " " + sb + " ";
        for (Pattern p : CONTRACTIONS) {
            s = p.matcher(s).replaceAll(" $1 $2 ");
        }
        List<String> out = new ArrayList<>();
        for (String w : PyText.split(s)) {
            if (!StopWords.ENGLISH.contains(PyText.lower(w))) {
                out.add(SnowballEnglish.stem(w));
            }
        }
        return out;
    }

    /** The evaluator's {@code round(x, 4)}: the exact binary value rounded half-to-even, as Python does. */
    public static double round4(double x) {
        return new java.math.BigDecimal(x).setScale(4, java.math.RoundingMode.HALF_EVEN).doubleValue();
    }

    /** NLTK's English stop-word list (179 words). */
    static final class StopWords {
        private StopWords() {}

        static final Set<String> ENGLISH = Set.of(("i me my myself we our ours ourselves you you're you've you'll "
                + "you'd your yours yourself yourselves he him his himself she she's her hers herself it it's its "
                + "itself they them their theirs themselves what which who whom this that that'll these those am is "
                + "are was were be been being have has had having do does did doing a an the and but if or because "
                + "as until while of at by for with about against between into through during before after above "
                + "below to from up down in out on off over under again further then once here there when where why "
                + "how all any both each few more most other some such no nor not only own same so than too very s "
                + "t can will just don don't should should've now d ll m o re ve y ain aren aren't couldn couldn't "
                + "didn didn't doesn doesn't hadn hadn't hasn hasn't haven haven't isn isn't ma mightn mightn't "
                + "mustn mustn't needn needn't shan shan't shouldn shouldn't wasn wasn't weren weren't won won't "
                + "wouldn wouldn't").split(" "));
    }
}
