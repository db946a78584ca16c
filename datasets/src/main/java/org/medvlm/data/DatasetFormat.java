package org.medvlm.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The dataset layouts the toolkit reads, each under the name a user types ({@code --format slake}).
 * Hugging Face parquet exports of VQA-RAD, SLAKE and PathVQA are read under the same names: a
 * {@code .parquet} file, or a folder holding them, selects the parquet reader.
 */
public enum DatasetFormat {
    VQA_RAD("vqa-rad", false),
    SLAKE("slake", false),
    PATHVQA("pathvqa", false),
    VQA_MED_2019("vqa-med-2019", false),
    VQA_MED_2020("vqa-med-2020", false),
    VQA_MED_2021("vqa-med-2021", false),
    PMC_VQA("pmc-vqa", false),
    PMC_OA("pmc-oa", true),
    ROCO("roco", true),
    /** The built-in synthetic dataset; its "path" is {@code count:seed}, e.g. {@code 200:7}. */
    PHANTOMS("phantoms", false);

    private final String cliName;
    private final boolean captions;

    DatasetFormat(String cliName, boolean captions) {
        this.cliName = cliName;
        this.captions = captions;
    }

    /** The name a user types: {@code vqa-rad}, {@code vqa-med-2019}, ... */
    public String cliName() {
        return cliName;
    }

    /** True for image-caption corpora (PMC-OA, ROCO), which load as a {@link CaptionDataset}. */
    public boolean isCaptions() {
        return captions;
    }

    /** Parses a user's format name ({@code slake}, {@code VQA_RAD}, {@code vqa-med-2021}); unknown names list the known ones. */
    public static DatasetFormat of(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        for (DatasetFormat f : values()) {
            if (f.cliName.equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown dataset format '" + name + "'; known: " + names());
    }

    /** The known names, comma separated. */
    public static String names() {
        return Arrays.stream(values()).map(DatasetFormat::cliName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
