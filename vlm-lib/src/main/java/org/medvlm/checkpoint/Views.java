package org.medvlm.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/** The in-memory and renaming state dicts behind {@link StateDict#of} and {@link StateDict#renamed}. */
final class Views {
    private Views() {}

    static final class InMemory implements StateDict {
        private final Map<String, NDArray> arrays;
        private final String source;

        InMemory(Map<String, NDArray> arrays, String source) {
            this.arrays = Collections.unmodifiableMap(new LinkedHashMap<>(arrays));
            this.source = source;
        }

        @Override
        public Set<String> keys() {
            return arrays.keySet();
        }

        @Override
        public Optional<TensorSpec> find(String key) {
            NDArray a = arrays.get(key);
            return a == null ? Optional.empty() : Optional.of(new TensorSpec(key, a.getShape(), a.getDataType(), source));
        }

        @Override
        public String source() {
            return source;
        }

        @Override
        public NDArray load(String key, NDManager manager) {
            NDArray a = arrays.get(key);
            if (a == null) {
                expect(key);
            }
            // a copy on the caller's manager and device, so closing either side leaves the other valid
            NDArray copy = a.toDevice(manager.getDevice(), true);
            if (copy == a) {
                copy = a.duplicate();
            }
            copy.attach(manager);
            return copy;
        }

        @Override
        public void close() {}
    }

    static final class Renamed implements StateDict {
        private final StateDict base;
        private final Map<String, String> toBase = new LinkedHashMap<>();

        Renamed(StateDict base, UnaryOperator<String> rename) {
            this.base = base;
            for (String k : base.keys()) {
                String n = rename.apply(k);
                if (n == null) {
                    continue;
                }
                String clash = toBase.putIfAbsent(n, k);
                if (clash != null) {
                    throw new IllegalArgumentException("'" + clash + "' and '" + k + "' both map to '" + n
                            + "' in " + base.source());
                }
            }
        }

        @Override
        public Set<String> keys() {
            return Collections.unmodifiableSet(new LinkedHashSet<>(toBase.keySet()));
        }

        @Override
        public Optional<TensorSpec> find(String key) {
            String b = toBase.get(key);
            return b == null ? Optional.empty()
                    : base.find(b).map(s -> new TensorSpec(key, s.shape(), s.dtype(), s.source()));
        }

        @Override
        public String source() {
            return base.source();
        }

        @Override
        public Map<String, String> metadata() {
            return base.metadata();
        }

        @Override
        public NDArray load(String key, NDManager manager) {
            String b = toBase.get(key);
            if (b == null) {
                expect(key);
            }
            NDArray a = base.load(b, manager);
            a.setName(key);
            return a;
        }

        @Override
        public void close() throws IOException {
            base.close();
        }
    }
}
