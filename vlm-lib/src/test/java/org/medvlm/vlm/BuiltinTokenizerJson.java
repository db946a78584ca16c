package org.medvlm.vlm;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the built-in {@code tokenizer.json} from {@code builtin/words.txt}: a WordPiece model whose
 * vocabulary holds BLOOM's four special tokens at BLOOM's ids, every printable ASCII character (alone and
 * as a {@code ##} continuation, so any English text encodes without unknowns) and the whole words. The
 * shipped resource must equal what this produces; {@link TokenizerTest} checks that and rewrites the
 * resource when run with {@code -Dmedvlm.regenerate=PATH_TO_RESOURCE}.
 */
final class BuiltinTokenizerJson {
    static final List<String> SPECIAL = List.of("<unk>", "<s>", "</s>", "<pad>");

    private BuiltinTokenizerJson() {}

    static List<String> words() throws IOException {
        try (InputStream in = Tokenizer.class.getResourceAsStream("builtin/words.txt")) {
            List<String> words = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String w = line.strip();
                if (!w.isEmpty() && !w.startsWith("#")) {
                    words.add(w);
                }
            }
            return words;
        }
    }

    static String build(List<String> words) {
        Set<String> vocab = new LinkedHashSet<>(SPECIAL);
        for (char c = '!'; c <= '~'; c++) {
            if (!Character.isUpperCase(c)) {
                vocab.add(String.valueOf(c));
            }
        }
        for (char c = '!'; c <= '~'; c++) {
            if (!Character.isUpperCase(c)) {
                vocab.add("##" + c);
            }
        }
        vocab.addAll(words);

        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        for (int i = 0; i < SPECIAL.size(); i++) {
            JsonObject t = new JsonObject();
            t.addProperty("id", i);
            t.addProperty("content", SPECIAL.get(i));
            t.addProperty("single_word", false);
            t.addProperty("lstrip", false);
            t.addProperty("rstrip", false);
            t.addProperty("normalized", false);
            t.addProperty("special", true);
            added.add(t);
        }
        root.add("added_tokens", added);
        JsonObject normalizer = new JsonObject();
        normalizer.addProperty("type", "BertNormalizer");
        normalizer.addProperty("clean_text", true);
        normalizer.addProperty("handle_chinese_chars", true);
        normalizer.add("strip_accents", JsonNull.INSTANCE);
        normalizer.addProperty("lowercase", true);
        root.add("normalizer", normalizer);
        // BERT's pre-tokenizer splits at every punctuation mark, so "x-ray" decodes as "x - ray": split at
        // whitespace, then isolate every punctuation mark but the hyphen, so hyphenated words stay whole
        JsonObject pre = new JsonObject();
        pre.addProperty("type", "Sequence");
        JsonArray steps = new JsonArray();
        JsonObject whitespace = new JsonObject();
        whitespace.addProperty("type", "WhitespaceSplit");
        steps.add(whitespace);
        JsonObject punctuation = new JsonObject();
        punctuation.addProperty("type", "Split");
        JsonObject pattern = new JsonObject();
        pattern.addProperty("Regex", "[^\\p{L}\\p{N}\\s-]");
        punctuation.add("pattern", pattern);
        punctuation.addProperty("behavior", "Isolated");
        punctuation.addProperty("invert", false);
        steps.add(punctuation);
        pre.add("pretokenizers", steps);
        root.add("pre_tokenizer", pre);
        root.add("post_processor", JsonNull.INSTANCE);
        JsonObject decoder = new JsonObject();
        decoder.addProperty("type", "WordPiece");
        decoder.addProperty("prefix", "##");
        decoder.addProperty("cleanup", true);
        root.add("decoder", decoder);
        JsonObject model = new JsonObject();
        model.addProperty("type", "WordPiece");
        model.addProperty("unk_token", "<unk>");
        model.addProperty("continuing_subword_prefix", "##");
        model.addProperty("max_input_chars_per_word", 100);
        JsonObject v = new JsonObject();
        int id = 0;
        for (String token : vocab) {
            v.addProperty(token, id++);
        }
        model.add("vocab", v);
        root.add("model", model);
        return new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create().toJson(root) + "\n";
    }
}
