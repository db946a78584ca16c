package org.medvlm.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The VQAv2 answer normaliser ({@code processPunctuation} + {@code processDigitArticle} of the VQA
 * evaluation code), which both the ImageCLEF VQA-Med evaluator and LLaVA-Med's {@code normalize_word}
 * reuse. It reproduces the reference code's quirks on purpose, because scores are only comparable when
 * the normalisation is the same:
 * <ul>
 *   <li>whether a punctuation mark is deleted or replaced by a space is decided on the <em>original</em>
 *       text (a mark next to a space, or any digit-comma-digit anywhere, means delete);</li>
 *   <li>the period pattern {@code (?!<=\d)(\.)(?!\d)} has a mistyped look-behind, so it removes every
 *       {@code .} not followed by a digit, and {@code re.UNICODE} (= 32) lands in the {@code count}
 *       argument, so at most the first 32 are removed;</li>
 *   <li>number words up to ten become digits, articles go, a contraction table adds apostrophes.</li>
 * </ul>
 */
public final class VqaNormalizer {
    private VqaNormalizer() {}

    private static final String[] PUNCT = {";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+", "\\", "_", "-",
        ">", "<", "@", "`", ",", "?", "!"};
    // Python 3's \d on str is any Unicode decimal digit.
    private static final Pattern COMMA_STRIP = Pattern.compile("(\\d)(,)(\\d)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern PERIOD_STRIP = Pattern.compile("\\.(?!\\d)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final int PERIOD_COUNT = 32; // re.UNICODE passed as re.sub's count

    private static final Map<String, String> MANUAL_MAP = Map.ofEntries(
            Map.entry("none", "0"), Map.entry("zero", "0"), Map.entry("one", "1"), Map.entry("two", "2"),
            Map.entry("three", "3"), Map.entry("four", "4"), Map.entry("five", "5"), Map.entry("six", "6"),
            Map.entry("seven", "7"), Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"));
    private static final Set<String> ARTICLES = Set.of("a", "an", "the");
    private static final Map<String, String> CONTRACTIONS = contractions();

    /** {@code processPunctuation}: punctuation to space or nothing, then up to 32 periods removed. */
    public static String processPunctuation(String in) {
        boolean digitComma = COMMA_STRIP.matcher(in).find();
        String out = in;
        for (String p : PUNCT) {
            if (in.contains(p + " ") || in.contains(" " + p) || digitComma) {
                out = out.replace(p, "");
            } else {
                out = out.replace(p, " ");
            }
        }
        Matcher m = PERIOD_STRIP.matcher(out);
        StringBuilder sb = new StringBuilder();
        int removed = 0;
        int last = 0;
        while (removed < PERIOD_COUNT && m.find()) {
            sb.append(out, last, m.start());
            last = m.end();
            removed++;
        }
        sb.append(out, last, out.length());
        return sb.toString();
    }

    /** {@code processDigitArticle}: lower-case, number words to digits, no articles, contractions. */
    public static String processDigitArticle(String in) {
        List<String> words = new ArrayList<>();
        for (String w : PyText.split(PyText.lower(in))) {
            w = MANUAL_MAP.getOrDefault(w, w);
            if (!ARTICLES.contains(w)) {
                words.add(CONTRACTIONS.getOrDefault(w, w));
            }
        }
        return String.join(" ", words);
    }

    /** The VQA / VQA-Med answer normalisation: punctuation, then digits and articles. */
    public static String vqa(String answer) {
        return processDigitArticle(processPunctuation(answer));
    }

    /**
     * LLaVA-Med's {@code normalize_word} on a lower-cased string (its {@code run_eval.py} lower-cases
     * first): the VQA normalisation, then every remaining comma deleted.
     */
    public static String llavaMed(String answer) {
        return vqa(PyText.lower(answer)).replace(",", "");
    }

    private static Map<String, String> contractions() {
        // The VQA evaluation code's table. Keys with capitals ("Id've", "Im") can never match after
        // lower-casing; they are kept so the table stays the reference's.
        String[] pairs = {
            "aint", "ain't", "arent", "aren't", "cant", "can't", "couldve", "could've", "couldnt", "couldn't",
            "couldn'tve", "couldn't've", "couldnt've", "couldn't've", "didnt", "didn't", "doesnt", "doesn't",
            "dont", "don't", "hadnt", "hadn't", "hadnt've", "hadn't've", "hadn'tve", "hadn't've", "hasnt", "hasn't",
            "havent", "haven't", "hed", "he'd", "hed've", "he'd've", "he'dve", "he'd've", "hes", "he's",
            "howd", "how'd", "howll", "how'll", "hows", "how's", "Id've", "I'd've", "I'dve", "I'd've", "Im", "I'm",
            "Ive", "I've", "isnt", "isn't", "itd", "it'd", "itd've", "it'd've", "it'dve", "it'd've", "itll", "it'll",
            "let's", "let's", "maam", "ma'am", "mightnt", "mightn't", "mightnt've", "mightn't've",
            "mightn'tve", "mightn't've", "mightve", "might've", "mustnt", "mustn't", "mustve", "must've",
            "neednt", "needn't", "notve", "not've", "oclock", "o'clock", "oughtnt", "oughtn't",
            "ow's'at", "'ow's'at", "'ows'at", "'ow's'at", "'ow'sat", "'ow's'at", "shant", "shan't",
            "shed've", "she'd've", "she'dve", "she'd've", "she's", "she's", "shouldve", "should've",
            "shouldnt", "shouldn't", "shouldnt've", "shouldn't've", "shouldn'tve", "shouldn't've",
            "somebody'd", "somebodyd", "somebodyd've", "somebody'd've", "somebody'dve", "somebody'd've",
            "somebodyll", "somebody'll", "somebodys", "somebody's", "someoned", "someone'd",
            "someoned've", "someone'd've", "someone'dve", "someone'd've", "someonell", "someone'll",
            "someones", "someone's", "somethingd", "something'd", "somethingd've", "something'd've",
            "something'dve", "something'd've", "somethingll", "something'll", "thats", "that's",
            "thered", "there'd", "thered've", "there'd've", "there'dve", "there'd've", "therere", "there're",
            "theres", "there's", "theyd", "they'd", "theyd've", "they'd've", "they'dve", "they'd've",
            "theyll", "they'll", "theyre", "they're", "theyve", "they've", "twas", "'twas", "wasnt", "wasn't",
            "wed've", "we'd've", "we'dve", "we'd've", "weve", "we've", "werent", "weren't", "whatll", "what'll",
            "whatre", "what're", "whats", "what's", "whatve", "what've", "whens", "when's", "whered", "where'd",
            "wheres", "where's", "whereve", "where've", "whod", "who'd", "whod've", "who'd've", "who'dve", "who'd've",
            "wholl", "who'll", "whos", "who's", "whove", "who've", "whyll", "why'll", "whyre", "why're",
            "whys", "why's", "wont", "won't", "wouldve", "would've", "wouldnt", "wouldn't",
            "wouldnt've", "wouldn't've", "wouldn'tve", "wouldn't've", "yall", "y'all", "yall'll", "y'all'll",
            "y'allll", "y'all'll", "yall'd've", "y'all'd've", "y'alld've", "y'all'd've", "y'all'dve", "y'all'd've",
            "youd", "you'd", "youd've", "you'd've", "you'dve", "you'd've", "youll", "you'll", "youre", "you're",
            "youve", "you've",
        };
        java.util.HashMap<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return Map.copyOf(m);
    }
}
