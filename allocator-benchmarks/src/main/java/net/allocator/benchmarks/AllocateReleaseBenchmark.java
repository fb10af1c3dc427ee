package net.allocator.benchmarks;

import java.util.concurrent.TimeUnit;
import net.allocator.core.AddressState;
import net.allocator.core.Allocator;
import net.allocator.core.Owner;
import net.allocator.inmemory.InMemoryKeyValueStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The headline in-memory figure: one thread allocating and releasing in an empty /16, the same
 * workload as go-ipam's {@code BenchmarkAcquireIP} (196,687 pairs/s for its in-memory store).
 * One operation is one {@link Allocator#allocate} plus one {@link Allocator#release}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class AllocateReleaseBenchmark {
    private InMemoryKeyValueStore store;
    private Allocator allocator;
    private final Owner owner = new Owner("bench", "node-0");

    @Setup(Level.Trial)
    public void setUp() {
        store = new InMemoryKeyValueStore();
        allocator = Allocator.create(store);
        allocator.register(Pools.network("v4-16", "bench"));
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
