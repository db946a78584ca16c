package org.medvlm.metrics;

import org.tartarus.snowball.ext.EnglishStemmer;

/**
 * The Snowball English ("Porter2") stemmer as NLTK's {@code SnowballStemmer("english").stem} applies it, which the
 * ImageCLEF VQA-Med evaluator uses for its BLEU: the word is lower-cased first (as NLTK does; Snowball itself does
 * not), then stemmed by the Snowball project's own generated Java stemmer as Lucene ships it
 * ({@code lucene-analysis-common}). It agrees with NLTK 3.8 on the 26,183 distinct words of the MedVQA files and on
 * the Snowball vocabulary sample in the tests, exceptional forms ({@code skies -> sky}, {@code news}) and the
 * short-word rule included.
 */
final class SnowballEnglish {
    private SnowballEnglish() {}

    /** The stem of one word. A new stemmer each call: Snowball's keep their word as state and are not thread-safe. */
    static String stem(String word) {
        EnglishStemmer stemmer = new EnglishStemmer();
        stemmer.setCurrent(PyText.lower(word));
        stemmer.stem();
        return stemmer.getCurrent();
    }
}
