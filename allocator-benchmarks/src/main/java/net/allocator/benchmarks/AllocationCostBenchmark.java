package net.allocator.benchmarks;

import java.util.concurrent.TimeUnit;
import net.allocator.core.AddressState;
import net.allocator.core.Allocator;
import net.allocator.core.Network;
import net.allocator.core.Owner;
import net.allocator.inmemory.InMemoryKeyValueStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Allocation cost against network size and fullness, in-process on the in-memory store. The
 * network is filled in {@code @Setup} by writing its address keys directly ({@link Pools#fill});
 * each operation then allocates the lowest free address and releases it, so fullness stays
 * constant. {@code fill=packed} fills the lowest addresses (what allocation produces);
 * {@code fill=spread} leaves the free addresses evenly scattered, so the allocator's candidate
 * view holds one run per gap.
 *
 * <p>An IPv6 /64 cannot be filled to any percentage; it runs at 0 % (pass {@code -p full=0}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms16g", "-Xmx16g", "-Xmn2g", "-XX:+UseParallelGC"})
@Threads(1)
public class AllocationCostBenchmark {
    @Param({"v4-24", "v4-16", "v4-8"})
    public String shape;

    @Param({"0", "50", "99"})
    public int full;

    @Param({"packed"})
    public String fill;

    private InMemoryKeyValueStore store;
    private Allocator allocator;
    private final Owner owner = new Owner("bench", "node-0");

    @Setup(Level.Trial)
    public void setUp() {
        store = new InMemoryKeyValueStore();
        allocator = Allocator.create(store);
        Network network = allocator.register(Pools.network(shape, "bench"));
        long size = Pools.size(network);
        if (full > 0 && size == Long.MAX_VALUE) {
            throw new IllegalArgumentException(shape + " cannot be filled to " + full + " %");
        }
        long count = full == 0 ? 0 : size * full / 100;
        long started = System.nanoTime();
        Pools.fill(store, network, count, "packed".equals(fill));
        // The first allocation loads the network's used addresses into the allocator's view.
        allocator.release("bench", allocator.allocate("bench", owner).address());
        System.out.printf("%n# filled %s to %d %% (%,d of %,d addresses, %s) in %.1f s, store holds %,d keys%n",
                shape, full, count, size, fill, (System.nanoTime() - started) / 1e9, store.size());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        allocator.close();
        store.close();
    }

    @Benchmark
    public AddressState allocateRelease() {
        AddressState state = allocator.allocate("bench", owner);
        return allocator.release("bench", state.address());
    }
}
