package org.medvlm.layers;

import java.util.List;

/** Children registered as {@code 0, 1, 2, ...}, like PyTorch's {@code nn.ModuleList} ({@code h.0}, {@code h.1}). */
public final class ModuleList<M extends Module> extends Module {
    private final List<M> items;

    /** Registers the items under their indices. */
    public ModuleList(List<M> items) {
        this.items = List.copyOf(items);
        for (int i = 0; i < this.items.size(); i++) {
            addChild(Integer.toString(i), this.items.get(i));
        }
    }

    /** The item at {@code index}. */
    public M get(int index) {
        return items.get(index);
    }

    /** Number of items. */
    public int size() {
        return items.size();
    }
}
