package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import net.allocator.core.StoredRecords.StoredNetwork;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.StoreOutcomeUnknownException;

/**
 * {@link NetworkRegistry#update}: a network rewritten in place at the version it was read at.
 * Every claim is conditioned on that version, so a claim racing the rewrite fails and is tried
 * again against the new definition. A change that takes addresses out of the pool first marks
 * the network as changing (from then on only addresses of both pools are handed out), then reads
 * the used addresses, and writes the new definition only when none is in the part taken away;
 * otherwise it puts the old definition back. Thread-safe.
 */
final class NetworkChanges {
    /** How many of the used addresses in the way a refusal names. */
    private static final int NAMED = 20;

    private final KeyValueStore store;
    private final KeyLayout keys;
    private final NetworkCache networks;

    NetworkChanges(KeyValueStore store, KeyLayout keys, NetworkCache networks) {
        this.store = store;
        this.keys = keys;
        this.networks = networks;
    }

    /** See {@link NetworkRegistry#update}. */
    Network update(String name, NetworkChange change) {
        Network.checkName(name);
        requireNonNull(change, "change");
        String key = keys.networkKey(name);
        while (true) {
            KeyValue current = store.get(key).orElseThrow(() -> NetworkNotFoundException.notRegistered(name));
            StoredNetwork stored = StoredRecords.readNetwork(current.value(), key);
            if (StoredRecords.REMOVING.equals(stored.state())) {
                throw NetworkNotFoundException.beingRemoved(name);
            }
            Network before = StoredRecords.decodeNetwork(stored); // a change left marked by a failed update is dropped
            Network after = change.applyTo(before);
            if (before.pool().isWithin(after.pool())) {
                if (rewrite(key, current.version(), StoredRecords.encodeNetwork(after, StoredRecords.OPEN)) != KeyValueStore.NOT_APPLIED) {
                    networks.forget(name);
                    return after;
                }
                continue;
            }
            long marked = rewrite(key, current.version(), StoredRecords.encodeChanging(before, after));
            if (marked == KeyValueStore.NOT_APPLIED) {
                continue;
            }
            networks.forget(name);
            List<String> inTheWay = usedOutside(name, after);
            String text = StoredRecords.encodeNetwork(inTheWay.isEmpty() ? after : before, StoredRecords.OPEN);
            boolean written = rewrite(key, marked, text) != KeyValueStore.NOT_APPLIED;
            networks.forget(name);
            if (!inTheWay.isEmpty()) {
                throw new AddressInUseException("network '" + name + "' cannot change: used addresses would leave its pool: "
                        + String.join(", ", inTheWay.subList(0, Math.min(NAMED, inTheWay.size())))
                        + (inTheWay.size() > NAMED ? " and " + (inTheWay.size() - NAMED) + " more" : ""));
            }
            if (written) {
                return after;
            }
            // removed or changed by another caller meanwhile: read it again
        }
    }

    /**
     * Writes the network's record at {@code version}; an answer lost is read back (the record
     * holds this text, or it was not written).
     *
     * @return the record's new version, or {@link KeyValueStore#NOT_APPLIED}
     */
    private long rewrite(String key, long version, String text) {
        try {
            long written = store.commitVersioned(List.of(Condition.atVersion(key, version)), List.of(Operation.put(key, text)));
            if (written != KeyValueStore.VERSION_UNKNOWN) {
                return written;
            }
        } catch (StoreOutcomeUnknownException e) {
            // read back below
        }
        return store.get(key).filter(kv -> kv.value().equals(text)).map(KeyValue::version).orElse(KeyValueStore.NOT_APPLIED);
    }

    /** The used addresses of the network that {@code after}'s pool does not hold, in order. */
    private List<String> usedOutside(String name, Network after) {
        List<String> outside = new ArrayList<>();
        for (KeyValue kv : PrefixReads.all(store, keys.addressesPrefix(name))) {
            AddressState state = StoredRecords.decodeAddress(kv.value(), kv.key());
            if (!after.pool().contains(IpAddresses.toNumber(state.address()))) {
                outside.add(IpAddresses.format(state.address()));
            }
        }
        return outside;
    }
}
