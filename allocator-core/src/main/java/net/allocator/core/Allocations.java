package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Optional;
import net.allocator.core.ClaimAttempt.Kind;
import net.allocator.core.ClaimAttempt.Outcome;
import net.allocator.core.ContentionPolicy.Contention;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;

/**
 * The loops of {@link AddressAllocator#allocate} and {@link AddressAllocator#claim}: choose a
 * candidate from the network's view, make one {@link ClaimAttempt}, and on failure drop a changed
 * network or count a lost race under the {@link ContentionPolicy}, until the owner holds an
 * address or the loop gives up. Thread-safe.
 */
final class Allocations {
    private final KeyValueStore store;
    private final NetworkCache networks;
    private final ClaimAttempt attempt;
    private final ContentionPolicy policy;

    Allocations(KeyValueStore store, NetworkCache networks, ClaimAttempt attempt, ContentionPolicy policy) {
        this.store = store;
        this.networks = networks;
        this.attempt = attempt;
        this.policy = policy;
    }

    /** See {@link AddressAllocator#allocate}. */
    AddressState allocate(String network, Owner owner) {
        requireNonNull(owner, "owner");
        Contention contention = null; // made on the first lost race or wait: most allocations meet none
        while (true) {
            NetworkState state = networks.state(network);
            state.reloadIfStale();
            CandidateView view = state.view();
            int lostRaces = contention == null ? 0 : contention.lostRaces();
            Optional<BigInteger> candidate = lostRaces == 0
                    ? view.reserveLowestFree()
                    : view.reserveOneOfLowest(ContentionPolicy.spread(lostRaces));
            if (candidate.isEmpty() && !view.anyNotUsed()) {
                Optional<AddressState> held = attempt.heldBy(network, owner);
                if (held.isPresent()) {
                    return held.get();
                }
                // The view says full: only an authoritative read may say so to the caller, of the
                // addresses and of the network, whose pool another instance may have grown.
                if (!state.isStillStored()) {
                    networks.evict(state);
                    continue;
                }
                state.reload();
                candidate = view.reserveLowestFree();
                if (candidate.isEmpty() && !view.anyNotUsed()) {
                    throw new NetworkExhaustedException("network '" + network + "' has no free address");
                }
            }
            Kind kind = lostRaces == 0 ? Kind.FIRST : Kind.RETRY;
            if (candidate.isPresent()) {
                if (contention != null) {
                    contention.reservedCandidate();
                }
            } else {
                contention = contention != null ? contention : policy.begin(network);
                if (contention.waitForSiblings()) {
                    continue;
                }
                candidate = view.lowestNotUsed();
                if (candidate.isEmpty()) {
                    continue;
                }
                kind = Kind.SHARED;
            }
            BigInteger number = candidate.get();
            Outcome outcome = null;
            try {
                outcome = attempt.tryOnce(state, number, owner, kind);
                if (outcome.claimed()) {
                    return outcome.held();
                }
            } finally {
                if (kind.reservedHere() && (outcome == null || !outcome.claimed())) {
                    view.unreserve(number); // (a claim has ended the reservation)
                }
            }
            if (outcome.networkChanged()) {
                networks.evict(state); // reloaded (or found gone) on the next turn
            }
            contention = contention != null ? contention : policy.begin(network);
            contention.attemptFailed(!outcome.networkChanged());
        }
    }

    /** See {@link AddressAllocator#claim}. */
    AddressState claim(String network, InetAddress address, Owner owner) {
        requireNonNull(owner, "owner");
        while (true) {
            NetworkState state = networks.state(network);
            BigInteger number = PoolMembership.numberOf(state.network(), address);
            Outcome outcome = attempt.tryOnce(state, number, owner, Kind.MANUAL);
            if (outcome.claimed()) {
                AddressState held = outcome.held();
                if (!held.address().equals(address)) {
                    throw new AddressInUseException("owner " + owner.describe() + " already holds "
                            + IpAddresses.format(held.address()) + " in network '" + network + "'");
                }
                return held;
            }
            if (outcome.networkChanged()) {
                networks.evict(state);
                continue;
            }
            Optional<KeyValue> holder = store.get(state.keys().address(address));
            if (holder.isPresent()) {
                AddressState held = StoredRecords.decodeAddress(holder.get().value(), holder.get().key());
                if (!held.owner().orElseThrow().equals(owner)) {
                    throw new AddressInUseException(IpAddresses.format(address) + " is used by "
                            + held.owner().orElseThrow().describe() + " in network '" + network + "'");
                }
                return held;
            }
        }
    }
}
