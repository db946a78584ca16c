package org.medvlm.bloom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of every layer, preallocated once as {@code [B, nh, capacity, hd]} per layer so a decoding step
 * writes its new slot in place instead of concatenating (which would copy the whole cache every token).
 * Attention reads the filled prefix {@code [:, :, :length]} as a strided view, again without a copy.
 * BLOOM needs no positions in the cache: ALiBi is recomputed from the attention mask each step.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int capacity;
    private int length;

    /** Allocates the cache in its own sub-manager of {@code parent}, on the parent's device. */
    public KvCache(NDManager parent, BloomConfig config, int batch, int capacity, DataType dtype) {
        this.manager = parent.newSubManager();
        this.capacity = capacity;
        this.keys = new NDArray[config.nLayer()];
        this.values = new NDArray[config.nLayer()];
        Shape shape = new Shape(batch, config.nHead(), capacity, config.headDim()); // (B, nh, cap, hd)
        for (int i = 0; i < keys.length; i++) {
            keys[i] = manager.zeros(shape, dtype);
            values[i] = manager.zeros(shape, dtype);
        }
    }

    /** Tokens already cached. */
    public int length() {
        return length;
    }

    /** Slots allocated. */
    public int capacity() {
        return capacity;
    }

    /**
     * Writes this step's keys/values {@code [B, nh, T, hd]} for {@code layer} after the cached ones and returns
     * views of everything cached so far, {@code [B, nh, length + T, hd]}, owned by {@code step}.
     */
    NDArray[] append(int layer, NDArray k, NDArray v, NDManager step) {
        long t = k.getShape().get(2);
        if (length + t > capacity) {
            throw new IllegalStateException("KV cache full: " + length + " cached + " + t + " new tokens > capacity " + capacity);
        }
        NDIndex slot = new NDIndex(":, :, {}:{}", length, length + t);
        keys[layer].set(slot, k);
        values[layer].set(slot, v);
        NDIndex filled = new NDIndex(":, :, :{}", length + t);
        return new NDArray[] {keys[layer].get(step, filled), values[layer].get(step, filled)};
    }

    /** Marks {@code t} more tokens as cached; called once per forward after every layer has appended. */
    void advance(int t) {
        length += t;
    }

    /**
     * Reorders the batch rows (beam search keeps the caches of the surviving beams): row i becomes old row
     * {@code rows[i]}.
     */
    public void reorder(long[] rows) {
        try (NDManager tmp = manager.newSubManager()) {
            NDArray idx = tmp.create(rows);
            for (int i = 0; i < keys.length; i++) {
                keys[i] = gatherRows(keys[i], idx);
                values[i] = gatherRows(values[i], idx);
            }
        }
    }

    private NDArray gatherRows(NDArray a, NDArray idx) {
        NDArray picked = a.get(new NDIndex("{}", idx)); // index_select along the batch axis (copy)
        picked.attach(manager);
        a.close();
        return picked;
    }

    @Override
    public void close() {
        manager.close();
    }
}
