package net.allocator.benchmarks;

import java.util.concurrent.TimeUnit;
import net.allocator.core.Network;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Allocation cost against network size and fullness, in-process on the in-memory store. The
 * network is filled before measuring by writing its address keys directly ({@link Pools#fill});
 * each operation then allocates the lowest free address and releases it, so fullness stays
 * constant. {@code fill=packed} fills the lowest addresses (what allocation produces);
 * {@code fill=spread} leaves the free addresses evenly scattered, so the allocator's candidate
 * view holds one run per gap.
 *
 * <p>An IPv6 /64 cannot be filled to any percentage; it runs at 0 % (pass {@code -p full=0}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms16g", "-Xmx16g", "-Xmn2g", "-XX:+UseParallelGC"})
@Threads(1)
public class AllocationCostBenchmark extends AllocateReleaseState {
    @Param({"v4-24", "v4-16", "v4-8"})
    public String shape;

    @Param({"0", "50", "99"})
    public int full;

    @Param({"packed"})
    public String fill;

    @Override
    protected String shape() {
        return shape;
    }

    @Override
    protected void prepare(Network network) {
        long size = Pools.size(network);
        if (full > 0 && size == Long.MAX_VALUE) {
            throw new IllegalArgumentException(shape + " cannot be filled to " + full + " %");
        }
        long count = full == 0 ? 0 : size * full / 100;
        long started = System.nanoTime();
        Pools.fill(store, network, count, "packed".equals(fill));
        // The first allocation loads the network's used addresses into the allocator's view.
        allocator.release(NETWORK, allocator.allocate(NETWORK, owner).address());
        System.out.printf("%n# filled %s to %d %% (%,d of %,d addresses, %s) in %.1f s, store holds %,d keys%n",
                shape, full, count, size, fill, (System.nanoTime() - started) / 1e9, store.size());
    }
}
