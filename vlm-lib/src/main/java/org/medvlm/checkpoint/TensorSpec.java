package org.medvlm.checkpoint;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * What a checkpoint says about one tensor: its key, shape and element type, without its data.
 *
 * @param key the checkpoint key, e.g. {@code blocks.0.attn.qkv.weight}
 * @param shape the tensor's shape
 * @param dtype the element type as stored (F32, F16, BF16, I64, ...)
 * @param source the file that holds it (for messages)
 */
public record TensorSpec(String key, Shape shape, DataType dtype, String source) {

    /** Bytes of the stored data. */
    public long byteSize() {
        return shape.size() * dtype.getNumOfBytes();
    }

    @Override
    public String toString() {
        return key + " " + Dtypes.name(dtype) + shape;
    }
}
