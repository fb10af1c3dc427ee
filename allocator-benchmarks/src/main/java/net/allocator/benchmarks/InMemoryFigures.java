package net.allocator.benchmarks;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import net.allocator.core.AddressState;
import net.allocator.core.Allocator;
import net.allocator.core.Network;
import net.allocator.core.NetworkExhaustedException;
import net.allocator.core.Owner;
import net.allocator.core.testkit.CountingKeyValueStore;
import net.allocator.inmemory.InMemoryKeyValueStore;

/**
 * The in-memory figures that are not timings: heap, store round trips per allocation, and
 * contention. Run: {@code java -Xmx8g -cp benchmarks.jar net.allocator.benchmarks.InMemoryFigures
 * [--quick]}.
 */
public final class InMemoryFigures {
    private InMemoryFigures() {}

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        heap(quick ? 200_000 : 1_000_000);
        roundTrips(quick ? 2_000 : 20_000);
        contention(false, quick ? 2 : 10);
        contention(true, quick ? 2 : 10);
        churn(quick ? 2 : 5);
        System.exit(0);
    }

    /** Used heap after full collections, in bytes. */
    static long usedHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Heap of an empty /8 pool, and of {@code allocations} allocations made through allocate(). */
    static void heap(int allocations) throws Exception {
        long before = usedHeap();
        InMemoryKeyValueStore store = new InMemoryKeyValueStore();
        Allocator allocator = Allocator.create(store);
        allocator.register(Pools.network("v4-8", "heap"));
        Owner probe = new Owner("probe", "probe");
        allocator.release("heap", allocator.allocate("heap", probe).address());
        long empty = usedHeap();
        Figures.print("memory", "empty /8 pool (store + allocator, network loaded)", (empty - before) / 1024.0, "KiB");

        long started = System.nanoTime();
        for (int i = 0; i < allocations; i++) {
            allocator.allocate("heap", new Owner("cluster-" + (i % 100), "node-" + i));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long full = usedHeap();
        Figures.print("memory", String.format("%,d allocations, heap", allocations), (full - empty) / (1024.0 * 1024.0), "MiB");
        Figures.print("memory", "heap per allocation", (double) (full - empty) / allocations, "bytes");
        Figures.print("memory", "fill rate through allocate() (1 thread, growing /8)", allocations / seconds, "alloc/s");
        Figures.note("memory", String.format("store holds %,d keys (address + owner key per allocation); "
                + "extrapolated heap for a /8 at 99 %% (16.6 M allocations): %.1f GiB",
                store.size(), 16_609_440.0 * (full - empty) / allocations / (1L << 30)));
        allocator.close();
        store.close();
    }

    /** Store round trips of allocate and release in steady state, counted by CountingKeyValueStore. */
    static void roundTrips(int n) {
        for (String shape : List.of("v4-16", "v4-8")) {
            CountingKeyValueStore store = new CountingKeyValueStore(new InMemoryKeyValueStore());
            Allocator allocator = Allocator.create(store);
            Network network = allocator.register(Pools.network(shape, "trips"));
            // Half full, so a full-network read would show as thousands of scanned keys.
            long half = Math.min(Pools.size(network) / 2, 1_000_000);
            Pools.fill(store, network, half, true);
            Owner probe = new Owner("probe", "probe");
            allocator.release("trips", allocator.allocate("trips", probe).address());
            store.reset();
            List<InetAddress> got = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                got.add(allocator.allocate("trips", new Owner("c", "n" + i)).address());
            }
            String label = shape.replace("v4-", "/") + " with " + String.format("%,d", half) + " used";
            Figures.print("round trips", "allocate " + label + ": commits", (double) store.commits() / n, "per alloc");
            Figures.print("round trips", "allocate " + label + ": reads (get+scan)", (double) (store.gets() + store.scans()) / n, "per alloc");
            Figures.print("round trips", "allocate " + label + ": keys scanned", (double) store.scannedKeys() / n, "per alloc");
            // The latest claims are released with one conditional delete at the version their
            // commit told; older ones (beyond the 1,024 an instance remembers) are read first.
            int recent = Math.min(1_000, n);
            store.reset();
            for (InetAddress address : got.subList(n - recent, n)) {
                allocator.release("trips", address);
            }
            Figures.print("round trips", "release " + label + ", of one of the instance's latest claims: round trips",
                    (double) store.roundTrips() / recent, "per release");
            store.reset();
            for (InetAddress address : got.subList(0, n - recent)) {
                allocator.release("trips", address);
            }
            Figures.print("round trips", "release " + label + ", of an older claim: round trips (get + commit)",
                    (double) store.roundTrips() / (n - recent), "per release");
            allocator.close();
            store.close();
        }
    }

    /**
     * 64 callers at once in one nearly full /24 (64 free of 253): every caller must get a
     * distinct address. {@code independent}: 64 allocators, as 64 processes would be, that share
     * only the store; otherwise one allocator shared by the 64 threads.
     */
    static void contention(boolean independent, int rounds) throws Exception {
        int callers = 64;
        long trips = 0;
        long allocations = 0;
        for (int round = 0; round < rounds; round++) {
            CountingKeyValueStore store = new CountingKeyValueStore(new InMemoryKeyValueStore());
            Allocator first = Allocator.create(store);
            Network network = first.register(Pools.network("v4-24", "busy"));
            long size = Pools.size(network);
            Pools.fill(store, network, size - callers, false);
            List<Allocator> allocators = new ArrayList<>();
            for (int i = 0; i < (independent ? callers : 1); i++) {
                Allocator allocator = i == 0 ? first : Allocator.create(store);
                allocator.find("busy");
                allocators.add(allocator);
            }
            // Load every allocator's view before the race, as a warmed-up process would have.
            for (Allocator allocator : allocators) {
                Owner probe = new Owner("probe", "probe");
                allocator.release("busy", allocator.allocate("busy", probe).address());
            }
            store.reset();
            Set<InetAddress> handedOut = ConcurrentHashMap.newKeySet();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch ready = new CountDownLatch(callers);
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(callers);
            for (int i = 0; i < callers; i++) {
                Allocator allocator = allocators.get(independent ? i : 0);
                Owner owner = new Owner("busy", "node-" + i);
                Thread thread = new Thread(() -> {
                    try {
                        ready.countDown();
                        go.await();
                        AddressState state = allocator.allocate("busy", owner);
                        if (!handedOut.add(state.address())) {
                            throw new AssertionError(state.address() + " handed out twice");
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        done.countDown();
                    }
                });
                thread.start();
            }
            ready.await();
            go.countDown();
            done.await();
            if (failure.get() != null) {
                throw new IllegalStateException("contention run failed", failure.get());
            }
            trips += store.roundTrips();
            allocations += handedOut.size();
            for (Allocator allocator : allocators) {
                allocator.close();
            }
            store.close();
        }
        String who = independent ? "64 independent allocators" : "one allocator, 64 threads";
        Figures.print("contention", who + ", 64 free of 253 in a /24: completed", allocations, "of " + (64L * rounds));
        Figures.print("contention", who + ": mean round trips per allocation", (double) trips / allocations, "trips");
    }

    /**
     * 64 threads, each with its own allocator, allocating and releasing for {@code seconds} in a
     * /24 with 16 free addresses: sustained contention on a nearly full network.
     */
    static void churn(int seconds) throws Exception {
        int callers = 64;
        InMemoryKeyValueStore store = new InMemoryKeyValueStore();
        // one counter per allocator, so that each thread can tell its releases' round trips
        List<CountingKeyValueStore> counters = new ArrayList<>();
        List<Allocator> allocators = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            CountingKeyValueStore counted = new CountingKeyValueStore(store);
            Allocator allocator = Allocator.create(counted);
            if (i == 0) {
                Network network = allocator.register(Pools.network("v4-24", "churn"));
                Pools.fill(store, network, Pools.size(network) - 16, false);
            }
            Owner probe = new Owner("probe", "probe");
            allocator.release("churn", allocator.allocate("churn", probe).address());
            counters.add(counted);
            allocators.add(allocator);
        }
        counters.forEach(CountingKeyValueStore::reset);
        AtomicLong releaseTrips = new AtomicLong();
        AtomicLong pairs = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            Allocator allocator = allocators.get(i);
            CountingKeyValueStore counted = counters.get(i);
            Owner owner = new Owner("churn", "node-" + i);
            Thread thread = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        AddressState state;
                        try {
                            state = allocator.allocate("churn", owner);
                        } catch (NetworkExhaustedException e) {
                            // correct while the other callers hold all 16: count it and go on
                            refused.incrementAndGet();
                            continue;
                        }
                        long before = counted.roundTrips();
                        allocator.release("churn", state.address(), owner);
                        releaseTrips.addAndGet(counted.roundTrips() - before);
                        pairs.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            Figures.note("contention", "churn: " + failures.size() + " callers failed, first: " + failures.get(0));
        }
        long total = counters.stream().mapToLong(CountingKeyValueStore::roundTrips).sum();
        double perAllocation = (double) (total - releaseTrips.get()) / pairs.get();
        Figures.print("contention", "churn, 64 allocators, 16 free of 253: allocate+release pairs", pairs.get() / (double) seconds, "pairs/s");
        Figures.print("contention", "churn: 'exhausted' answers while all 16 were held, per allocation", (double) refused.get() / pairs.get(), "");
        Figures.print("contention", "churn: mean round trips per successful allocation (refusals included)", perAllocation, "trips");
        Figures.print("contention", "churn: mean round trips per release", (double) releaseTrips.get() / pairs.get(), "trips");
        for (Allocator allocator : allocators) {
            allocator.close();
        }
        store.close();
    }
}
