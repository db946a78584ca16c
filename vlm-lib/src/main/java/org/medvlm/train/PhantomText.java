package org.medvlm.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The phantoms as text, for pre-training the built-in language model: a findings sentence (a one-line report of a
 * case's true attributes, in the built-in tokenizer's words) and the phantom questions with their answers.
 */
final class PhantomText {
    private PhantomText() {}

    /** One question of a case: its kind, the prompt ({@code Question: ... Answer:}) and the answer word. */
    record Question(String kind, String prompt, String answer) {}

    private static final Map<String, List<String>> TEMPLATES = Map.of(
            "PRESENCE", List.of("Is there a lesion in this image?", "Does this image show a lesion?"),
            "SIDE", List.of("Which side is the lesion on, left or right?", "Is the lesion on the left or the right side?"),
            "MODALITY", List.of("Which imaging modality is this, CT, MRI or X-ray?", "Is this a CT, an MRI or an X-ray?"),
            "ORGAN", List.of("Which organ contains the lesion?", "In which organ is the lesion?"),
            "COUNT", List.of("How many lesions are there?", "How many lesions can be seen?"));
    private static final List<String> KINDS = List.of("PRESENCE", "SIDE", "MODALITY", "ORGAN", "COUNT");

    /** "ct image of the abdomen, axial plane. 2 small lesions in the liver, on the right side." */
    static String findings(Map<String, String> m) {
        int n = Integer.parseInt(m.get("count"));
        String s = m.get("modality") + " image of the " + m.get("region") + ", " + m.get("plane") + " plane.";
        if (n == 0) {
            return s + " " + n + " lesions in the " + m.get("organ") + ".";
        }
        String side = m.get("side").equals("both") ? "both sides" : "the " + m.get("side") + " side";
        return s + " " + n + " " + m.get("lesion_size") + " " + (n == 1 ? "lesion" : "lesions") + " in the " + m.get("organ")
                + ", on " + side + ".";
    }

    /** The questions this case answers (side only with lesions on one side, organ only with lesions). */
    static List<Question> questions(Map<String, String> m, SplittableRandom rnd) {
        List<Question> out = new ArrayList<>();
        int n = Integer.parseInt(m.get("count"));
        for (String kind : KINDS) {
            String a = switch (kind) {
                case "PRESENCE" -> n > 0 ? "yes" : "no";
                case "SIDE" -> m.get("side").equals("left") || m.get("side").equals("right") ? m.get("side") : null;
                case "MODALITY" -> m.get("modality");
                case "ORGAN" -> n > 0 ? m.get("organ") : null;
                default -> Integer.toString(n);
            };
            List<String> templates = TEMPLATES.get(kind);
            String q = templates.get(rnd.nextInt(templates.size()));
            if (a != null) {
                out.add(new Question(kind, "Question: " + q + " Answer:", a));
            }
        }
        return out;
    }
}
