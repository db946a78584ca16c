package org.medvlm.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SnowballEnglishTest {

    /** Pairs from the Snowball project's English sample vocabulary and its published output. */
    @ParameterizedTest
    @CsvSource({
        "consign,consign", "consigned,consign", "consigning,consign", "consignment,consign",
        "consistency,consist", "consistent,consist", "consistently,consist", "consists,consist",
        "consolation,consol", "consolatory,consolatori", "consoles,consol", "consolidated,consolid",
        "consolingly,consol", "conspicuous,conspicu", "conspiracy,conspiraci", "conspirators,conspir",
        "constable,constabl", "constancy,constanc", "caresses,caress", "ponies,poni", "ties,tie",
        "cries,cri", "happily,happili", "running,run", "hopping,hop", "hoped,hope", "agreed,agre",
        "generously,generous", "communication,communic", "arsenal,arsenal",
        // NLTK's exceptional forms and its short-word rule
        "skies,sky", "dying,die", "news,news", "proceeding,proceed", "is,is", "ct,ct",
    })
    void matchesTheSnowballVocabulary(String word, String stem) {
        assertEquals(stem, SnowballEnglish.stem(word));
    }

    /**
     * Worked by hand. abnormality: R1 = "normality" (after "ab"), R2 = "mality"; step 2 "aliti" in R1
     * gives "abnormal" (R2 "mal"); step 4 "al" in R2 gives "abnorm". embolism: R1 "bolism", R2 "ism";
     * step 4 drops "ism". pulmonary: step 1c turns the y after "r" into i. lobes: step 1a drops the s
     * ("lob" has a vowel); step 5 keeps the e because "lob" is a short syllable.
     */
    /** More from the same vocabulary (snowballstem/snowball-data english/voc.txt and output.txt), across all steps. */
    @ParameterizedTest
    @CsvSource({
        "abandonment,abandon", "abatements,abat", "abbominable,abbomin", "abbreviation,abbrevi", "abdication,abdic",
        "abdominal,abdomin", "abilities,abil", "ability,abil", "abnormally,abnorm", "abolition,abolit",
        "aboriginally,aborigin", "abstemious,abstemi", "abstinence,abstin", "absurdities,absurd", "abundance,abund",
        "aby,abi", "academies,academi", "accessary,accessari", "accidentally,accident", "acclivity,accliv",
        "accompanied,accompani", "accuracy,accuraci", "accurately,accur", "achievement,achiev",
        "acquaintanceship,acquaintanceship", "acrimoniously,acrimoni", "actively,activ", "actuality,actual",
        "adaptability,adapt", "additionally,addit", "adherence,adher", "administrative,administr",
        "admiralty,admiralti", "admittance,admitt", "adoptious,adopti", "adulation,adul", "adversities,advers",
        "aeronautics,aeronaut", "affability,affabl", "affectionately,affection", "agreeably,agreeabl",
        "agriculturists,agriculturist", "airily,airili", "alacrity,alacr", "allegiance,allegi", "alliances,allianc",
        "almighty,almighti", "alternatives,altern", "amazedness,amazed", "ambiguities,ambigu",
        "amiabilities,amiabl", "amicability,amic", "anathematizing,anathemat", "anglicanism,anglican",
        "annihilation,annihil", "antagonistic,antagonist", "anticipations,anticip", "apologetically,apologet",
        "apostrophised,apostrophis", "appallingly,appal", "appealingly,appeal", "appropriateness,appropri",
        "approvingly,approv", "arbitrarily,arbitrarili", "archaeologically,archaeolog", "abed,abe", "aa',aa",
    })
    void matchesMoreOfTheSnowballVocabulary(String word, String stem) {
        assertEquals(stem, SnowballEnglish.stem(word));
    }

    @ParameterizedTest
    @CsvSource({"abnormality,abnorm", "embolism,embol", "pulmonary,pulmonari", "lobes,lobe", "lobe,lobe",
        "Fractures,fractur", "hemorrhage,hemorrhag"})
    void medicalWordsWorkedByHand(String word, String stem) {
        assertEquals(stem, SnowballEnglish.stem(word));
    }
}
