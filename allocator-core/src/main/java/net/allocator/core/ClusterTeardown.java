package net.allocator.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.StoreOutcomeUnknownException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AddressAllocator#releaseCluster}: reads the cluster's owner records in a network (one
 * prefix read) and deletes each with its address, at the version the read showed, as many at a
 * time as one commit of the store holds. The owner's key and its address's key are written by one
 * commit, so they share that version. A refused or unanswered commit is resolved by reading the
 * owner records again. Thread-safe.
 */
final class ClusterTeardown {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterTeardown.class);

    private final KeyValueStore store;
    private final KeyLayout keys;
    private final NetworkCache networks;
    private final ClusterHoldings holdings;

    ClusterTeardown(KeyValueStore store, KeyLayout keys, NetworkCache networks, ClusterHoldings holdings) {
        this.store = store;
        this.keys = keys;
        this.networks = networks;
        this.holdings = holdings;
    }

    /** See {@link AddressAllocator#releaseCluster(String)}. */
    List<Holding> releaseCluster(String cluster) {
        return holdings.inEveryNetwork(cluster, network -> releaseIn(network, cluster));
    }

    /** See {@link AddressAllocator#releaseCluster(String, String)}. */
    List<AddressState> releaseCluster(String network, String cluster) {
        return holdings.inOneNetwork(network, cluster, () -> releaseIn(network, cluster));
    }

    /**
     * Releases every address the cluster holds in the network when the owner records are read
     * (the same record is also released when it goes in a commit whose answer was lost).
     *
     * @return the released addresses as they were held, in address order
     */
    List<AddressState> releaseIn(String network, String cluster) {
        List<AddressState> released = new ArrayList<>();
        Set<String> unconfirmed = new HashSet<>();
        while (true) {
            List<KeyValue> owned = holdings.ownerRecords(network, cluster);
            Set<String> stillThere = new HashSet<>();
            owned.forEach(kv -> stillThere.add(kv.value()));
            for (String record : unconfirmed) {
                if (!stillThere.contains(record)) {
                    released.add(StoredRecords.decodeAddress(record, "released record")); // the lost answer was a success
                }
            }
            unconfirmed.clear();
            if (owned.isEmpty() || deleteAll(network, owned, released, unconfirmed)) {
                released.sort(ClusterHoldings.BY_ADDRESS);
                return released;
            }
        }
    }

    /** Deletes the records in commits the store admits; false when one was refused or unanswered. */
    private boolean deleteAll(String network, List<KeyValue> owned, List<AddressState> released, Set<String> unconfirmed) {
        boolean allApplied = true;
        int at = 0;
        while (at < owned.size()) {
            int size = CommitChunks.fitting(store.commitSizeLimit(), 0, 1, 2, owned.size() - at);
            List<KeyValue> chunk = owned.subList(at, at + size);
            at += size;
            List<Condition> conditions = new ArrayList<>(size);
            List<Operation> operations = new ArrayList<>(2 * size);
            List<AddressState> states = new ArrayList<>(size);
            for (KeyValue owner : chunk) {
                AddressState state = StoredRecords.decodeAddress(owner.value(), owner.key());
                String addressKey = keys.addressKey(network, state.address());
                conditions.add(Condition.atVersion(addressKey, owner.version()));
                operations.add(Operation.delete(addressKey));
                operations.add(Operation.delete(owner.key()));
                states.add(state);
            }
            try {
                if (store.commit(conditions, operations)) {
                    released.addAll(states);
                    markFree(network, states);
                } else {
                    allApplied = false; // one address changed since the read: the next read tells
                }
            } catch (StoreOutcomeUnknownException e) {
                LOG.debug("teardown of {} addresses in {} unconfirmed; reading back", size, network, e);
                chunk.forEach(kv -> unconfirmed.add(kv.value()));
                allApplied = false;
            }
        }
        return allApplied;
    }

    private void markFree(String network, List<AddressState> states) {
        NetworkState loaded = networks.loaded(network);
        if (loaded != null) {
            states.forEach(state -> loaded.view().markFree(IpAddresses.toNumber(state.address())));
        }
    }
}
