package net.allocator.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.IntStream;
import net.allocator.core.Allocator;
import net.allocator.core.AllocatorOptions;
import net.allocator.core.Network;
import net.allocator.core.Owner;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreProviders;
import net.allocator.core.testkit.CountingKeyValueStore;

/**
 * A whole cluster's cost: allocating 64 nodes in one {@code allocateAll} against 64 single
 * {@code allocate} calls, and tearing the cluster down in one {@code releaseCluster} against 64
 * single releases, on one store, uncontended, taking turns round by round. Prints each way's
 * store round trips (counted) and its median and 90th-percentile wall time.
 *
 * <pre>
 * java -cp benchmarks.jar net.allocator.benchmarks.ClusterCostDriver \
 *     --store etcd --setting etcd-endpoints=http://127.0.0.1:2379 [--nodes 64] [--rounds 30]
 * </pre>
 */
public final class ClusterCostDriver {
    private ClusterCostDriver() {}

    public static void main(String[] args) throws Exception {
        StoreArguments chosen = new StoreArguments();
        int nodes = 64;
        int rounds = 30;
        for (int i = 0; i < args.length; i++) {
            int taken = chosen.take(args, i);
            if (taken >= 0) {
                i = taken;
                continue;
            }
            switch (args[i]) {
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String storeName = chosen.store;
        if (storeName == null) {
            throw new IllegalArgumentException("--store etcd|consul|inmemory is required");
        }
        String prefix = "bench-cluster-" + Long.toString(System.currentTimeMillis(), 36);
        List<String> names = IntStream.range(0, nodes).mapToObj(i -> "node-" + i).toList();
        try (KeyValueStore opened = StoreProviders.named(storeName).open(Settings.of(chosen.settings))) {
            CountingKeyValueStore store = new CountingKeyValueStore(opened);
            Allocator allocator = Allocator.create(store, AllocatorOptions.defaults().withKeyPrefix(prefix));
            String section = "cluster " + storeName;
            String network = allocator.register(Pools.network("v4-16", "clusters")).name();
            allocator.release(network, allocator.allocate(network, new Owner("warm", "up")).address()); // loads the network
            Figures.note(section, nodes + " nodes, " + rounds + " rounds each way, uncontended, one allocator; store "
                    + opened.describe() + ", commit limit " + opened.commitSizeLimit());
            Way bulkAllocate = new Way();
            Way bulkTeardown = new Way();
            Way singleAllocate = new Way();
            Way singleRelease = new Way();
            for (int round = -3; round < rounds; round++) { // three rounds of warm-up
                String cluster = "c" + round;
                boolean counted = round >= 0;
                bulkAllocate.measure(store, counted, () -> allocator.allocateAll(network, cluster, names).size());
                bulkTeardown.measure(store, counted, () -> allocator.releaseCluster(network, cluster).size());
                List<java.net.InetAddress> held = new ArrayList<>();
                singleAllocate.measure(store, counted, () -> {
                    names.forEach(node -> held.add(allocator.allocate(network, new Owner("s" + cluster, node)).address()));
                    return held.size();
                });
                singleRelease.measure(store, counted, () -> {
                    held.forEach(address -> allocator.release(network, address));
                    return held.size();
                });
            }
            bulkAllocate.print(section, "allocateAll of " + nodes + " nodes");
            singleAllocate.print(section, nodes + " single allocate calls");
            bulkTeardown.print(section, "releaseCluster of " + nodes + " nodes");
            singleRelease.print(section, nodes + " single release calls");
            Figures.print(section, "allocation: singles ÷ bulk wall time (median)", singleAllocate.median() / bulkAllocate.median(), "ratio");
            Figures.print(section, "teardown: singles ÷ bulk wall time (median)", singleRelease.median() / bulkTeardown.median(), "ratio");
            allocator.remove(network, true);
            allocator.close();
        }
    }

    /** One way of doing the work: its round trips per run (all alike, uncontended) and its times. */
    private static final class Way {
        private long roundTrips = -1;
        private final List<Double> millis = new ArrayList<>();

        void measure(CountingKeyValueStore store, boolean counted, LongSupplier work) {
            store.reset();
            long start = System.nanoTime();
            work.getAsLong();
            double took = (System.nanoTime() - start) / 1e6;
            if (counted) {
                millis.add(took);
                roundTrips = Math.max(roundTrips, store.roundTrips());
            }
        }

        double median() {
            return percentile(0.5);
        }

        double percentile(double p) {
            double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
        }

        void print(String section, String name) {
            Figures.print(section, name + ": store round trips (most in a round)", roundTrips, "round trips");
            Figures.print(section, name + ": median", median(), "ms");
            Figures.print(section, name + ": p90", percentile(0.9), "ms");
            Figures.note(section, name + ": all rounds (ms) " + Arrays.toString(millis.stream().mapToLong(Math::round).toArray()));
        }
    }
}
