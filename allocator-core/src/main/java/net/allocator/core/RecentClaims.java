package net.allocator.core;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import net.allocator.core.store.KeyValueStore;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The records this allocator wrote for its latest claims in one network, so that a release soon
 * after (a provisioning step rolled back, a short-lived workload) need not parse the stored record
 * again: when the store still holds exactly the text written here, it holds exactly this claim.
 * Only a shortcut: any other text is decoded as usual, so a forgotten or overwritten claim costs a
 * parse, never a wrong answer.
 *
 * <p>A fixed table indexed by the address, without a lock: a newer claim takes the slot of an
 * older one with the same index. A release leaves its claim in place, since the text check
 * already tells a stale claim, and forgetting would cost every release a write. Thread-safe.
 */
final class RecentClaims {
    static final int CAPACITY = 1024;

    /**
     * A claim as written: the address, its key, the record's text, what it says, the owner's
     * key, and the version the store gave both keys ({@link KeyValueStore#VERSION_UNKNOWN} when
     * it did not tell). A claim with a known version stands for the stored record until the
     * change feed shows the address changed elsewhere ({@link #changedElsewhere}), so a release
     * may delete at that version without reading first; the store's condition still decides.
     */
    record Claim(BigInteger number, String addressKey, String record, AddressState state, String ownerKey, long version) {
        /** Whether the store's record at the address is still exactly this claim. */
        boolean isStored(String storedRecord) {
            return record.equals(storedRecord);
        }
    }

    private final AtomicReferenceArray<Claim> slots = new AtomicReferenceArray<>(CAPACITY);
    /**
     * The address key of a commit a thread here is making right now (one of them), and the
     * thread. Not volatile: only the committing thread itself (a store that delivers changes on
     * the committing thread) can find its own note, which program order shows it; any other
     * thread that sees a stale note or none follows the change as usual. A fenced write would
     * cost two in every allocate+release.
     */
    private InFlight inFlight;

    private record InFlight(String addressKey, Thread thread) {}

    void remember(Claim claim) {
        slots.lazySet(slotOf(claim.number()), claim); // no fence: a claim seen late costs a parse (and is immutable)
    }

    /**
     * The latest claim of {@code number} written here, or null. It may since have been released
     * and claimed again, here or elsewhere: {@link Claim#isStored} tells.
     */
    Claim recall(BigInteger number) {
        Claim claim = slots.get(slotOf(number));
        return claim != null && claim.number().equals(number) ? claim : null;
    }

    /**
     * Forgets the claim of {@code number} when the change feed shows the address written or
     * deleted at a {@code revision} after the claim's known version, so that a release reads it
     * first (see {@link Claim}). Changes up to the claim's own write, which a feed may deliver
     * after the claim was remembered, leave it.
     */
    void changedElsewhere(BigInteger number, long revision) {
        int slot = slotOf(number);
        Claim claim = slots.get(slot);
        if (claim != null && claim.version() != KeyValueStore.VERSION_UNKNOWN && revision > claim.version()
                && claim.number().equals(number)) {
            slots.compareAndSet(slot, claim, null); // not a newer claim remembered meanwhile
        }
    }

    /** Forgets every claim: the change feed missed changes. */
    void clear() {
        for (int i = 0; i < CAPACITY; i++) {
            slots.set(i, null);
        }
    }

    /**
     * {@link #recall(BigInteger)} by the address, without working out its number: for an IPv4
     * address only (its hash is its number), else null.
     */
    Claim recall(InetAddress address) {
        if (!(address instanceof Inet4Address)) {
            return null;
        }
        Claim claim = slots.get(address.hashCode() & (CAPACITY - 1));
        return claim != null && claim.state().address().equals(address) ? claim : null;
    }

    /** Notes that this thread is about to commit a write or delete of {@code addressKey}. */
    void committing(String addressKey) {
        inFlight = new InFlight(addressKey, Thread.currentThread());
    }

    /**
     * Notes that this thread's commit has returned. It may clear another thread's note instead:
     * that thread's own change is then only followed like anyone else's.
     */
    void committed() {
        inFlight = null;
    }

    /**
     * Whether a change the feed delivers is of the commit this very thread is making: the same
     * key object (a store that delivers on the committing thread hands back the key it was
     * given), on the thread that noted it, before it returned. Then the committing thread marks
     * the view itself once the store answers, and the follower need not. Any other change, even
     * of an equal key, is followed as usual.
     */
    boolean isOwnCommitInFlight(String key) {
        InFlight commit = inFlight;
        return commit != null && commit.addressKey() == key && commit.thread() == Thread.currentThread();
    }

    private static int slotOf(BigInteger number) {
        return number.intValue() & (CAPACITY - 1);
    }
}
