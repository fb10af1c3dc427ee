package net.allocator.benchmarks;

import net.allocator.core.AddressState;
import net.allocator.core.Allocator;
import net.allocator.core.Network;
import net.allocator.core.Owner;
import net.allocator.inmemory.InMemoryKeyValueStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the in-memory JMH benchmarks share: an allocator over a fresh in-memory store with one
 * network, {@code bench}, and one operation, allocating the lowest free address and releasing it
 * (so the network's fullness stays constant). A subclass says which network, and may fill it.
 */
@State(Scope.Thread)
public abstract class AllocateReleaseState {
    static final String NETWORK = "bench";

    protected InMemoryKeyValueStore store;
    protected Allocator allocator;
    protected final Owner owner = new Owner("bench", "node-0");

    @Setup(Level.Trial)
    public void setUp() {
        store = new InMemoryKeyValueStore();
        allocator = Allocator.create(store);
        prepare(allocator.register(Pools.network(shape(), NETWORK)));
    }

    /** The network's shape, as {@link Pools#network} names it ({@code v4-16}). */
    protected abstract String shape();

    /** Runs once the network is registered, before the first measured operation. */
    protected void prepare(Network network) {}

    @TearDown(Level.Trial)
    public void tearDown() {
        allocator.close();
        store.close();
    }

    @Benchmark
    public AddressState allocateRelease() {
        AddressState state = allocator.allocate(NETWORK, owner);
        return allocator.release(NETWORK, state.address());
    }
}
