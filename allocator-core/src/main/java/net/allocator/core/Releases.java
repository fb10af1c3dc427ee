package net.allocator.core;

import java.math.BigInteger;
import java.net.InetAddress;
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
 * {@link AddressAllocator#release}: one conditional delete of the address's key and its owner's
 * key, at the address's version and the network's, read back when refused or unanswered.
 * Thread-safe.
 */
final class Releases {
    private static final Logger LOG = LoggerFactory.getLogger(Releases.class);

    private final KeyValueStore store;
    private final NetworkCache networks;

    Releases(KeyValueStore store, NetworkCache networks) {
        this.store = store;
        this.networks = networks;
    }

    /**
     * Frees the address, from whoever holds it or only from {@code expectedOwner}.
     *
     * @return the address, free
     */
    AddressState release(String network, InetAddress address, Optional<Owner> expectedOwner) {
        NetworkState state = networks.state(network);
        while (!releaseIn(state, address, expectedOwner)) {
            // The network changed in the store since it was loaded here: removed elsewhere, or
            // marked by a removal. Load it again, which throws when it is gone, and release there.
            networks.evict(state);
            state = networks.state(network);
        }
        return AddressState.free(address);
    }

    /**
     * Whether a release of the address would delete it without reading it first, at the version
     * its claim here was told (for tests).
     */
    boolean wouldDeleteWithoutReading(String network, InetAddress address) {
        NetworkState state = networks.loaded(network);
        RecentClaims.Claim claim = state == null ? null : state.recentClaims().recall(IpAddresses.toNumber(address));
        return claim != null && state.canDeleteWithoutReading(claim);
    }

    /**
     * Frees the address in the network as {@code state} knows it.
     *
     * @return true when the address is free, false when the network is no longer stored at the
     *     version {@code state} describes (then nothing was deleted)
     */
    private boolean releaseIn(NetworkState state, InetAddress address, Optional<Owner> expectedOwner) {
        RecentClaims recentClaims = state.recentClaims();
        RecentClaims.Claim recalled = recentClaims.recall(address);
        BigInteger number = recalled != null ? recalled.number() : PoolMembership.numberOf(state.network(), address);
        recalled = recalled != null ? recalled : recentClaims.recall(number);
        String addressKey = recalled != null ? recalled.addressKey() : state.keys().address(address);
        long unconfirmedVersion = -1;
        long refusedVersion = -1;
        // A claim made here at a version the store told, by the owner expected, is deleted at
        // that version without reading it first, while the change feed follows the network (it
        // forgets a claim once it shows the address changed elsewhere; a lost answer is then
        // read back as though the claim had been read just before). Should anything have
        // changed that the feed has not shown yet, the condition fails and the address is read.
        KeyValue current = recalled != null && state.canDeleteWithoutReading(recalled)
                && expectedOwner.map(recalled.state().owner().orElseThrow()::equals).orElse(true)
                ? new KeyValue(addressKey, recalled.record(), recalled.version()) : null;
        while (true) {
            if (current == null) {
                Optional<KeyValue> stored = store.get(addressKey);
                if (stored.isEmpty()) {
                    // Free, unless the network went with it: a forced removal deletes every
                    // address key. Not the common path (that is a delete), so one more read.
                    if (!state.isStillStored()) {
                        return false;
                    }
                    state.view().markFree(number);
                    return true;
                }
                current = stored.get();
                if (unconfirmedVersion > 0 && current.version() != unconfirmedVersion) {
                    // The unconfirmed delete took effect (an address key only changes by being
                    // deleted and claimed anew), and someone has claimed the address since.
                    return true;
                }
                if (current.version() == refusedVersion) {
                    // The delete was refused, yet the address is as it was: the network changed.
                    return false;
                }
            }
            RecentClaims.Claim mine = recalled != null && recalled.isStored(current.value()) ? recalled : null;
            AddressState held = mine != null ? mine.state() : StoredRecords.decodeAddress(current.value(), addressKey);
            Owner holder = held.owner().orElseThrow();
            if (expectedOwner.isPresent() && !expectedOwner.get().equals(holder)) {
                throw new AddressInUseException(IpAddresses.format(address) + " is used by " + holder.describe()
                        + ", not by " + expectedOwner.get().describe());
            }
            String ownerKey = mine != null ? mine.ownerKey() : state.keys().owner(holder);
            try {
                // Conditioned on the network too, as a claim is: a network removed through
                // another allocator is noticed here at no extra round trip.
                long revision = store.commitVersioned(
                        List.of(Condition.atVersion(addressKey, current.version()), state.unchanged()),
                        List.of(Operation.delete(addressKey), Operation.delete(ownerKey)));
                if (revision != KeyValueStore.NOT_APPLIED) {
                    recentClaims.committedAt(revision); // before the mark: see RecentClaims.forgetOwnCommits
                    state.view().markFree(number);
                    return true;
                }
                refusedVersion = current.version();
            } catch (StoreOutcomeUnknownException e) {
                LOG.debug("release of {} in {} unconfirmed; reading back", address, state.network().name(), e);
                unconfirmedVersion = current.version();
            }
            current = null;
        }
    }
}
