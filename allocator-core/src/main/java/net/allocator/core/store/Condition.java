package net.allocator.core.store;

import static java.util.Objects.requireNonNull;

/** A condition of a {@link KeyValueStore#commit}. */
public sealed interface Condition {

    /** The key the condition is about. */
    String key();

    /** Holds when the key does not exist (etcd: createRevision == 0; Consul: cas=0). */
    static Condition absent(String key) {
        return new Absent(key);
    }

    /** Holds when the key exists and its version is exactly {@code version}. */
    static Condition atVersion(String key, long version) {
        return new AtVersion(key, version);
    }

    /** See {@link Condition#absent}. */
    record Absent(String key) implements Condition {
        public Absent {
            requireNonNull(key, "key");
        }
    }

    /** See {@link Condition#atVersion}. */
    record AtVersion(String key, long version) implements Condition {
        public AtVersion {
            requireNonNull(key, "key");
            if (version <= 0) {
                throw new IllegalArgumentException("version must be positive: " + version);
            }
        }
    }
}
