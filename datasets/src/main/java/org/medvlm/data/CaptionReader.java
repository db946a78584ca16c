package org.medvlm.data;

import java.nio.file.Path;
import org.medvlm.data.formats.PmcOa;
import org.medvlm.data.formats.Roco;

/** Reads an image-caption corpus as distributed: {@code CaptionDataset.read().split("test").roco(dir)}. */
public final class CaptionReader {
    private String split;

    CaptionReader() {}

    /** Keeps only one split ({@code train}, {@code validation}, {@code test}). */
    public CaptionReader split(String split) {
        this.split = split;
        return this;
    }

    /** ROCO: a {@code captions.txt}, a subset folder ({@code radiology}), a split folder or the {@code data} root. */
    public CaptionDataset roco(Path path) {
        return filter(Roco.load(path));
    }

    /** PMC-OA: {@code pmc_oa.jsonl} (one {@code {"image", "caption"}} object per line), or a folder of such files. */
    public CaptionDataset pmcOa(Path path) {
        return filter(PmcOa.load(path));
    }

    /** A caption format by name. */
    public CaptionDataset format(DatasetFormat format, Path path) {
        return switch (format) {
            case ROCO -> roco(path);
            case PMC_OA -> pmcOa(path);
            default -> throw new IllegalArgumentException(format + " holds questions, not captions: read it with VqaDataset.read()");
        };
    }

    private CaptionDataset filter(CaptionDataset ds) {
        if (split == null) {
            return ds;
        }
        if (!ds.splits().containsKey(split)) {
            throw new IllegalArgumentException("split '" + split + "' not found in " + ds.name() + "; available: "
                    + String.join(", ", ds.splits().keySet()));
        }
        return ds.where("split", split);
    }
}
