package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import net.allocator.core.store.GroupCommitter;
import net.allocator.core.store.KeyValueStore;

/**
 * The registry and allocator over any {@link KeyValueStore}: the one implementation of the
 * atomic-allocation contract described on {@link AddressAllocator}. See the {@linkplain
 * net.allocator.core package overview} for how to embed it.
 *
 * <p>An allocation is one conditional commit that creates the address's key and the owner's key
 * together, only if neither exists and the network is unchanged. Candidates come from a
 * per-network {@link CandidateView}, so an allocation in steady state costs one store round trip
 * whatever the network's size and fullness; the commit, not the view, decides.
 *
 * <p>Thread-safe. Many allocators, in this process or others, may share one store. {@link
 * #close()} stops this allocator's change feeds but does not close the store, which belongs to
 * the caller.
 */
public final class Allocator implements NetworkRegistry, AddressAllocator, AutoCloseable {
    private final KeyValueStore store;
    private final AllocatorOptions options;
    private final NetworkCache networks;
    private final Registry registry;
    private final Allocations allocations;
    private final Releases releases;
    private final AddressListing listing;
    private final ClusterHoldings holdings;
    private final ClusterAllocations clusterAllocations;
    private final ClusterTeardown teardown;
    private final NetworkUsages usages;
    private final NetworkChanges changes;

    private Allocator(KeyValueStore given, AllocatorOptions options) {
        this.store = requireNonNull(given, "store");
        this.options = requireNonNull(options, "options");
        // Concurrent commits share one durable write where the store can batch them; the
        // machinery below sees a plain store either way.
        KeyValueStore store = GroupCommitter.around(given);
        KeyLayout keys = new KeyLayout(options.keyPrefix());
        this.networks = new NetworkCache(store, keys);
        this.registry = new Registry(store, keys, networks);
        this.allocations = new Allocations(store, networks, new ClaimAttempt(store, keys, options.clock()),
                new ContentionPolicy(options.contentionTimeout()));
        this.releases = new Releases(store, networks);
        this.listing = new AddressListing(store, keys, networks);
        this.holdings = new ClusterHoldings(store, keys, registry, networks);
        this.clusterAllocations = new ClusterAllocations(store, networks, holdings,
                new ContentionPolicy(options.contentionTimeout()), options.clock());
        this.teardown = new ClusterTeardown(store, keys, networks, holdings);
        this.usages = new NetworkUsages(store, keys, networks);
        this.changes = new NetworkChanges(store, keys, networks);
    }

    /** An allocator over {@code store} with the {@link AllocatorOptions#defaults() defaults}. */
    public static Allocator create(KeyValueStore store) {
        return create(store, AllocatorOptions.defaults());
    }

    /** An allocator over {@code store}. */
    public static Allocator create(KeyValueStore store, AllocatorOptions options) {
        return new Allocator(store, options);
    }

    /** The store this allocator was created over (as given, without core's group commit). */
    public KeyValueStore store() {
        return store;
    }

    /** The options this allocator works with. */
    public AllocatorOptions options() {
        return options;
    }

    /**
     * Checks that the store answers.
     *
     * @throws StoreUnavailableException when it does not, within its timeout
     */
    public void checkStore() {
        store.ping();
    }

    @Override
    public Network register(Network network) {
        return registry.register(network);
    }

    @Override
    public SortedMap<String, String> list() {
        return registry.descriptions();
    }

    @Override
    public Optional<Network> find(String name) {
        return registry.find(name);
    }

    @Override
    public void remove(String name, boolean force) {
        registry.remove(name, force);
    }

    @Override
    public NetworkUsage usage(String name) {
        return usages.usage(name);
    }

    @Override
    public SortedMap<String, NetworkUsage> usageOfAll() {
        return usages.usageOfAll();
    }

    @Override
    public Network update(String name, NetworkChange change) {
        return changes.update(name, change);
    }

    @Override
    public Map<String, AddressState> allocateAll(String network, String cluster, List<String> nodes) {
        return clusterAllocations.allocateAll(network, cluster, nodes);
    }

    @Override
    public List<Holding> holdings(String cluster) {
        return holdings.holdings(cluster);
    }

    @Override
    public List<AddressState> holdings(String network, String cluster) {
        return holdings.holdings(network, cluster);
    }

    @Override
    public List<Holding> releaseCluster(String cluster) {
        return teardown.releaseCluster(cluster);
    }

    @Override
    public List<AddressState> releaseCluster(String network, String cluster) {
        return teardown.releaseCluster(network, cluster);
    }

    @Override
    public AddressState allocate(String network, Owner owner) {
        return allocations.allocate(network, owner);
    }

    @Override
    public AddressState claim(String network, InetAddress address, Owner owner) {
        return allocations.claim(network, address, owner);
    }

    @Override
    public AddressState release(String network, InetAddress address) {
        return releases.release(network, address, Optional.empty());
    }

    @Override
    public AddressState release(String network, InetAddress address, Owner expectedOwner) {
        return releases.release(network, address, Optional.of(requireNonNull(expectedOwner, "expectedOwner")));
    }

    @Override
    public AddressState show(String network, InetAddress address) {
        return listing.show(network, address);
    }

    @Override
    public AddressPage list(String network, AddressQuery query) {
        return listing.list(network, query);
    }

    @Override
    public void close() {
        networks.close();
    }

    /** Whether a release of the address would delete it without reading it first (for tests). */
    boolean releasesWithoutReading(String network, InetAddress address) {
        return releases.wouldDeleteWithoutReading(network, address);
    }
}
