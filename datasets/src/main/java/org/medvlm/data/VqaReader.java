package org.medvlm.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.medvlm.data.formats.HfParquet;
import org.medvlm.data.formats.PathVqa;
import org.medvlm.data.formats.PmcVqa;
import org.medvlm.data.formats.Slake;
import org.medvlm.data.formats.VqaMed;
import org.medvlm.data.formats.VqaRad;
import org.medvlm.io.Limit;

/**
 * Reads a VQA dataset as distributed. Options first, then the format:
 * {@code VqaDataset.read().lang("en").split("test").slake(dir)}. Each call returns a dataset with its
 * {@link LoadReport}; bad input (a missing file, malformed JSON, a CSV without a needed column) throws
 * an {@link IllegalArgumentException} whose one-line message names the file and the problem.
 */
public final class VqaReader {
    private String language = "all";
    private String split;

    VqaReader() {}

    /** Keeps only questions in {@code en} or {@code zh} ({@code all}, the default, keeps both). */
    public VqaReader lang(String language) {
        String l = language.strip().toLowerCase(Locale.ROOT);
        if (!List.of("en", "zh", "all").contains(l)) {
            throw new IllegalArgumentException("language '" + language + "': expected en, zh or all");
        }
        this.language = l;
        return this;
    }

    /** Keeps only one split ({@code train}, {@code test}, ... as the dataset names them). */
    public VqaReader split(String split) {
        this.split = split;
        return this;
    }

    /** VQA-RAD: {@code VQA_RAD Dataset Public.json} (or its folder), MEVF's {@code trainset.json}/{@code testset.json}, or the HF parquet export. */
    public VqaDataset vqaRad(Path path) {
        return filter(HfParquet.isParquet(path) ? HfParquet.load("vqa-rad", path) : VqaRad.load(path));
    }

    /** SLAKE 1.0: the folder with {@code train/validate/test.json} and {@code imgs/}, one of those files, or the HF parquet export. */
    public VqaDataset slake(Path path) {
        return filter(HfParquet.isParquet(path) ? HfParquet.load("slake", path) : Slake.load(path));
    }

    /** PathVQA: the LXMERT {@code pvqa_{split}.json} files (or their folder), or the HF parquet export. */
    public VqaDataset pathVqa(Path path) {
        return filter(HfParquet.isParquet(path) ? HfParquet.load("pathvqa", path) : PathVqa.load(path));
    }

    /** ImageCLEF VQA-Med of 2019, 2020 or 2021: a folder of the {@code |}-separated files, or one file. */
    public VqaDataset vqaMed(int year, Path path) {
        return filter(VqaMed.load(year, path));
    }

    /** PMC-VQA: {@code train.csv}/{@code test.csv}/{@code test_clean.csv} (v1) or {@code *_2.csv} (v2), or their folder. */
    public VqaDataset pmcVqa(Path path) {
        return filter(PmcVqa.load(path));
    }

    /** A Hugging Face parquet export ({@code image} struct, {@code question}, {@code answer}) of any VQA dataset. */
    public VqaDataset parquet(String dataset, Path path) {
        return filter(HfParquet.load(dataset, path));
    }

    /** The built-in synthetic dataset: {@code count} questions drawn deterministically from {@code seed}. */
    public VqaDataset phantoms(int count, long seed) {
        if (count <= 0) {
            throw new IllegalArgumentException("phantoms: the count must be positive, got " + count);
        }
        if (Limit.PHANTOMS.exceededBy(count)) {
            throw new IllegalArgumentException("phantoms: " + count + " examples is too many " + Limit.PHANTOMS.hint());
        }
        List<VqaExample> examples = generatePhantoms(count, seed);
        return filter(VqaDataset.of("phantoms", examples,
                new LoadReport.Builder("phantoms", Path.of(count + ":" + seed)).build()));
    }

    private static List<VqaExample> generatePhantoms(int count, long seed) {
        return org.medvlm.phantoms.Phantoms.generate(count, seed);
    }

    /** Any VQA format by name; caption corpora are refused here (use {@link CaptionDataset#read()}). */
    public VqaDataset format(DatasetFormat format, Path path) {
        return switch (format) {
            case VQA_RAD -> vqaRad(path);
            case SLAKE -> slake(path);
            case PATHVQA -> pathVqa(path);
            case VQA_MED_2019 -> vqaMed(2019, path);
            case VQA_MED_2020 -> vqaMed(2020, path);
            case VQA_MED_2021 -> vqaMed(2021, path);
            case PMC_VQA -> pmcVqa(path);
            case PHANTOMS -> format(format, path.toString());
            case PMC_OA, ROCO -> throw new IllegalArgumentException(format + " holds image-caption pairs, not questions: "
                    + "read it with CaptionDataset.read()");
        };
    }

    /**
     * As {@link #format(DatasetFormat, Path)}; for {@code phantoms} the text is {@code count:seed}, e.g. {@code 200:7}
     * (a bare count means seed 0).
     */
    public VqaDataset format(DatasetFormat format, String pathOrSpec) {
        if (format != DatasetFormat.PHANTOMS) {
            return format(format, Path.of(pathOrSpec));
        }
        String[] parts = pathOrSpec.split(":", -1);
        if (parts.length == 1 || parts.length == 2) {
            long count;
            long seed;
            try {
                count = Long.parseLong(parts[0].strip());
                seed = parts.length == 1 ? 0 : Long.parseLong(parts[1].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("phantoms: expected COUNT:SEED such as 200:7, got '"
                        + pathOrSpec + "'");
            }
            if (count <= 0 || Limit.PHANTOMS.exceededBy(count)) {
                throw new IllegalArgumentException("phantoms: the count must be 1 to " + Limit.PHANTOMS.value() + ", got "
                        + count + " " + Limit.PHANTOMS.hint());
            }
            return phantoms((int) count, seed);
        }
        throw new IllegalArgumentException("phantoms: expected COUNT:SEED such as 200:7, got '" + pathOrSpec + "'");
    }

    private VqaDataset filter(VqaDataset ds) {
        VqaDataset out = ds;
        if (split != null) {
            out = out.split(split);
        }
        if (!language.equals("all")) {
            int before = out.size();
            out = out.where(e -> e.language().equals(language));
            out = VqaDataset.of(out.name(), out.examples(), out.report().withNote(
                    "language filter " + language + ": kept " + out.size() + " of " + before + " questions"));
        }
        return out;
    }
}
