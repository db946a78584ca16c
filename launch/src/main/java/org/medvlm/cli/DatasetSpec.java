package org.medvlm.cli;

import java.util.List;
import java.util.Locale;
import org.medvlm.data.DatasetFormat;
import org.medvlm.data.VqaDataset;
import org.medvlm.data.VqaExample;

/**
 * Resolves {@code --dataset}: {@code FORMAT:PATH} ({@code slake:Slake1.0}, {@code phantoms:200:7}) or the
 * name of a dataset the session's {@link DatasetCatalog} holds ({@code medvqa load ... as NAME}).
 */
final class DatasetSpec {
    private DatasetSpec() {}

    /** The first {@code n} examples of the dataset {@code spec} names. */
    static List<VqaExample> first(Display display, String spec, int n) {
        VqaDataset ds = resolve(display, spec);
        List<VqaExample> all = ds.examples();
        if (all.isEmpty()) {
            throw new UserError(spec + ": the dataset has no examples");
        }
        return List.copyOf(all.subList(0, Math.min(n, all.size())));
    }

    static VqaDataset resolve(Display display, String spec) {
        int colon = spec.indexOf(':');
        if (colon > 0) {
            String formatName = spec.substring(0, colon).toLowerCase(Locale.ROOT);
            DatasetFormat format;
            try {
                format = DatasetFormat.of(formatName);
            } catch (IllegalArgumentException e) {
                format = null;
            }
            if (format != null) {
                if (format.isCaptions()) {
                    throw new UserError(spec + ": " + formatName + " holds image captions, not questions");
                }
                return VqaDataset.read().format(format, spec.substring(colon + 1));
            }
        }
        DatasetCatalog catalog = DatasetCatalog.of(display);
        if (!catalog.contains(spec) && colon > 0) {
            throw new UserError("--dataset " + spec + ": unknown format '" + spec.substring(0, colon) + "' (formats: "
                    + DatasetsCommand.FORMATS + ") and no dataset of that name is loaded");
        }
        Object ds = catalog.get(spec);
        if (ds instanceof VqaDataset vqa) {
            return vqa;
        }
        throw new UserError(spec + ": holds image captions, not questions");
    }
}
