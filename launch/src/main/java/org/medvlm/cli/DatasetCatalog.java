package org.medvlm.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.medvlm.data.CaptionDataset;
import org.medvlm.data.VqaDataset;

/**
 * Datasets loaded under a name ({@code medvqa load slake DIR as train}) for later {@code show} and
 * {@code stats}. It is kept in the display's {@link Session}: one process in the terminal, one kernel in
 * the notebook.
 */
public final class DatasetCatalog {
    private final Map<String, Object> datasets = new LinkedHashMap<>();

    /** The catalog of {@code display}'s session. */
    static DatasetCatalog of(Display display) {
        return display.session().get(DatasetCatalog.class, DatasetCatalog::new);
    }

    /** Stores a {@link VqaDataset} or {@link CaptionDataset} under {@code name}, replacing any earlier one. */
    public void put(String name, Object dataset) {
        if (!(dataset instanceof VqaDataset) && !(dataset instanceof CaptionDataset)) {
            throw new IllegalArgumentException("not a dataset: " + dataset.getClass().getSimpleName());
        }
        datasets.put(name, dataset);
    }

    /** The dataset called {@code name}; an unknown name lists the loaded ones. */
    public Object get(String name) {
        Object ds = datasets.get(name);
        if (ds == null) {
            throw new UserError("no dataset named '" + name + "' is loaded"
                    + (datasets.isEmpty() ? " (load one with: medvqa load FORMAT PATH as " + name + ")"
                            : "; loaded: " + String.join(", ", datasets.keySet())));
        }
        return ds;
    }

    public boolean contains(String name) {
        return datasets.containsKey(name);
    }

    public Set<String> names() {
        return datasets.keySet();
    }
}
