package net.allocator.core;

import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.StoreOutcomeUnknownException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt to claim an address (Curator's {@code tryOnce}): one conditional commit that
 * creates the address's key and the owner's key together, only if neither exists and the network
 * is unchanged; and when it does not apply, or its answer was lost, a read-back of what happened
 * instead. It never retries and never touches the {@link NetworkCache}: its caller decides.
 */
final class ClaimAttempt {
    private static final Logger LOG = LoggerFactory.getLogger(ClaimAttempt.class);

    private final KeyValueStore store;
    private final KeyLayout keys;
    private final Clock clock;

    /** How the candidate of an attempt was chosen, which decides what a refusal may be put down to. */
    enum Kind {
        /**
         * The lowest free candidate, reserved by this thread, before any lost race: a refusal of
         * a candidate that the change feed already shows taken is a lost race, known without a
         * read.
         */
        FIRST,
        /** A candidate reserved by this thread after a lost race: a refusal is read back. */
        RETRY,
        /** A candidate reserved by a sibling thread that is taking too long: a refusal is read back. */
        SHARED,
        /** The address a caller named (manual mode): a refusal is read back. */
        MANUAL;

        boolean trustsFeed() {
            return this == FIRST;
        }

        boolean reservedHere() {
            return this == FIRST || this == RETRY;
        }
    }

    /**
     * What an attempt found: the address the owner now holds (this one or another, and then the
     * candidate is no longer reserved), or nothing, because the candidate was {@link #TAKEN} by
     * someone else or because the {@link #NETWORK_CHANGED}. One field, as small as the
     * {@code Optional} it replaces: one is made on every allocation.
     */
    record Outcome(AddressState held) {
        static final Outcome TAKEN = new Outcome(null);
        static final Outcome NETWORK_CHANGED = new Outcome(null);

        static Outcome holds(AddressState state) {
            return new Outcome(state);
        }

        boolean claimed() {
            return held != null;
        }

        boolean networkChanged() {
            return this == NETWORK_CHANGED;
        }
    }

    ClaimAttempt(KeyValueStore store, KeyLayout keys, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.clock = clock;
    }

    /** One attempt to claim {@code number} of the network for {@code owner}. */
    Outcome tryOnce(NetworkState network, BigInteger number, Owner owner, Kind kind) {
        RecentClaims recentClaims = network.recentClaims();
        CandidateView view = network.view();
        // An address claimed here before (the lowest free one is often the one just released)
        // keeps its address object and key: both are fixed by the number.
        RecentClaims.Claim earlier = recentClaims.recall(number);
        InetAddress address = earlier != null ? earlier.state().address() : IpAddresses.fromNumber(number, network.network().ipv6());
        String addressKey = earlier != null ? earlier.addressKey() : network.keys().address(address);
        String ownerKey = network.keys().owner(owner);
        Instant claimedAt = clock.instant();
        String record = StoredRecords.encodeAddress(address, owner, claimedAt);
        long version = KeyValueStore.NOT_APPLIED;
        boolean answered = false;
        try {
            version = store.commitVersioned(
                    List.of(network.unchanged(), Condition.absent(ownerKey), Condition.absent(addressKey)),
                    List.of(Operation.put(addressKey, record), Operation.put(ownerKey, record)));
            answered = true;
        } catch (StoreOutcomeUnknownException e) {
            LOG.debug("claim of {} in {} unconfirmed; reading back", address, network.network().name(), e);
        }
        if (version != KeyValueStore.NOT_APPLIED) {
            recentClaims.committedAt(version); // before the mark: see RecentClaims.forgetOwnCommits
            view.markUsed(number);
            AddressState state = AddressState.used(address, owner, claimedAt);
            recentClaims.remember(new RecentClaims.Claim(number, addressKey, record, state, ownerKey, version));
            return Outcome.holds(state);
        }
        if (answered && kind.trustsFeed() && view.isUsed(number)) {
            // The feed has shown another claim of the candidate: a lost race, the common case under
            // contention, known without a read. Should the owner's condition have failed too, the
            // next attempt (which does not trust the feed) reads why.
            return Outcome.TAKEN;
        }
        // Find out why, cheapest question first: a lost race for the address is the common case.
        Optional<KeyValue> holder = store.get(addressKey);
        if (holder.isPresent()) {
            view.markUsed(number);
            AddressState state = StoredRecords.decodeAddress(holder.get().value(), addressKey);
            return state.owner().orElseThrow().equals(owner) ? Outcome.holds(state) : Outcome.TAKEN;
        }
        Optional<AddressState> held = heldBy(network.network().name(), owner);
        if (held.isPresent()) {
            view.markUsed(IpAddresses.toNumber(held.get().address()));
            if (kind.reservedHere()) {
                view.unreserve(number);
            }
            return Outcome.holds(held.get());
        }
        // Neither the owner nor the address is taken: the network changed, or the answer was
        // lost and nothing was written. The caller reloads the network (which throws if it is
        // gone) and tries again.
        return Outcome.NETWORK_CHANGED;
    }

    /** The address the owner holds in the network, read from the store. */
    Optional<AddressState> heldBy(String network, Owner owner) {
        String ownerKey = keys.ownerKey(network, owner);
        return store.get(ownerKey).map(kv -> StoredRecords.decodeAddress(kv.value(), ownerKey));
    }
}
