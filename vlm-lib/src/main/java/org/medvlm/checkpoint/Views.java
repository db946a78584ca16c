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

/** The in-memory, renaming and union state dicts behind {@link StateDict#of}, {@link StateDict#renamed} and {@link StateDict#union}. */
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

    static final class Union implements StateDict {
        private final java.util.List<StateDict> parts;
        private final Map<String, StateDict> owner = new LinkedHashMap<>();
        private final String source;

        Union(java.util.List<StateDict> parts, String source) {
            this.parts = java.util.List.copyOf(parts);
            this.source = source;
            for (StateDict p : this.parts) {
                for (String k : p.keys()) {
                    StateDict clash = owner.putIfAbsent(k, p);
                    if (clash != null) {
                        throw new IllegalArgumentException("'" + k + "' is in both " + clash.source() + " and " + p.source());
                    }
                }
            }
        }

        @Override
        public Set<String> keys() {
            return Collections.unmodifiableSet(owner.keySet());
        }

        @Override
        public Optional<TensorSpec> find(String key) {
            StateDict p = owner.get(key);
            return p == null ? Optional.empty() : p.find(key);
        }

        @Override
        public String source() {
            return source;
        }

        @Override
        public NDArray load(String key, NDManager manager) {
            StateDict p = owner.get(key);
            if (p == null) {
                expect(key);
            }
            return p.load(key, manager);
        }

        @Override
        public void close() throws IOException {
            IOException first = null;
            for (StateDict p : parts) {
                try {
                    p.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
