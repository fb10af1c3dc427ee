package net.allocator.core.store;

import static java.util.Objects.requireNonNull;

/**
 * One stored key with its value and version.
 *
 * @param key the full key
 * @param value the value, UTF-8 text
 * @param version the store's version of this key's current value (etcd: mod revision; Consul:
 *     ModifyIndex), positive, and different after every change of the key; used in {@link
 *     Condition.AtVersion}
 */
public record KeyValue(String key, String value, long version) {
    public KeyValue {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
    }
}
