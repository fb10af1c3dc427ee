package net.allocator.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;

/**
 * {@link AddressAllocator#holdings}: what a cluster holds, read from the owner index ({@code
 * {prefix}/owners/{network}/{cluster}/}), one prefix read per network, never a read of a
 * network's addresses. Thread-safe.
 */
final class ClusterHoldings {
    /** Address order within a network: numeric, across both families' byte forms. */
    static final Comparator<AddressState> BY_ADDRESS = Comparator.comparing(s -> IpAddresses.toNumber(s.address()));

    private final KeyValueStore store;
    private final KeyLayout keys;
    private final Registry registry;
    private final NetworkCache networks;

    ClusterHoldings(KeyValueStore store, KeyLayout keys, Registry registry, NetworkCache networks) {
        this.store = store;
        this.keys = keys;
        this.registry = registry;
        this.networks = networks;
    }

    /** See {@link AddressAllocator#holdings(String)}. */
    List<Holding> holdings(String cluster) {
        return inEveryNetwork(cluster, network -> read(network, cluster));
    }

    /** See {@link AddressAllocator#holdings(String, String)}. */
    List<AddressState> holdings(String network, String cluster) {
        return inOneNetwork(network, cluster, () -> read(network, cluster));
    }

    /**
     * {@code perNetwork} of every registered network, in name order, each address with its
     * network: what a cluster holds, or what its teardown released.
     */
    List<Holding> inEveryNetwork(String cluster, Function<String, List<AddressState>> perNetwork) {
        Owner.checkCluster(cluster);
        List<Holding> out = new ArrayList<>();
        for (String network : registry.descriptions().keySet()) {
            perNetwork.apply(network).forEach(state -> out.add(new Holding(network, state)));
        }
        return out;
    }

    /**
     * {@code inNetwork}'s addresses, after checking the names; when there are none, the network
     * is read, so that an unknown one is not found (only then does it matter whether it exists).
     */
    List<AddressState> inOneNetwork(String network, String cluster, Supplier<List<AddressState>> inNetwork) {
        Network.checkName(network);
        Owner.checkCluster(cluster);
        List<AddressState> held = inNetwork.get();
        if (held.isEmpty()) {
            networks.require(network);
        }
        return held;
    }

    /** The owner records of the cluster in the network, with their keys and versions, in key order. */
    List<KeyValue> ownerRecords(String network, String cluster) {
        return PrefixReads.all(store, keys.clusterOwnersPrefix(network, cluster));
    }

    /** The cluster's addresses in the network, in address order. */
    List<AddressState> read(String network, String cluster) {
        List<AddressState> held = new ArrayList<>();
        for (KeyValue kv : ownerRecords(network, cluster)) {
            held.add(StoredRecords.decodeAddress(kv.value(), kv.key()));
        }
        held.sort(BY_ADDRESS);
        return held;
    }
}
