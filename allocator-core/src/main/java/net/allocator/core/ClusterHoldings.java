package net.allocator.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.ScanPage;

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
        Owner.checkCluster(cluster);
        List<Holding> out = new ArrayList<>();
        for (String network : registry.descriptions().keySet()) {
            for (AddressState state : read(network, cluster)) {
                out.add(new Holding(network, state));
            }
        }
        return out;
    }

    /** See {@link AddressAllocator#holdings(String, String)}. */
    List<AddressState> holdings(String network, String cluster) {
        Network.checkName(network);
        Owner.checkCluster(cluster);
        List<AddressState> held = read(network, cluster);
        if (held.isEmpty()) {
            networks.require(network); // nothing held: only now does it matter whether the network exists
        }
        return held;
    }

    /** The owner records of the cluster in the network, with their keys and versions, in key order. */
    List<KeyValue> ownerRecords(String network, String cluster) {
        String prefix = keys.clusterOwnersPrefix(network, cluster);
        List<KeyValue> out = new ArrayList<>();
        String after = null;
        ScanPage page;
        do {
            page = store.scan(prefix, after, store.preferredScanLimit());
            out.addAll(page.entries());
            if (!page.entries().isEmpty()) {
                after = page.entries().get(page.entries().size() - 1).key();
            }
        } while (page.more() && !page.entries().isEmpty());
        return out;
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
