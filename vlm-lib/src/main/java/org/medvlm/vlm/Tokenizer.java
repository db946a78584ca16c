package org.medvlm.vlm;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} read through DJL's tokenizers binding (Rust natives inside the jar,
 * nothing downloaded), plus the special ids the VLM needs. BLOOM's ids are unk 0, bos 1, eos 2, pad 3; the
 * built-in tokenizer uses the same. No special tokens are added on encoding: BLOOM prompts have no BOS.
 */
public final class Tokenizer implements AutoCloseable {
    private static final Map<String, String> OPTIONS = Map.of("addSpecialTokens", "false", "padding", "false",
            "truncation", "false", "maxLength", "-1");

    private static final String BUILTIN = "builtin/tokenizer.json";

    private final HuggingFaceTokenizer hf;
    private final SpecialIds special;
    private final byte[] json; // what was read: saving a model writes it, even after its file has gone

    /** Ids of the tokens generation and batching depend on. */
    public record SpecialIds(long eos, long pad) {}

    private Tokenizer(HuggingFaceTokenizer hf, SpecialIds special, byte[] json) {
        this.hf = hf;
        this.special = special;
        this.json = json;
    }

    /** Reads {@code tokenizer.json} (a file, or a folder holding one). */
    public static Tokenizer read(Path path, SpecialIds special) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no tokenizer.json");
        }
        long size = Files.size(file);
        if (org.medvlm.io.Limit.ANNOTATION_BYTES.exceededBy(size)) {
            throw new IOException(file + ": " + size + " bytes, too large for a tokenizer.json "
                    + org.medvlm.io.Limit.ANNOTATION_BYTES.hint());
        }
        byte[] bytes = Files.readAllBytes(file);
        return new Tokenizer(parse(new java.io.ByteArrayInputStream(bytes), file.toString()), special, bytes);
    }

    /** Reads a {@code tokenizer.json} stream; {@code name} is for error messages. */
    private static HuggingFaceTokenizer parse(InputStream in, String name) throws IOException {
        Offline.ensure();
        try {
            return HuggingFaceTokenizer.newInstance(in, OPTIONS);
        } catch (RuntimeException e) {
            // the Rust side reports a parse error as a RuntimeException with serde's message
            throw new IOException(name + ": not a readable tokenizer.json (" + e.getMessage() + ")", e);
        }
    }

    /** The tokenizer of the built-in small model, shipped as a resource. */
    public static Tokenizer builtin() {
        try (InputStream in = builtinStream()) {
            byte[] bytes = in.readAllBytes();
            return new Tokenizer(parse(new java.io.ByteArrayInputStream(bytes), "built-in tokenizer.json"), new SpecialIds(2, 3), bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static InputStream builtinStream() {
        InputStream in = Tokenizer.class.getResourceAsStream(BUILTIN);
        if (in == null) {
            throw new IllegalStateException("the built-in tokenizer.json resource is missing from the jar");
        }
        return in;
    }

    /** Writes the {@code tokenizer.json} this tokenizer was read from to {@code target}, atomically. */
    public void writeTo(Path target) throws IOException {
        org.medvlm.io.AtomicFiles.write(target, out -> out.write(json));
    }

    public long[] encode(String text) {
        Encoding e = hf.encode(text, false, false);
        return e.getIds();
    }

    public String decode(long[] ids) {
        return hf.decode(ids, true);
    }

    /** The tokens as strings (for inspection in a notebook). */
    public java.util.List<String> tokens(String text) {
        return java.util.List.of(hf.encode(text, false, false).getTokens());
    }

    public long eosId() {
        return special.eos();
    }

    public long padId() {
        return special.pad();
    }

    @Override
    public void close() {
        hf.close();
    }
}
