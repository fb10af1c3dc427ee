package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.allocator.core.ContentionPolicy.Contention;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.StoreOutcomeUnknownException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AddressAllocator#allocateAll}: the lowest free addresses of the network's view, reserved
 * at once and claimed in as few commits as the store admits, each commit creating its nodes'
 * address and owner keys only if none exists and the network is unchanged. Uncontended, a cluster
 * that fits one commit costs that one round trip. A refused commit is read back (the cluster's
 * owner records, the network, the used addresses from the refused candidates on) and the rest is
 * tried again; a call that fails releases what it claimed. Thread-safe.
 */
final class ClusterAllocations {
    /** The most nodes one call may name. */
    static final int MAX_NODES = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ClusterAllocations.class);

    private final KeyValueStore store;
    private final NetworkCache networks;
    private final ClusterHoldings holdings;
    private final ContentionPolicy policy;
    private final Clock clock;

    ClusterAllocations(KeyValueStore store, NetworkCache networks, ClusterHoldings holdings, ContentionPolicy policy,
            Clock clock) {
        this.store = store;
        this.networks = networks;
        this.holdings = holdings;
        this.policy = policy;
        this.clock = clock;
    }

    /** One node's claim made by this call: its record, as written to both keys. */
    private record Claim(Owner owner, BigInteger number, String addressKey, String ownerKey, String record) {}

    /** See {@link AddressAllocator#allocateAll}. */
    Map<String, AddressState> allocateAll(String network, String cluster, List<String> nodes) {
        List<Owner> owners = owners(cluster, nodes);
        Map<String, AddressState> held = new HashMap<>();
        List<Claim> claimedHere = new ArrayList<>();
        try {
            claimAll(network, cluster, owners, held, claimedHere);
        } catch (RuntimeException failure) {
            undo(network, cluster, claimedHere, failure);
            throw failure;
        }
        Map<String, AddressState> answer = new LinkedHashMap<>();
        nodes.forEach(node -> answer.put(node, held.get(node)));
        return Collections.unmodifiableMap(answer);
    }

    private static List<Owner> owners(String cluster, List<String> nodes) {
        requireNonNull(nodes, "nodes");
        if (nodes.isEmpty() || nodes.size() > MAX_NODES) {
            throw new InvalidInputException("nodes must name 1 to " + MAX_NODES + " nodes, not " + nodes.size());
        }
        Set<String> seen = new HashSet<>();
        List<Owner> owners = new ArrayList<>(nodes.size());
        for (String node : nodes) {
            if (node != null && !seen.add(node)) {
                throw new InvalidInputException("node " + UserText.quote(node) + " is named twice");
            }
            owners.add(new Owner(cluster, node));
        }
        return owners;
    }

    private void claimAll(String network, String cluster, List<Owner> owners, Map<String, AddressState> held,
            List<Claim> claimedHere) {
        boolean readFull = false;
        Contention contention = null;
        while (true) {
            NetworkState state = networks.state(network);
            state.reloadIfStale();
            List<Owner> missing = owners.stream().filter(o -> !held.containsKey(o.node())).toList();
            if (missing.isEmpty()) {
                return;
            }
            List<BigInteger> candidates = reserve(state.view(), missing.size());
            if (candidates.size() < missing.size()) {
                candidates.forEach(state.view()::unreserve);
                if (readFull) {
                    throw new NetworkExhaustedException("network '" + network + "' has " + candidates.size()
                            + " free addresses; cluster '" + cluster + "' needs " + missing.size());
                }
                // The view says too full: only an authoritative read may say so to the caller, of
                // the addresses and of the network, whose pool another instance may have grown.
                if (!state.isStillStored()) {
                    networks.evict(state);
                    continue;
                }
                readKnownHoldings(network, cluster, owners, held);
                state.reload();
                readFull = true;
                continue;
            }
            int at = 0;
            boolean refused = false;
            while (at < missing.size()) {
                int size = CommitChunks.fitting(store.commitSizeLimit(), 1, 2, 2, missing.size() - at);
                if (!claimChunk(state, missing.subList(at, at + size), candidates.subList(at, at + size), held, claimedHere)) {
                    refused = true;
                    candidates.subList(at, candidates.size()).forEach(state.view()::unreserve);
                    readBack(state, cluster, owners, held, candidates.get(at));
                    break;
                }
                at += size;
            }
            if (refused) {
                readFull = false; // what was read may have changed: exhaustion needs a new read
                contention = contention != null ? contention : policy.begin(network);
                contention.attemptFailed(true);
            }
        }
    }

    /** Reserves up to {@code count} of the lowest free addresses of the view, ascending. */
    private static List<BigInteger> reserve(CandidateView view, int count) {
        List<BigInteger> reserved = new ArrayList<>(count);
        while (reserved.size() < count) {
            Optional<BigInteger> next = view.reserveLowestFree();
            if (next.isEmpty()) {
                break;
            }
            reserved.add(next.get());
        }
        return reserved;
    }

    /** One commit claiming {@code numbers} for {@code owners}, pairwise; false when refused. */
    private boolean claimChunk(NetworkState state, List<Owner> owners, List<BigInteger> numbers,
            Map<String, AddressState> held, List<Claim> claimedHere) {
        Instant claimedAt = clock.instant();
        List<Claim> claims = new ArrayList<>(owners.size());
        List<Condition> conditions = new ArrayList<>(1 + 2 * owners.size());
        List<Operation> operations = new ArrayList<>(2 * owners.size());
        conditions.add(state.unchanged());
        for (int i = 0; i < owners.size(); i++) {
            InetAddress address = IpAddresses.fromNumber(numbers.get(i), state.network().ipv6());
            Claim claim = new Claim(owners.get(i), numbers.get(i), state.keys().address(address),
                    state.keys().owner(owners.get(i)), StoredRecords.encodeAddress(address, owners.get(i), claimedAt));
            claims.add(claim);
            conditions.add(Condition.absent(claim.ownerKey()));
            conditions.add(Condition.absent(claim.addressKey()));
            operations.add(Operation.put(claim.addressKey(), claim.record()));
            operations.add(Operation.put(claim.ownerKey(), claim.record()));
        }
        boolean applied;
        try {
            applied = store.commit(conditions, operations);
        } catch (StoreOutcomeUnknownException e) {
            LOG.debug("claim of {} addresses in {} unconfirmed; reading back", claims.size(), state.network().name(), e);
            // One commit wrote every key or none: one key tells which.
            applied = store.get(claims.get(0).addressKey()).map(KeyValue::value).filter(claims.get(0).record()::equals).isPresent();
        }
        if (!applied) {
            return false;
        }
        for (Claim claim : claims) {
            state.view().markUsed(claim.number());
            held.put(claim.owner().node(), StoredRecords.decodeAddress(claim.record(), claim.addressKey()));
            claimedHere.add(claim);
        }
        return true;
    }

    /**
     * Learns why a commit was refused: nodes that already hold an address (they keep it), a
     * changed network (dropped, reloaded on the next turn), addresses claimed by others from
     * {@code firstRefused} on (marked used in the view).
     */
    private void readBack(NetworkState state, String cluster, List<Owner> owners, Map<String, AddressState> held,
            BigInteger firstRefused) {
        readKnownHoldings(state.network().name(), cluster, owners, held);
        if (!state.isStillStored()) {
            networks.evict(state);
            return;
        }
        String prefix = state.keys().addresses();
        String after = firstRefused.signum() == 0 ? null
                : prefix + IpAddresses.toKey(firstRefused.subtract(BigInteger.ONE), state.network().ipv6());
        for (KeyValue used : store.scan(prefix, after, MAX_NODES).entries()) {
            String hex = used.key().substring(prefix.length());
            if (hex.length() == (state.network().ipv6() ? 32 : 8)) {
                state.view().markUsed(new BigInteger(hex, 16));
            }
        }
    }

    private void readKnownHoldings(String network, String cluster, List<Owner> owners, Map<String, AddressState> held) {
        Set<String> asked = new HashSet<>();
        owners.forEach(owner -> asked.add(owner.node()));
        for (AddressState state : holdings.read(network, cluster)) {
            String node = state.owner().orElseThrow().node();
            if (asked.contains(node)) {
                held.putIfAbsent(node, state);
            }
        }
    }

    /**
     * Releases what this call claimed, after {@code failure}: every record still as this call
     * wrote it. What cannot be undone (the store failing meanwhile) stays held by its node, and
     * the same call, retried, answers with it.
     */
    private void undo(String network, String cluster, List<Claim> claimedHere, RuntimeException failure) {
        if (claimedHere.isEmpty()) {
            return;
        }
        Set<String> mine = new HashSet<>();
        claimedHere.forEach(claim -> mine.add(claim.record()));
        try {
            Map<String, String> addressKeys = new HashMap<>();
            claimedHere.forEach(claim -> addressKeys.put(claim.ownerKey(), claim.addressKey()));
            List<KeyValue> toDelete = new ArrayList<>();
            for (KeyValue owner : holdings.ownerRecords(network, cluster)) {
                if (mine.contains(owner.value())) {
                    toDelete.add(owner);
                }
            }
            int at = 0;
            while (at < toDelete.size()) {
                int size = CommitChunks.fitting(store.commitSizeLimit(), 0, 1, 2, toDelete.size() - at);
                List<Condition> conditions = new ArrayList<>();
                List<Operation> operations = new ArrayList<>();
                for (KeyValue owner : toDelete.subList(at, at + size)) {
                    String addressKey = addressKeys.get(owner.key());
                    conditions.add(Condition.atVersion(addressKey, owner.version()));
                    operations.add(Operation.delete(addressKey));
                    operations.add(Operation.delete(owner.key()));
                }
                store.commit(conditions, operations);
                at += size;
            }
            NetworkState loaded = networks.loaded(network);
            if (loaded != null) {
                claimedHere.forEach(claim -> loaded.view().markFree(claim.number()));
            }
        } catch (RuntimeException undoFailed) {
            failure.addSuppressed(undoFailed);
            LOG.warn("could not release the {} addresses claimed for cluster '{}' in '{}' before the call failed; "
                    + "they stay held, and a retry of the call answers with them", claimedHere.size(), cluster, network, undoFailed);
        }
    }
}
