package org.medvlm.checkpoint;

import ai.djl.ndarray.types.DataType;
import java.util.Map;
import java.util.Optional;

/** safetensors dtype names and DJL types, both ways; anything else is refused by name. */
final class Dtypes {
    private static final Map<String, DataType> BY_NAME = Map.of(
            "F64", DataType.FLOAT64,
            "F32", DataType.FLOAT32,
            "F16", DataType.FLOAT16,
            "BF16", DataType.BFLOAT16,
            "I64", DataType.INT64,
            "I32", DataType.INT32,
            "I16", DataType.INT16,
            "I8", DataType.INT8,
            "U8", DataType.UINT8,
            "BOOL", DataType.BOOLEAN);

    private Dtypes() {}

    static Optional<DataType> parse(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    static String name(DataType type) {
        for (Map.Entry<String, DataType> e : BY_NAME.entrySet()) {
            if (e.getValue() == type) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("safetensors has no element type for " + type);
    }
}
