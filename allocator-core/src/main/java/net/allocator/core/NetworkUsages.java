package net.allocator.core;

import java.util.SortedMap;
import java.util.TreeMap;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;

/**
 * {@link NetworkRegistry#usage} and {@link NetworkRegistry#usageOfAll}: a pool's size from the
 * network's definition, its used addresses counted by the store ({@link KeyValueStore#count}),
 * never listed here and never taken from this instance's view, so that every instance answers
 * alike. Thread-safe.
 */
final class NetworkUsages {
    private final KeyValueStore store;
    private final KeyLayout keys;
    private final NetworkCache networks;

    NetworkUsages(KeyValueStore store, KeyLayout keys, NetworkCache networks) {
        this.store = store;
        this.keys = keys;
        this.networks = networks;
    }

    /** See {@link NetworkRegistry#usage}. */
    NetworkUsage usage(String name) {
        Network network = networks.require(name);
        return NetworkUsage.of(name, network.pool().size(), store.count(keys.addressesPrefix(name)));
    }

    /** See {@link NetworkRegistry#usageOfAll}. */
    SortedMap<String, NetworkUsage> usageOfAll() {
        SortedMap<String, NetworkUsage> out = new TreeMap<>();
        for (KeyValue kv : PrefixReads.all(store, keys.networksPrefix())) {
            String name = keys.nameOfNetworkKey(kv.key());
            Network network = StoredRecords.decodeEffective(StoredRecords.readNetwork(kv.value(), kv.key()));
            out.put(name, NetworkUsage.of(name, network.pool().size(), store.count(keys.addressesPrefix(name))));
        }
        return out;
    }
}
