package org.medvlm.metrics;

import java.util.Map;

/**
 * The English Snowball ("Porter2") stemmer as NLTK's {@code SnowballStemmer("english")} implements it,
 * which is what the ImageCLEF VQA-Med evaluator stems with before BLEU. NLTK's version adds to the
 * published algorithm: words of two letters or fewer are returned as they are, a table of exceptional
 * forms ({@code skies -> sky}, {@code news}, {@code proceeding -> proceed}, ...) is looked up first, and
 * curly apostrophes are mapped to {@code '}. Regions R1 and R2 are tracked as strings that shrink with the
 * word, as in NLTK, so the odd corner cases (R2 after {@code ation -> ate}) come out the same.
 */
public final class SnowballEnglish {
    private SnowballEnglish() {}

    private static final String VOWELS = "aeiouy";
    private static final String[] DOUBLES = {"bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"};
    private static final String LI_ENDING = "cdeghkmnrt";
    private static final String[] STEP0 = {"'s'", "'s", "'"};
    private static final String[] STEP1A = {"sses", "ied", "ies", "us", "ss", "s"};
    private static final String[] STEP1B = {"eedly", "ingly", "edly", "eed", "ing", "ed"};
    private static final String[] STEP2 = {"ization", "ational", "fulness", "ousness", "iveness", "tional", "biliti",
        "lessli", "entli", "ation", "alism", "aliti", "ousli", "iviti", "fulli", "enci", "anci", "abli", "izer", "ator",
        "alli", "bli", "ogi", "li"};
    private static final String[] STEP3 = {"ational", "tional", "alize", "icate", "iciti", "ative", "ical", "ness", "ful"};
    private static final String[] STEP4 = {"ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate",
        "iti", "ous", "ive", "ize", "ion", "al", "er", "ic"};
    private static final Map<String, String> SPECIAL = Map.ofEntries(
            Map.entry("skis", "ski"), Map.entry("skies", "sky"), Map.entry("dying", "die"), Map.entry("lying", "lie"),
            Map.entry("tying", "tie"), Map.entry("idly", "idl"), Map.entry("gently", "gentl"), Map.entry("ugly", "ugli"),
            Map.entry("early", "earli"), Map.entry("only", "onli"), Map.entry("singly", "singl"), Map.entry("sky", "sky"),
            Map.entry("news", "news"), Map.entry("howe", "howe"), Map.entry("atlas", "atlas"),
            Map.entry("cosmos", "cosmos"), Map.entry("bias", "bias"), Map.entry("andes", "andes"),
            Map.entry("inning", "inning"), Map.entry("innings", "inning"), Map.entry("outing", "outing"),
            Map.entry("outings", "outing"), Map.entry("canning", "canning"), Map.entry("cannings", "canning"),
            Map.entry("herring", "herring"), Map.entry("herrings", "herring"), Map.entry("earring", "earring"),
            Map.entry("earrings", "earring"), Map.entry("proceed", "proceed"), Map.entry("proceeds", "proceed"),
            Map.entry("proceeded", "proceed"), Map.entry("proceeding", "proceed"), Map.entry("exceed", "exceed"),
            Map.entry("exceeds", "exceed"), Map.entry("exceeded", "exceed"), Map.entry("exceeding", "exceed"),
            Map.entry("succeed", "succeed"), Map.entry("succeeds", "succeed"), Map.entry("succeeded", "succeed"),
            Map.entry("succeeding", "succeed"));

