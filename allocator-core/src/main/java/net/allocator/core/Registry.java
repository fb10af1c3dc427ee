package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import net.allocator.core.StoredRecords.StoredNetwork;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;

/** {@link NetworkRegistry} over the store: networks registered, listed, found and removed. Thread-safe. */
final class Registry {
    private final KeyValueStore store;
    private final KeyLayout keys;
    private final NetworkCache networks;

    Registry(KeyValueStore store, KeyLayout keys, NetworkCache networks) {
        this.store = store;
        this.keys = keys;
        this.networks = networks;
    }

    /** See {@link NetworkRegistry#register}. */
    Network register(Network network) {
        requireNonNull(network, "network");
        String key = keys.networkKey(Network.checkName(network.name()));
        boolean created = store.commit(List.of(Condition.absent(key)),
                List.of(Operation.put(key, StoredRecords.encodeNetwork(network, StoredRecords.OPEN))));
        if (!created) {
            throw new NetworkAlreadyExistsException("network '" + network.name() + "' already exists");
        }
        return network;
    }

    /** See {@link NetworkRegistry#list}. */
    SortedMap<String, String> descriptions() {
        SortedMap<String, String> out = new TreeMap<>();
        String after = null;
        ScanPage page;
        do {
            page = store.scan(keys.networksPrefix(), after, store.preferredScanLimit());
            for (KeyValue kv : page.entries()) {
                StoredNetwork stored = StoredRecords.readNetwork(kv.value(), kv.key());
                out.put(keys.nameOfNetworkKey(kv.key()), stored.description() == null ? "" : stored.description());
                after = kv.key();
            }
        } while (page.more() && !page.entries().isEmpty());
        return out;
    }

    /** See {@link NetworkRegistry#find}. */
    Optional<Network> find(String name) {
        return networks.read(Network.checkName(name)).map(NetworkCache.VersionedNetwork::network);
    }

    /** See {@link NetworkRegistry#remove}. */
    void remove(String name, boolean force) {
        Network.checkName(name);
        String key = keys.networkKey(name);
        while (true) {
            KeyValue current = store.get(key).orElseThrow(() -> NetworkNotFoundException.notRegistered(name));
            StoredNetwork stored = StoredRecords.readNetwork(current.value(), key);
            List<Operation> deleteAll = List.of(Operation.delete(key),
                    Operation.deletePrefix(keys.addressesPrefix(name)), Operation.deletePrefix(keys.ownersPrefix(name)));
            if (force) {
                if (store.commit(List.of(Condition.atVersion(key, current.version())), deleteAll)) {
                    networks.forget(name);
                    return;
                }
                continue;
            }
            // Mark the network first, so that any allocation racing with this check fails on the
            // network's changed version instead of landing after the check and being deleted.
            long marked = current.version();
            if (!StoredRecords.REMOVING.equals(stored.state())) {
                String removing = StoredRecords.encodeNetwork(StoredRecords.decodeNetwork(stored), StoredRecords.REMOVING);
                if (!store.commit(List.of(Condition.atVersion(key, current.version())), List.of(Operation.put(key, removing)))) {
                    continue;
                }
                marked = store.get(key).map(KeyValue::version).orElseThrow(() -> NetworkNotFoundException.notRegistered(name));
            }
            ScanPage used = store.scan(keys.addressesPrefix(name), null, 1);
            if (!used.entries().isEmpty()) {
                String open = StoredRecords.encodeNetwork(StoredRecords.decodeNetwork(stored), StoredRecords.OPEN);
                store.commit(List.of(Condition.atVersion(key, marked)), List.of(Operation.put(key, open)));
                throw new NetworkInUseException("network '" + name + "' has used addresses; release them or force the removal");
            }
            if (store.commit(List.of(Condition.atVersion(key, marked)), deleteAll)) {
                networks.forget(name);
                return;
            }
        }
    }
}
