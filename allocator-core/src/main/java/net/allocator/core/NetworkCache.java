package net.allocator.core;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import net.allocator.core.StoredRecords.StoredNetwork;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;

/**
 * One allocator's networks: the {@link NetworkState} of each network in use, loaded on first use
 * and dropped when the stored network changes; and each network's definition decoded once per
 * stored text. Thread-safe.
 */
final class NetworkCache {
    private final KeyValueStore store;
    private final KeyLayout keys;
    private final ConcurrentHashMap<String, NetworkState> states = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DecodedNetwork> decoded = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A network as stored now, and the version it is stored at. */
    record VersionedNetwork(Network network, long version, boolean removing) {}

    private record DecodedNetwork(String text, Network network, boolean removing) {}

    NetworkCache(KeyValueStore store, KeyLayout keys) {
        this.store = store;
        this.keys = keys;
    }

    /**
     * The state of a network, loading it when needed. No lock is held across the store calls:
     * while the store fails, every caller fails after its own call's timeout instead of queueing
     * behind the others'; concurrent loaders of one network keep the first state.
     *
     * @throws InvalidInputException for a name that {@link Network#checkName} refuses (checked
     *     when the network is loaded: a name followed already passed, on every allocation)
     * @throws NetworkNotFoundException when the network is not registered, or is being removed
     */
    NetworkState state(String name) {
        NetworkState state = name == null ? null : states.get(name);
        if (state != null) {
            return state;
        }
        Network.checkName(name);
        VersionedNetwork current = read(name).orElseThrow(() -> NetworkNotFoundException.notRegistered(name));
        if (current.removing()) {
            throw NetworkNotFoundException.beingRemoved(name);
        }
        NetworkState loaded = new NetworkState(store, keys.of(name), current.network(), current.version());
        loaded.reload();
        if (closed) {
            loaded.stopWatching();
            return loaded;
        }
        NetworkState winner = states.putIfAbsent(name, loaded);
        if (winner != null) {
            loaded.stopWatching();
            return winner;
        }
        return loaded;
    }

    /** The state of a network when it is loaded, else null; never reads the store. */
    NetworkState loaded(String name) {
        return states.get(name);
    }

    /** Drops {@code stale}, whose network changed in the store, unless it was dropped already. */
    void evict(NetworkState stale) {
        states.remove(stale.network().name(), stale);
        stale.stopWatching();
    }

    /** Drops whatever state of the network is loaded: it was removed here. */
    void forget(String name) {
        NetworkState state = states.remove(name);
        if (state != null) {
            state.stopWatching();
        }
    }

    /**
     * The network as stored now, read from the store, which decides whether it exists.
     *
     * @throws NetworkNotFoundException when it is not registered
     */
    Network require(String name) {
        return read(Network.checkName(name)).orElseThrow(() -> NetworkNotFoundException.notRegistered(name)).network();
    }

    /**
     * The network as stored now (one linearizable read), decoded once per stored text: decoding
     * re-validates the whole definition, which would otherwise dominate a listing.
     */
    Optional<VersionedNetwork> read(String name) {
        Optional<KeyValue> current = store.get(keys.networkKey(name));
        if (current.isEmpty()) {
            decoded.remove(name);
            return Optional.empty();
        }
        KeyValue kv = current.get();
        DecodedNetwork known = decoded.get(name);
        if (known != null && known.text().equals(kv.value())) {
            return Optional.of(new VersionedNetwork(known.network(), kv.version(), known.removing()));
        }
        StoredNetwork stored = StoredRecords.readNetwork(kv.value(), kv.key());
        DecodedNetwork fresh = new DecodedNetwork(kv.value(), StoredRecords.decodeEffective(stored),
                StoredRecords.REMOVING.equals(stored.state()));
        decoded.put(name, fresh);
        return Optional.of(new VersionedNetwork(fresh.network(), kv.version(), fresh.removing()));
    }

    /** Stops following every network; states loaded later are not kept. */
    void close() {
        closed = true;
        states.values().forEach(NetworkState::stopWatching);
        states.clear();
    }
}
