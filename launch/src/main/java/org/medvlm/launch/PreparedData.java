package org.medvlm.launch;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.medvlm.data.DatasetFormat;
import org.medvlm.data.ImageSource;
import org.medvlm.data.VqaDataset;
import org.medvlm.data.VqaExample;
import org.medvlm.io.AtomicFiles;
import org.medvlm.phantoms.Phantoms;
import org.medvlm.vlm.PromptTemplate;
import org.medvlm.vlm.Tokenizer;

/**
 * A dataset prepared once, by the Java loaders, for the Python trainer (FORMATS.md "Prepared data"):
 * {@code manifest.jsonl} (one example per line with the token ids the model's tokenizer makes, since Debian's Python
 * has no {@code tokenizers}), {@code prepare.json}, {@code tokenizer.json}, and the images that exist only in memory
 * (phantoms, parquet-embedded files) written under {@code images/}. Image files on disk are referenced by absolute
 * path, never copied.
 *
 * <p>Token layout: {@code prompt_ids} = the prompt template applied to the question; {@code answer_ids} = the
 * answer with one leading space (so a BPE tokenizer makes the word it generates after "Answer:"), then EOS. Preparing
 * again with the same source and tokenizer is free (the folder is kept); a folder holding something else is refused.
 */
public final class PreparedData {
    public static final int SCHEMA = 1;
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    /**
     * What a prepared folder says about itself.
     *
     * @param dir the folder
     * @param count examples
     * @param maxTextTokens the longest prompt + answer (+ EOS) in tokens
     */
    public record Summary(Path dir, int count, Map<String, Integer> splits, int maxTextTokens, boolean reused) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %d examples %s, at most %d text tokens%s", dir, count, splits,
                    maxTextTokens, reused ? " (already prepared)" : "");
        }
    }

    private PreparedData() {}

    /** The dataset a {@code FORMAT:PATH} spec names ({@code phantoms:400:3}, {@code slake:/data/Slake1.0}). */
    public static VqaDataset load(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("dataset " + spec + ": expected FORMAT:PATH (formats: " + DatasetFormat.names() + ")");
        }
        DatasetFormat format = DatasetFormat.of(spec.substring(0, colon));
        if (format.isCaptions()) {
            throw new IllegalArgumentException("dataset " + spec + ": " + format + " holds image captions, not questions");
        }
        return VqaDataset.read().format(format, spec.substring(colon + 1));
    }

    /** The longest prompt + answer + EOS in tokens, without writing anything (for dry runs and memory plans). */
    public static int maxTextTokens(VqaDataset dataset, Tokenizer tokenizer, PromptTemplate prompt) {
        int max = 0;
        for (VqaExample e : dataset) {
            max = Math.max(max, tokenizer.encode(prompt.apply(e.question())).length + answerIds(tokenizer, e.answer()).length);
        }
        return max;
    }

    /** The answer's ids as trained: one leading space, the answer, EOS. */
    public static long[] answerIds(Tokenizer tokenizer, String answer) {
        long[] ids = tokenizer.encode(" " + answer.strip());
        long[] out = java.util.Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = tokenizer.eosId();
        return out;
    }

    /**
     * Writes the prepared folder {@code out} for {@code spec}, with the tokenizer and prompt template of the model.
     *
     * @param tokenizerFile the tokenizer.json to copy next to the manifest (null for the built-in tokenizer)
     */
    public static Summary prepare(String spec, Tokenizer tokenizer, Path tokenizerFile, PromptTemplate prompt, Path out)
            throws IOException {
        String tokenizerName = tokenizerFile == null ? "builtin" : tokenizerFile.toAbsolutePath().toString();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + ": exists and is not a folder");
        }
        Path marker = out.resolve("prepare.json");
        if (Files.isRegularFile(marker)) {
            JsonObject old = readJson(marker);
            if (old.has("source") && old.get("source").getAsString().equals(spec)
                    && old.has("tokenizer") && old.get("tokenizer").getAsString().equals(tokenizerName)
                    && old.has("prompt_template") && old.get("prompt_template").getAsString().equals(prompt.template())
                    && Files.isRegularFile(out.resolve("manifest.jsonl"))) {
                return summary(out, old, true);
            }
            throw new IllegalArgumentException(out + ": holds data prepared from " + old.get("source") + " with tokenizer "
                    + old.get("tokenizer") + "; give an empty or new --out folder");
        }
        if (Files.isDirectory(out)) {
            try (Stream<Path> s = Files.list(out)) {
                if (s.findAny().isPresent()) {
                    throw new IllegalArgumentException(out + ": not empty and not a prepared dataset; give an empty or new folder");
                }
            }
        }
        VqaDataset dataset = load(spec);
        if (dataset.size() == 0) {
            throw new IllegalArgumentException("dataset " + spec + ": no examples");
        }
        Files.createDirectories(out.resolve("images"));
        StringBuilder manifest = new StringBuilder();
        Map<String, Integer> splits = new TreeMap<>();
        int maxText = 0;
        Integer imageSize = null;
        int index = 0;
        for (VqaExample e : dataset) {
            JsonObject line = new JsonObject();
            line.addProperty("id", e.id());
            line.addProperty("image", image(e, index++, out));
            line.addProperty("question", e.question());
            JsonArray answers = new JsonArray();
            e.answers().forEach(answers::add);
            line.add("answers", answers);
            line.addProperty("answer_type", e.answerType().name().toLowerCase(Locale.ROOT));
            line.addProperty("split", e.split());
            line.addProperty("question_type", e.metadata().getOrDefault("question_type", e.metadata().getOrDefault("content_type", "")));
            line.addProperty("dataset", e.dataset());
            long[] promptIds = tokenizer.encode(prompt.apply(e.question()));
            long[] answerIds = answerIds(tokenizer, e.answer());
            line.add("prompt_ids", array(promptIds));
            line.add("answer_ids", array(answerIds));
            manifest.append(GSON.toJson(line)).append('\n');
            splits.merge(e.split(), 1, Integer::sum);
            maxText = Math.max(maxText, promptIds.length + answerIds.length);
            if (e.dataset().equals(Phantoms.DATASET)) {
                imageSize = Phantoms.IMAGE_SIZE;
            }
        }
        if (tokenizerFile != null) {
            byte[] bytes = Files.readAllBytes(tokenizerFile);
            AtomicFiles.write(out.resolve("tokenizer.json"), o -> o.write(bytes));
        } else {
            tokenizer.writeTo(out.resolve("tokenizer.json"));
        }
        AtomicFiles.writeString(out.resolve("manifest.jsonl"), manifest.toString());
        JsonObject info = new JsonObject();
        info.addProperty("schema", SCHEMA);
        info.addProperty("source", spec);
        info.addProperty("count", dataset.size());
        info.add("splits", GSON.toJsonTree(splits));
        info.addProperty("tokenizer", tokenizerName);
        info.addProperty("prompt_template", prompt.template());
        info.addProperty("image_size", imageSize);
        info.addProperty("max_text_tokens", maxText);
        info.addProperty("eos_token_id", tokenizer.eosId());
        info.addProperty("pad_token_id", tokenizer.padId());
        // written last: its presence says the folder is complete
        AtomicFiles.writeString(marker, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(info) + "\n");
        return summary(out, info, false);
    }

    /** Reads what {@code prepare.json} says about a prepared folder. */
    public static Summary read(Path dir) throws IOException {
        Path marker = dir.resolve("prepare.json");
        if (!Files.isRegularFile(marker)) {
            throw new IOException(dir + ": not a prepared dataset (no prepare.json; run 'medvlm datasets prepare')");
        }
        return summary(dir, readJson(marker), true);
    }

    private static Summary summary(Path dir, JsonObject info, boolean reused) {
        Map<String, Integer> splits = new LinkedHashMap<>();
        if (info.has("splits")) {
            info.getAsJsonObject("splits").entrySet().forEach(en -> splits.put(en.getKey(), en.getValue().getAsInt()));
        }
        int max = info.has("max_text_tokens") ? info.get("max_text_tokens").getAsInt() : 0;
        return new Summary(dir, info.get("count").getAsInt(), splits, max, reused);
    }

    /** The manifest's image reference: a file on disk by absolute path; an image held in memory written under images/. */
    private static String image(VqaExample e, int index, Path out) throws IOException {
        ImageSource src = e.image();
        if (src == null) {
            return null;
        }
        if (src instanceof ImageSource.File f) {
            return f.path().toAbsolutePath().toString();
        }
        // the index keeps examples that share an id (datasets have duplicates) from sharing a file
        String name = String.format(Locale.ROOT, "images/%06d-%s", index, safeName(e.id(), src.name()));
        Path target = out.resolve(name);
        if (src instanceof ImageSource.Embedded em) {
            byte[] bytes = em.bytes();
            AtomicFiles.write(target, o -> o.write(bytes));
        } else {
            BufferedImage img;
            try {
                img = src.load();
            } catch (UncheckedIOException ex) {
                throw ex.getCause();
            }
            AtomicFiles.write(target, o -> {
                if (!ImageIO.write(img, "png", o)) {
                    throw new IOException(target + ": no PNG writer");
                }
            });
        }
        return name;
    }

    /** A file name from the example's id (and the source's extension) that cannot leave images/. */
    static String safeName(String id, String sourceName) {
        String ext = "png";
        int dot = sourceName.lastIndexOf('.');
        if (dot > 0 && dot < sourceName.length() - 1) {
            ext = sourceName.substring(dot + 1).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        }
        String base = id.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^\\.+", "_");
        return (base.isEmpty() ? "image" : base) + "." + (ext.isEmpty() ? "png" : ext);
    }

    private static JsonArray array(long[] ids) {
        JsonArray a = new JsonArray();
        for (long id : ids) {
            a.add(id);
        }
        return a;
    }

    private static JsonObject readJson(Path file) throws IOException {
        try {
            return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException ex) {
            throw new IOException(file + ": malformed JSON (" + ex.getMessage() + ")", ex);
        }
    }
}
