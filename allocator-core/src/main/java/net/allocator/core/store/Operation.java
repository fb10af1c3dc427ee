package net.allocator.core.store;

import static java.util.Objects.requireNonNull;

/** A write of a {@link KeyValueStore#commit}. */
public sealed interface Operation {

    /** Sets {@code key} to {@code value}, creating it if needed. */
    static Operation put(String key, String value) {
        return new Put(key, value);
    }

    /** Deletes {@code key}; deleting a missing key is not an error. */
    static Operation delete(String key) {
        return new Delete(key);
    }

    /** Deletes every key that starts with {@code prefix}. */
    static Operation deletePrefix(String prefix) {
        return new DeletePrefix(prefix);
    }

    /** See {@link Operation#put}. */
    record Put(String key, String value) implements Operation {
        public Put {
            requireNonNull(key, "key");
            requireNonNull(value, "value");
        }
    }

    /** See {@link Operation#delete}. */
    record Delete(String key) implements Operation {
        public Delete {
            requireNonNull(key, "key");
        }
    }

    /** See {@link Operation#deletePrefix}. */
    record DeletePrefix(String prefix) implements Operation {
        public DeletePrefix {
            requireNonNull(prefix, "prefix");
            if (prefix.isEmpty()) {
                throw new IllegalArgumentException("refusing to delete every key: empty prefix");
            }
        }
    }
}
