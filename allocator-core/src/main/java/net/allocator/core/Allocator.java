package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import net.allocator.core.StoredForms.StoredNetwork;
import net.allocator.core.store.ChangeListener;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;
import net.allocator.core.store.StoreOutcomeUnknownException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry and allocator over any {@link KeyValueStore}: the one implementation of the
 * atomic-allocation contract described on {@link AddressAllocator}.
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
    private static final Logger LOG = LoggerFactory.getLogger(Allocator.class);
    /** How long an allocation waits for its siblings' claims of the last free addresses. */
    private static final Duration SHARE_RESERVED_AFTER = Duration.ofMillis(200);

    private final KeyValueStore store;
    private final KeyLayout keys;
    private final AllocatorOptions options;
    private final ConcurrentHashMap<String, NetworkEntry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, DecodedNetwork> decoded = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private Allocator(KeyValueStore store, AllocatorOptions options) {
        this.store = requireNonNull(store, "store");
        this.options = requireNonNull(options, "options");
        this.keys = new KeyLayout(options.keyPrefix());
    }

    /** An allocator over {@code store} with the {@link AllocatorOptions#defaults() defaults}. */
    public static Allocator create(KeyValueStore store) {
        return create(store, AllocatorOptions.defaults());
    }

    /** An allocator over {@code store}. */
    public static Allocator create(KeyValueStore store, AllocatorOptions options) {
        return new Allocator(net.allocator.core.store.GroupCommitter.around(requireNonNull(store, "store")), options);
    }

    /** The store this allocator works on. */
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

    // ---------------------------------------------------------------- registry

    @Override
    public Network register(Network network) {
        requireNonNull(network, "network");
        String key = keys.networkKey(Network.checkName(network.name()));
        boolean created = store.commit(List.of(Condition.absent(key)),
                List.of(Operation.put(key, StoredForms.encodeNetwork(network, StoredForms.OPEN))));
        if (!created) {
            throw new NetworkAlreadyExistsException("network '" + network.name() + "' already exists");
        }
        return network;
    }

    @Override
    public SortedMap<String, String> list() {
        SortedMap<String, String> out = new TreeMap<>();
        String after = null;
        ScanPage page;
        do {
            page = store.scan(keys.networksPrefix(), after, store.preferredScanLimit());
            for (KeyValue kv : page.entries()) {
                StoredNetwork stored = StoredForms.readNetwork(kv.value(), kv.key());
                out.put(keys.nameOfNetworkKey(kv.key()), stored.description() == null ? "" : stored.description());
                after = kv.key();
            }
        } while (page.more() && !page.entries().isEmpty());
        return out;
    }

    @Override
    public Optional<Network> find(String name) {
        return readNetwork(Network.checkName(name)).map(VersionedNetwork::network);
    }

    @Override
    public void remove(String name, boolean force) {
        Network.checkName(name);
        String key = keys.networkKey(name);
        while (true) {
            KeyValue current = store.get(key).orElseThrow(() -> notFound(name));
            StoredNetwork stored = StoredForms.readNetwork(current.value(), key);
            List<Operation> deleteAll = List.of(Operation.delete(key),
                    Operation.deletePrefix(keys.addressesPrefix(name)), Operation.deletePrefix(keys.ownersPrefix(name)));
            if (force) {
                if (store.commit(List.of(Condition.atVersion(key, current.version())), deleteAll)) {
                    forget(name);
                    return;
                }
                continue;
            }
            // Mark the network first, so that any allocation racing with this check fails on the
            // network's changed version instead of landing after the check and being deleted.
            long marked = current.version();
            if (!StoredForms.REMOVING.equals(stored.state())) {
                String removing = StoredForms.encodeNetwork(StoredForms.decodeNetwork(stored), StoredForms.REMOVING);
                if (!store.commit(List.of(Condition.atVersion(key, current.version())), List.of(Operation.put(key, removing)))) {
                    continue;
                }
                marked = store.get(key).map(KeyValue::version).orElseThrow(() -> notFound(name));
            }
            ScanPage used = store.scan(keys.addressesPrefix(name), null, 1);
            if (!used.entries().isEmpty()) {
                String open = StoredForms.encodeNetwork(StoredForms.decodeNetwork(stored), StoredForms.OPEN);
                store.commit(List.of(Condition.atVersion(key, marked)), List.of(Operation.put(key, open)));
                throw new NetworkInUseException("network '" + name + "' has used addresses; release them or force the removal");
            }
            if (store.commit(List.of(Condition.atVersion(key, marked)), deleteAll)) {
                forget(name);
                return;
            }
        }
    }

    // ---------------------------------------------------------------- allocation

    @Override
    public AddressState allocate(String network, Owner owner) {
        requireNonNull(owner, "owner");
        long deadline = 0; // set on the first lost race: the clock costs a twentieth of an uncontended allocation
        int lostRaces = 0;
        long waitingSince = 0;
        while (true) {
            NetworkEntry entry = entry(network);
            entry.reloadIfStale();
            // After a lost race, other allocators are picking the same lowest addresses: pick
            // among the lowest few at random, so that the losers stop colliding again.
            Optional<BigInteger> candidate = lostRaces == 0
                    ? entry.view.reserveLowestFree()
                    : entry.view.reserveOneOfLowest(Math.min(64, 2 << Math.min(lostRaces, 5)));
            if (candidate.isEmpty() && !entry.view.anyNotUsed()) {
                Optional<AddressState> held = heldBy(network, owner);
                if (held.isPresent()) {
                    return held.get();
                }
                // The view says full: only an authoritative read may say so to the caller.
                entry.reload();
                candidate = entry.view.reserveLowestFree();
                if (candidate.isEmpty() && !entry.view.anyNotUsed()) {
                    throw new NetworkExhaustedException("network '" + network + "' has no free address");
                }
            }
            boolean shared = false;
            if (candidate.isPresent()) {
                waitingSince = 0;
            } else {
                // Every address left is being tried by other threads here. Wait for them rather
                // than re-read the network, which cannot tell more than they will; but not longer
                // than a healthy store takes to answer. Then try one of theirs as well (the commit
                // decides): a hung store would otherwise keep this caller waiting through its
                // siblings' timeouts, and newer callers would take what those free.
                long now = System.nanoTime();
                waitingSince = waitingSince == 0 ? now : waitingSince;
                deadline = deadline == 0 ? now + options.contentionTimeout().toNanos() : deadline;
                if (now - waitingSince < SHARE_RESERVED_AFTER.toNanos()) {
                    pause(deadline, network);
                    continue;
                }
                candidate = entry.view.lowestNotUsed();
                if (candidate.isEmpty()) {
                    continue;
                }
                shared = true;
            }
            BigInteger number = candidate.get();
            Optional<AddressState> claimed = Optional.empty();
            try {
                claimed = tryClaim(entry, number, owner, lostRaces == 0, !shared);
                if (claimed.isPresent()) {
                    return claimed.get();
                }
            } finally {
                if (!shared && claimed.isEmpty()) {
                    entry.view.unreserve(number); // (a claim has ended the reservation)
                }
            }
            if (entries.get(network) == entry) {
                lostRaces++; // the address was taken; (otherwise the network changed and is reloaded)
            }
            if (deadline == 0) {
                deadline = System.nanoTime() + options.contentionTimeout().toNanos();
            } else if (System.nanoTime() > deadline) {
                throw new StoreUnavailableException("gave up allocating in '" + network + "' after "
                        + options.contentionTimeout() + " of lost races; retry");
            }
        }
    }

    @Override
    public AddressState claim(String network, InetAddress address, Owner owner) {
        requireNonNull(owner, "owner");
        while (true) {
            NetworkEntry entry = entry(network);
            BigInteger number = inPool(entry.network, address);
            Optional<AddressState> claimed = tryClaim(entry, number, owner, false, false);
            if (claimed.isPresent()) {
                AddressState state = claimed.get();
                if (!state.address().equals(address)) {
                    throw new AddressInUseException("owner " + describe(owner) + " already holds "
                            + IpAddresses.format(state.address()) + " in network '" + network + "'");
                }
                return state;
            }
            Optional<KeyValue> holder = store.get(keys.addressKey(network, address));
            if (holder.isPresent()) {
                AddressState state = StoredForms.decodeAddress(holder.get().value(), holder.get().key());
                if (!state.owner().orElseThrow().equals(owner)) {
                    throw new AddressInUseException(IpAddresses.format(address) + " is used by "
                            + describe(state.owner().orElseThrow()) + " in network '" + network + "'");
                }
                return state;
            }
        }
    }

    @Override
    public AddressState release(String network, InetAddress address) {
        return release(network, address, Optional.empty());
    }

    @Override
    public AddressState release(String network, InetAddress address, Owner expectedOwner) {
        return release(network, address, Optional.of(requireNonNull(expectedOwner, "expectedOwner")));
    }

    private AddressState release(String network, InetAddress address, Optional<Owner> expectedOwner) {
        NetworkEntry entry = entry(network);
        RecentClaims.Claim recalled = entry.recentClaims.recall(address);
        BigInteger number = recalled != null ? recalled.number() : inPool(entry.network, address);
        recalled = recalled != null ? recalled : entry.recentClaims.recall(number);
        String addressKey = recalled != null ? recalled.addressKey() : entry.keys.address(address);
        AddressState previous = null;
        long unconfirmedVersion = -1;
        // A claim made here at a version the store told, by the owner expected, is deleted at
        // that version without reading it first, while the change feed follows the network (it
        // forgets a claim once it shows the address changed elsewhere; a lost answer is then
        // read back as though the claim had been read just before). Should anything have
        // changed that the feed has not shown yet, the condition fails and the address is read.
        KeyValue current = recalled != null && entry.vouchesFor(recalled)
                && expectedOwner.map(recalled.state().owner().orElseThrow()::equals).orElse(true)
                ? new KeyValue(addressKey, recalled.record(), recalled.version()) : null;
        while (true) {
            boolean unread = current != null;
            if (!unread) {
                Optional<KeyValue> stored = store.get(addressKey);
                if (stored.isEmpty()) {
                    entry.view.markFree(number);
                    return previous != null ? previous : AddressState.free(address);
                }
                current = stored.get();
                if (unconfirmedVersion > 0 && current.version() != unconfirmedVersion) {
                    // The unconfirmed delete took effect (an address key only changes by being
                    // deleted and claimed anew), and someone has claimed the address since.
                    return previous;
                }
            }
            RecentClaims.Claim mine = recalled != null && recalled.isStored(current.value()) ? recalled : null;
            AddressState state = mine != null ? mine.state() : StoredForms.decodeAddress(current.value(), addressKey);
            Owner holder = state.owner().orElseThrow();
            if (expectedOwner.isPresent() && !expectedOwner.get().equals(holder)) {
                throw new AddressInUseException(IpAddresses.format(address) + " is used by " + describe(holder)
                        + ", not by " + describe(expectedOwner.get()));
            }
            String ownerKey = mine != null ? mine.ownerKey() : entry.keys.owner(holder);
            entry.recentClaims.committing(addressKey);
            try {
                if (store.commit(List.of(Condition.atVersion(addressKey, current.version())),
                        List.of(Operation.delete(addressKey), Operation.delete(ownerKey)))) {
                    entry.view.markFree(number);
                    return state;
                }
                // Refused: the version changed. What was read before is what the address held
                // until then; what was only recalled, it may never have held.
                previous = unread ? previous : state;
            } catch (StoreOutcomeUnknownException e) {
                LOG.debug("release of {} in {} unconfirmed; reading back", address, network, e);
                previous = state;
                unconfirmedVersion = current.version();
            } finally {
                entry.recentClaims.committed();
            }
            current = null;
        }
    }

    @Override
    public AddressState show(String network, InetAddress address) {
        Network known = readNetwork(Network.checkName(network)).orElseThrow(() -> notFound(network)).network();
        inPool(known, address);
        return store.get(keys.addressKey(network, address))
                .map(kv -> StoredForms.decodeAddress(kv.value(), kv.key()))
                .orElseGet(() -> AddressState.free(address));
    }

    @Override
    public AddressPage list(String network, AddressQuery query) {
        requireNonNull(query, "query");
        Network known = readNetwork(Network.checkName(network)).orElseThrow(() -> notFound(network)).network();
        if (query.after().isPresent() && IpAddresses.isIpv6(query.after().get()) != known.ipv6()) {
            throw new InvalidInputException("after " + IpAddresses.format(query.after().get())
                    + " is not of the network's address family");
        }
        boolean wantFree = query.status().map(s -> s == AddressStatus.FREE).orElse(true);
        boolean wantUsed = query.status().map(s -> s == AddressStatus.USED).orElse(true);
        String afterKey = query.after().map(a -> keys.addressKey(network, a)).orElse(null);
        UsedCursor usedAddresses = new UsedCursor(keys.addressesPrefix(network), afterKey);
        List<AddressState> out = new ArrayList<>();

        if (!wantFree) {
            while (out.size() < query.limit() && usedAddresses.hasNext()) {
                out.add(usedAddresses.next());
            }
            boolean more = usedAddresses.hasNext();
            return new AddressPage(out, more ? Optional.of(out.get(out.size() - 1).address()) : Optional.empty());
        }
        BigInteger cursor = query.after().map(a -> IpAddresses.toNumber(a).add(BigInteger.ONE)).orElse(BigInteger.ZERO);
        while (out.size() < query.limit()) {
            Optional<BigInteger> next = known.pool().firstAtOrAfter(cursor);
            if (next.isEmpty()) {
                break;
            }
            BigInteger number = next.get();
            AddressState usedHere = usedAddresses.takeIfAt(number);
            if (usedHere == null) {
                out.add(AddressState.free(IpAddresses.fromNumber(number, known.ipv6())));
            } else if (wantUsed) {
                out.add(usedHere);
            }
            cursor = number.add(BigInteger.ONE);
        }
        boolean more = out.size() == query.limit() && known.pool().firstAtOrAfter(cursor).isPresent();
        return new AddressPage(out, more ? Optional.of(out.get(out.size() - 1).address()) : Optional.empty());
    }

    @Override
    public void close() {
        closed = true;
        entries.values().forEach(NetworkEntry::stopWatching);
        entries.clear();
    }

    // ---------------------------------------------------------------- machinery

    /**
     * One conditional commit claiming {@code number} for {@code owner}, and when it does not
     * apply (or its answer was lost), a read-back of what happened instead.
     *
     * @param trustFeed whether a refusal may be put down to the candidate's loss without a read
     *     when the change feed has already shown it taken
     * @param reservedHere whether this thread reserved the candidate
     * @return the owner's address when the owner now holds one (this or another), and then the
     *     candidate is no longer {@linkplain CandidateView#reserveLowestFree reserved}; empty when
     *     the candidate was taken by someone else or the network changed: pick again
     */
    private Optional<AddressState> tryClaim(NetworkEntry entry, BigInteger number, Owner owner, boolean trustFeed,
            boolean reservedHere) {
        String network = entry.network.name();
        // An address claimed here before (the lowest free one is often the one just released)
        // keeps its address object and key: both are fixed by the number.
        RecentClaims.Claim earlier = entry.recentClaims.recall(number);
        InetAddress address = earlier != null ? earlier.state().address() : IpAddresses.fromNumber(number, entry.network.ipv6());
        String addressKey = earlier != null ? earlier.addressKey() : entry.keys.address(address);
        String ownerKey = entry.keys.owner(owner);
        Instant claimedAt = options.clock().instant();
        String record = StoredForms.encodeAddress(address, owner, claimedAt);
        entry.recentClaims.committing(addressKey);
        long version = KeyValueStore.NOT_APPLIED;
        boolean answered = false;
        try {
            version = store.commitVersioned(
                    List.of(Condition.atVersion(entry.keys.network(), entry.version),
                            Condition.absent(ownerKey), Condition.absent(addressKey)),
                    List.of(Operation.put(addressKey, record), Operation.put(ownerKey, record)));
            answered = true;
        } catch (StoreOutcomeUnknownException e) {
            LOG.debug("claim of {} in {} unconfirmed; reading back", address, network, e);
        } finally {
            entry.recentClaims.committed();
        }
        if (version != KeyValueStore.NOT_APPLIED) {
            entry.view.markUsed(number);
            AddressState state = AddressState.used(address, owner, claimedAt);
            entry.recentClaims.remember(new RecentClaims.Claim(number, addressKey, record, state, ownerKey, version));
            return Optional.of(state);
        }
        if (answered && trustFeed && entry.view.isUsed(number)) {
            // The feed has shown another claim of the candidate: a lost race, the common case under
            // contention, known without a read. Should the owner's condition have failed too, the
            // next attempt (which does not trust the feed) reads why.
            return Optional.empty();
        }
        // Find out why, cheapest question first: a lost race for the address is the common case.
        Optional<KeyValue> holder = store.get(addressKey);
        if (holder.isPresent()) {
            entry.view.markUsed(number);
            AddressState state = StoredForms.decodeAddress(holder.get().value(), addressKey);
            return state.owner().orElseThrow().equals(owner) ? Optional.of(state) : Optional.empty();
        }
        Optional<AddressState> held = heldBy(network, owner);
        if (held.isPresent()) {
            entry.view.markUsed(IpAddresses.toNumber(held.get().address()));
            if (reservedHere) {
                entry.view.unreserve(number);
            }
            return held;
        }
        // Neither the owner nor the address is taken: the network changed, or the answer was
        // lost and nothing was written. Reload the network (throwing if it is gone) and retry.
        entries.remove(network, entry);
        entry.stopWatching();
        return Optional.empty();
    }

    /** The address the owner holds in the network, read from the store. */
    private Optional<AddressState> heldBy(String network, Owner owner) {
        String ownerKey = keys.ownerKey(network, owner);
        return store.get(ownerKey).map(kv -> StoredForms.decodeAddress(kv.value(), ownerKey));
    }

    /**
     * The cached entry of a network, loading it when needed. No lock is held across the store
     * calls: while the store fails, every caller fails after its own call's timeout instead of
     * queueing behind the others'; concurrent loaders of one network keep the first entry.
     *
     * @throws InvalidInputException for a name that {@link Network#checkName} refuses (checked
     *     when the network is loaded: a name followed already passed, on every allocation)
     */
    private NetworkEntry entry(String name) {
        NetworkEntry entry = name == null ? null : entries.get(name);
        if (entry != null) {
            return entry;
        }
        Network.checkName(name);
        VersionedNetwork current = readNetwork(name).orElseThrow(() -> notFound(name));
        if (current.removing()) {
            throw new NetworkNotFoundException("network '" + name + "' is being removed");
        }
        NetworkEntry loaded = new NetworkEntry(current.network(), current.version());
        loaded.reload();
        if (closed) {
            loaded.stopWatching();
            return loaded;
        }
        NetworkEntry winner = entries.putIfAbsent(name, loaded);
        if (winner != null) {
            loaded.stopWatching();
            return winner;
        }
        return loaded;
    }

    /** Whether a release of the address would delete it without reading it first (for tests). */
    boolean releasesWithoutReading(String network, InetAddress address) {
        NetworkEntry entry = entries.get(network);
        RecentClaims.Claim claim = entry == null ? null : entry.recentClaims.recall(IpAddresses.toNumber(address));
        return claim != null && entry.vouchesFor(claim);
    }

    private void forget(String name) {
        NetworkEntry entry = entries.remove(name);
        if (entry != null) {
            entry.stopWatching();
        }
    }

    /**
     * The network as stored now (one linearizable read), decoded once per stored text: decoding
     * re-validates the whole definition, which would otherwise dominate a listing.
     */
    private Optional<VersionedNetwork> readNetwork(String name) {
        Optional<KeyValue> current = store.get(keys.networkKey(name));
        if (current.isEmpty()) {
            decoded.remove(name);
            return Optional.empty();
        }
        KeyValue kv = current.get();
        DecodedNetwork known = decoded.get(name);
        if (known != null && known.text().equals(kv.value())) {
            return Optional.of(new VersionedNetwork(known.network(), kv.version(), known.removing()));
        }
        StoredNetwork stored = StoredForms.readNetwork(kv.value(), kv.key());
        DecodedNetwork fresh = new DecodedNetwork(kv.value(), StoredForms.decodeNetwork(stored),
                StoredForms.REMOVING.equals(stored.state()));
        decoded.put(name, fresh);
        return Optional.of(new VersionedNetwork(fresh.network(), kv.version(), fresh.removing()));
    }

    private record DecodedNetwork(String text, Network network, boolean removing) {}

    private static BigInteger inPool(Network network, InetAddress address) {
        requireNonNull(address, "address");
        if (IpAddresses.isIpv6(address) == network.ipv6()) {
            BigInteger number = IpAddresses.toNumber(address);
            if (network.pool().contains(number)) {
                return number; // the pool lies inside the network: no need to check the block
            }
        }
        if (!network.encloses(address)) {
            throw new InvalidInputException(IpAddresses.format(address) + " is outside the network "
                    + IpAddresses.format(network.address()) + "/" + network.prefixLength());
        }
        BigInteger number = IpAddresses.toNumber(address);
        if (!network.pool().contains(number)) {
            throw new AddressNotFoundException(IpAddresses.format(address) + " is not in the pool of network '"
                    + network.name() + "'");
        }
        return number;
    }

    private static NetworkNotFoundException notFound(String name) {
        return new NetworkNotFoundException("network '" + name + "' is not registered");
    }

    private static String describe(Owner owner) {
        return "cluster '" + owner.cluster() + "' node '" + owner.node() + "'";
    }

    private static void pause(long deadline, String network) {
        if (System.nanoTime() > deadline) {
            throw new StoreUnavailableException("gave up allocating in '" + network + "': every free address stayed reserved");
        }
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while allocating in '" + network + "'", e);
        }
    }

    private record VersionedNetwork(Network network, long version, boolean removing) {}

    /** Reads the used addresses of a network in key order, a page at a time. */
    private final class UsedCursor implements Iterator<AddressState> {
        private final String prefix;
        private String after;
        private Iterator<KeyValue> page = java.util.Collections.emptyIterator();
        private boolean more = true;
        private AddressState peeked;

        UsedCursor(String prefix, String after) {
            this.prefix = prefix;
            this.after = after;
        }

        @Override
        public boolean hasNext() {
            if (peeked != null) {
                return true;
            }
            if (!page.hasNext() && more) {
                ScanPage next = store.scan(prefix, after, store.preferredScanLimit());
                page = next.entries().iterator();
                more = next.more() && !next.entries().isEmpty();
            }
            if (!page.hasNext()) {
                return false;
            }
            KeyValue kv = page.next();
            after = kv.key();
            peeked = StoredForms.decodeAddress(kv.value(), kv.key());
            return true;
        }

        @Override
        public AddressState next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            AddressState out = peeked;
            peeked = null;
            return out;
        }

        /** The used address {@code number}, consumed, or null when it is free. */
        AddressState takeIfAt(BigInteger number) {
            while (hasNext()) {
                int order = IpAddresses.toNumber(peeked.address()).compareTo(number);
                if (order > 0) {
                    return null;
                }
                AddressState current = next();
                if (order == 0) {
                    return current;
                }
            }
            return null;
        }
    }

    /** What this allocator knows of one network: its definition, version and candidate view. */
    private final class NetworkEntry {
        final Network network;
        final long version;
        final KeyLayout.NetworkKeys keys;
        final CandidateView view;
        final RecentClaims recentClaims = new RecentClaims();
        private final Object loading = new Object();
        private volatile boolean stale;
        private volatile RuntimeException lastReloadFailure;
        private volatile long lastReloadFailureAt;
        private volatile int generation;
        private volatile AutoCloseable watch;

        NetworkEntry(Network network, long version) {
            this.network = network;
            this.version = version;
            this.keys = Allocator.this.keys.of(network.name());
            this.view = new CandidateView(network.pool());
        }

        void reloadIfStale() {
            if (!stale) {
                return;
            }
            long asked = System.nanoTime();
            synchronized (loading) {
                if (!stale) {
                    return; // another thread reloaded while this one waited
                }
                RuntimeException failed = lastReloadFailure;
                if (failed != null && lastReloadFailureAt - asked > 0) {
                    // a reload that began after this thread asked has just failed: repeating it
                    // would only queue this caller behind another store timeout
                    throw new StoreUnavailableException(failed.getMessage(), failed);
                }
                try {
                    reload();
                    lastReloadFailure = null;
                } catch (RuntimeException e) {
                    lastReloadFailure = e;
                    lastReloadFailureAt = System.nanoTime();
                    throw e;
                }
            }
        }

        /**
         * Whether the claim may be deleted at its version without reading it first: the store
         * told the version, and a live change feed would have made this entry forget the claim
         * once the address changed elsewhere.
         */
        boolean vouchesFor(RecentClaims.Claim claim) {
            return claim.version() != KeyValueStore.VERSION_UNKNOWN && watch != null && !stale;
        }

        /** Reads every used address of the network, then follows changes from there. */
        void reload() {
            synchronized (loading) {
                stopWatching();
                recentClaims.clear(); // changes the feed missed may have made them stale
                String prefix = keys.addresses();
                CandidateView loaded = new CandidateView(network.pool());
                String after = null;
                long revision = -1;
                ScanPage page;
                do {
                    page = store.scan(prefix, after, store.preferredScanLimit());
                    if (revision < 0) {
                        revision = page.revision();
                    }
                    for (KeyValue kv : page.entries()) {
                        BigInteger number = numberOf(kv.key(), prefix);
                        if (number != null) {
                            loaded.markUsed(number);
                        }
                        after = kv.key();
                    }
                } while (page.more() && !page.entries().isEmpty());
                view.replaceUsed(loaded);
                stale = false;
                int current = ++generation;
                watch = store.watch(prefix, revision, new Follower(prefix, current)).orElse(null);
            }
        }

        void stopWatching() {
            synchronized (loading) {
                generation++;
                if (watch != null) {
                    try {
                        watch.close();
                    } catch (Exception e) {
                        LOG.debug("closing the change feed of {}", network.name(), e);
                    }
                    watch = null;
                }
            }
        }

        /** The address of an address key under {@code prefix}, or null for any other key. */
        private BigInteger numberOf(String key, String prefix) {
            int width = network.ipv6() ? 32 : 8;
            if (key.length() - prefix.length() != width) {
                return null;
            }
            try {
                // on every change the feed delivers: IPv4 without BigInteger's string parser
                BigInteger number = network.ipv6()
                        ? new BigInteger(key.substring(prefix.length()), 16)
                        : BigInteger.valueOf(Long.parseLong(key, prefix.length(), key.length(), 16));
                return number.signum() < 0 ? null : number; // a stray "-…" key
            } catch (NumberFormatException e) {
                return null;
            }
        }

        /** Applies a change feed to the view while its generation is current. */
        private final class Follower implements ChangeListener {
            private final String prefix;
            private final int generationFollowed;

            Follower(String prefix, int generationFollowed) {
                this.prefix = prefix;
                this.generationFollowed = generationFollowed;
            }

            @Override
            public void onPut(String key, String value, long revision) {
                BigInteger number = generationFollowed == generation ? numberOf(key) : null;
                if (number != null) {
                    view.markUsed(number);
                    recentClaims.changedElsewhere(number, revision);
                }
            }

            @Override
            public void onDelete(String key, long revision) {
                BigInteger number = generationFollowed == generation ? numberOf(key) : null;
                if (number != null) {
                    view.markFree(number);
                    recentClaims.changedElsewhere(number, revision);
                }
            }

            private BigInteger numberOf(String key) {
                if (recentClaims.isOwnCommitInFlight(key)) {
                    return null; // marked by the committing thread once the store answers
                }
                return key.startsWith(prefix) ? NetworkEntry.this.numberOf(key, prefix) : null;
            }

            @Override
            public boolean wantsValues() {
                return false; // the view only tracks which addresses are used
            }

            @Override
            public void onReset(Throwable cause) {
                LOG.debug("change feed of {} lost; reloading on next use", network.name(), cause);
                if (generationFollowed == generation) {
                    stale = true;
                }
            }
        }
    }
}