    /** The stem of one word (lower-cased first, as NLTK does). */
    public static String stem(String input) {
        String word = PyText.lower(input);
        if (word.length() <= 2) {
            return word;
        }
        String special = SPECIAL.get(word);
        if (special != null) {
            return special;
        }
        word = word.replace('\u2019', '\'').replace('\u2018', '\'').replace('\u201B', '\'');
        if (word.startsWith("'")) {
            word = word.substring(1);
        }
        // y as a consonant is marked Y: at the start, and after a vowel (scanning left to right on the
        // word as it changes, so "ayy" gives "aYy").
        StringBuilder marked = new StringBuilder(word);
        if (marked.length() > 0 && marked.charAt(0) == 'y') {
            marked.setCharAt(0, 'Y');
        }
        for (int i = 1; i < marked.length(); i++) {
            if (isVowel(marked.charAt(i - 1)) && marked.charAt(i) == 'y') {
                marked.setCharAt(i, 'Y');
            }
        }
        word = marked.toString();

        String r1 = "";
        String r2 = "";
        if (word.startsWith("gener") || word.startsWith("commun") || word.startsWith("arsen")) {
            r1 = word.startsWith("commun") ? word.substring(6) : word.substring(5);
            for (int i = 1; i < r1.length(); i++) {
                if (!isVowel(r1.charAt(i)) && isVowel(r1.charAt(i - 1))) {
                    r2 = r1.substring(i + 1);
                    break;
                }
            }
        } else {
            r1 = region(word);
            r2 = region(r1);
        }

        // Step 0: possessive apostrophes.
        for (String suffix : STEP0) {
            if (word.endsWith(suffix)) {
                word = drop(word, suffix.length());
                r1 = drop(r1, suffix.length());
                r2 = drop(r2, suffix.length());
                break;
            }
        }

        // Step 1a: plurals.
        for (String suffix : STEP1A) {
            if (word.endsWith(suffix)) {
                if (suffix.equals("sses")) {
                    word = drop(word, 2);
                    r1 = drop(r1, 2);
                    r2 = drop(r2, 2);
                } else if (suffix.equals("ied") || suffix.equals("ies")) {
                    int n = word.length() - suffix.length() > 1 ? 2 : 1;
                    word = drop(word, n);
                    r1 = drop(r1, n);
                    r2 = drop(r2, n);
                } else if (suffix.equals("s")) {
                    if (hasVowel(drop(word, 2))) {
                        word = drop(word, 1);
                        r1 = drop(r1, 1);
                        r2 = drop(r2, 1);
                    }
                }
                break;
            }
        }

        // Step 1b: -eed, -ing, -ed and their -ly forms.
        for (String suffix : STEP1B) {
            if (word.endsWith(suffix)) {
                if (suffix.equals("eed") || suffix.equals("eedly")) {
                    if (r1.endsWith(suffix)) {
                        word = replace(word, suffix, "ee");
                        r1 = r1.length() >= suffix.length() ? replace(r1, suffix, "ee") : "";
                        r2 = r2.length() >= suffix.length() ? replace(r2, suffix, "ee") : "";
                    }
                } else if (hasVowel(drop(word, suffix.length()))) {
                    word = drop(word, suffix.length());
                    r1 = drop(r1, suffix.length());
                    r2 = drop(r2, suffix.length());
                    if (word.endsWith("at") || word.endsWith("bl") || word.endsWith("iz")) {
                        word = word + "e";
                        r1 = r1 + "e";
                        if (word.length() > 5 || r1.length() >= 3) {
                            r2 = r2 + "e";
                        }
                    } else if (endsWithAny(word, DOUBLES)) {
                        word = drop(word, 1);
                        r1 = drop(r1, 1);
                        r2 = drop(r2, 1);
                    } else if ((r1.isEmpty() && word.length() >= 3 && !isVowel(at(word, 1))
                                    && "wxY".indexOf(at(word, 1)) < 0 && isVowel(at(word, 2)) && !isVowel(at(word, 3)))
                            || (r1.isEmpty() && word.length() == 2 && isVowel(word.charAt(0))
                                    && !isVowel(word.charAt(1)))) {
                        word = word + "e";
                        if (!r1.isEmpty()) {
                            r1 = r1 + "e";
                        }
                        if (!r2.isEmpty()) {
                            r2 = r2 + "e";
                        }
                    }
                }
                break;
            }
        }

        // Step 1c: final y after a consonant becomes i.
        if (word.length() > 2 && (at(word, 1) == 'y' || at(word, 1) == 'Y') && !isVowel(at(word, 2))) {
            word = drop(word, 1) + "i";
            r1 = r1.length() >= 1 ? drop(r1, 1) + "i" : "";
            r2 = r2.length() >= 1 ? drop(r2, 1) + "i" : "";
        }

        // Step 2: derivational suffixes in R1.
        for (String suffix : STEP2) {
            if (word.endsWith(suffix)) {
                if (r1.endsWith(suffix)) {
                    switch (suffix) {
                        case "tional", "entli", "fulli", "lessli" -> {
                            word = drop(word, 2);
                            r1 = drop(r1, 2);
                            r2 = drop(r2, 2);
                        }
                        case "enci", "anci", "abli" -> {
                            word = drop(word, 1) + "e";
                            r1 = r1.length() >= 1 ? drop(r1, 1) + "e" : "";
                            r2 = r2.length() >= 1 ? drop(r2, 1) + "e" : "";
                        }
                        case "izer", "ization" -> {
                            word = replace(word, suffix, "ize");
                            r1 = r1.length() >= suffix.length() ? replace(r1, suffix, "ize") : "";
                            r2 = r2.length() >= suffix.length() ? replace(r2, suffix, "ize") : "";
                        }
                        case "ational", "ation", "ator" -> {
                            word = replace(word, suffix, "ate");
                            r1 = r1.length() >= suffix.length() ? replace(r1, suffix, "ate") : "";
                            // NLTK sets R2 to "e" here, not "" (kept: it decides step 5 for e.g. "ration")
                            r2 = r2.length() >= suffix.length() ? replace(r2, suffix, "ate") : "e";
                        }
                        case "alism", "aliti", "alli" -> {
                            word = replace(word, suffix, "al");
                            r1 = r1.length() >= suffix.length() ? replace(r1, suffix, "al") : "";
                            r2 = r2.length() >= suffix.length() ? replace(r2, suffix, "al") : "";
                        }
                        case "fulness" -> {
                            word = drop(word, 4);
                            r1 = drop(r1, 4);
                            r2 = drop(r2, 4);
                        }
                        case "ousli", "ousness" -> {
                            word = replace(word, suffix, "ous");
                            r1 = r1.length() >= suffix.length() ? replace(r1, suffix, "ous") : "";
                            r2 = r2.length() >= suffix.length() ? replace(r2, suffix, "ous") : "";
                        }
                        case "iveness", "iviti" -> {
                            word = replace(word, suffix, "ive");
                            r1 = r1.length() >= suffix.length() ? replace(r1, suffix, "ive") : "";
                            r2 = r2.length() >= suffix.length() ? replace(r2, suffix, "ive") : "e";
                        }
                        case "biliti", "bli" -> {
                            word = replace(word, suffix, "ble");
                            r1 = r1.length() >= suffix.length() ? replace(r1, suffix, "ble") : "";
                            r2 = r2.length() >= suffix.length() ? replace(r2, suffix, "ble") : "";
                        }
                        case "ogi" -> {
                            if (at(word, 4) == 'l') {
                                word = drop(word, 1);
                                r1 = drop(r1, 1);
                                r2 = drop(r2, 1);
                            }
                        }
                        case "li" -> {
                            if (LI_ENDING.indexOf(at(word, 3)) >= 0) {
                                word = drop(word, 2);
                                r1 = drop(r1, 2);
                                r2 = drop(r2, 2);
                            }
                        }
                        default -> throw new AssertionError(suffix);
                    }
                }
                break;
            }
        }

        // Step 3.
        for (String suffix : STEP3) {
            if (word.endsWith(suffix)) {
                if (r1.endsWith(suffix)) {
                    switch (suffix) {
                        case "tional" -> {
                            word = drop(word, 2);
                            r1 = drop(r1, 2);
                            r2 = drop(r2, 2);
                        }
                        case "ational" -> {
                            word = replace(word, suffix, "ate");
                            r1 = r1.length() >= suffix.length() ? replace(r1, suffix, "ate") : "";
                            r2 = r2.length() >= suffix.length() ? replace(r2, suffix, "ate") : "";
                        }
                        case "alize" -> {
                            word = drop(word, 3);
                            r1 = drop(r1, 3);
                            r2 = drop(r2, 3);
                        }
                        case "icate", "iciti", "ical" -> {
                            word = replace(word, suffix, "ic");
                            r1 = r1.length() >= suffix.length() ? replace(r1, suffix, "ic") : "";
                            r2 = r2.length() >= suffix.length() ? replace(r2, suffix, "ic") : "";
                        }
                        case "ful", "ness" -> {
                            word = drop(word, suffix.length());
                            r1 = drop(r1, suffix.length());
                            r2 = drop(r2, suffix.length());
                        }
                        case "ative" -> {
                            if (r2.endsWith(suffix)) {
                                word = drop(word, 5);
                                r1 = drop(r1, 5);
                                r2 = drop(r2, 5);
                            }
                        }
                        default -> throw new AssertionError(suffix);
                    }
                }
                break;
            }
        }

        // Step 4: suffixes in R2.
        for (String suffix : STEP4) {
            if (word.endsWith(suffix)) {
                if (r2.endsWith(suffix)) {
                    if (suffix.equals("ion")) {
                        char before = at(word, 4);
                        if (before == 's' || before == 't') {
                            word = drop(word, 3);
                            r1 = drop(r1, 3);
                            r2 = drop(r2, 3);
                        }
                    } else {
                        word = drop(word, suffix.length());
                        r1 = drop(r1, suffix.length());
                        r2 = drop(r2, suffix.length());
                    }
                }
                break;
            }
        }

        // Step 5: final e and ll.
        if (r2.endsWith("l") && at(word, 2) == 'l') {
            word = drop(word, 1);
        } else if (r2.endsWith("e")) {
            word = drop(word, 1);
        } else if (r1.endsWith("e")) {
            if (word.length() >= 4 && (isVowel(at(word, 2)) || "wxY".indexOf(at(word, 2)) >= 0
                    || !isVowel(at(word, 3)) || isVowel(at(word, 4)))) {
                word = drop(word, 1);
            }
        }
        return word.replace('Y', 'y');
    }

    /** The region after the first non-vowel that follows a vowel (R1 of a word, or R2 of R1). */
    private static String region(String s) {
        for (int i = 1; i < s.length(); i++) {
            if (!isVowel(s.charAt(i)) && isVowel(s.charAt(i - 1))) {
                return s.substring(i + 1);
            }
        }
        return "";
    }

    private static boolean isVowel(char c) {
        return VOWELS.indexOf(c) >= 0 && c != 0;
    }

    private static boolean hasVowel(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isVowel(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsWithAny(String s, String[] suffixes) {
        for (String x : suffixes) {
            if (s.endsWith(x)) {
                return true;
            }
        }
        return false;
    }

    /** Python's {@code s[-k]}; NUL (no letter class) where Python would raise. */
    private static char at(String s, int k) {
        int i = s.length() - k;
        return i >= 0 && i < s.length() ? s.charAt(i) : 0;
    }

    /** Python's {@code s[:-n]} for n >= 1. */
    private static String drop(String s, int n) {
        return n >= s.length() ? "" : s.substring(0, s.length() - n);
    }

    /** NLTK's {@code suffix_replace}. */
    private static String replace(String s, String old, String repl) {
        return drop(s, old.length()) + repl;
    }
}
