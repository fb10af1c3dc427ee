package net.allocator.core;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import net.allocator.core.store.KeyValueStore;

/**
 * The records this allocator wrote for its latest claims in one network, so that a release soon
 * after (a provisioning step rolled back, a short-lived workload) need not parse the stored record
 * again: when the store still holds exactly the text written here, it holds exactly this claim.
 * Only a shortcut: any other text is decoded as usual, so a forgotten or overwritten claim costs a
 * parse, never a wrong answer.
 *
 * <p>A fixed table indexed by the address, without a lock: a newer claim takes the slot of an
 * older one with the same index. A release leaves its claim in place, since the text check
 * already tells a stale claim, and forgetting would cost every release a write.
 *
 * <p>Beside the claims, the revisions of this allocator's latest commits (claims and releases),
 * so that the change feed's follower can pass over its own changes ({@link #isOwnCommit}).
 * Thread-safe.
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
     * The revisions of this allocator's latest commits in the network, each in the slot its value
     * picks, so that the change feed can tell its own commits from others' without a lock: a
     * revision belongs to one commit, so a slot holding exactly the revision delivered is proof
     * the change is this allocator's own, which its committer has already applied to the view. A
     * revision overwritten by a later one (the feed fell more than {@value #CAPACITY} commits
     * behind) is followed like anyone else's change: it costs the view's lock, never a wrong view.
     * Written with a release store and no fence: a committer's note seen late costs the same.
     */
    private final AtomicLongArray ownCommits = new AtomicLongArray(CAPACITY);

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

    /**
     * Notes that this allocator made the commit the store applied at {@code revision}; the
     * committer applies it to the view itself, after this note. Nothing is noted for {@link
     * KeyValueStore#VERSION_UNKNOWN}.
     */
    void committedAt(long revision) {
        if (revision > 0) {
            ownCommits.lazySet(ownSlotOf(revision), revision);
        }
    }

    /**
     * Whether the change the feed delivers at {@code revision} is of a commit this allocator
     * noted with {@link #committedAt}: then its committer applies it to the view, and the
     * follower need not. A change at any other revision, even of the same key, is someone
     * else's.
     */
    boolean isOwnCommit(long revision) {
        return revision > 0 && ownCommits.get(ownSlotOf(revision)) == revision;
    }

    /**
     * Forgets which commits were this allocator's, when the view is reloaded: a committer may
     * have applied its commit to the view the reload replaced, and the new feed must then bring
     * it again.
     */
    void forgetOwnCommits() {
        for (int i = 0; i < CAPACITY; i++) {
            ownCommits.set(i, 0);
        }
    }

    private static int ownSlotOf(long revision) {
        return (int) revision & (CAPACITY - 1);
    }

    private static int slotOf(BigInteger number) {
        return number.intValue() & (CAPACITY - 1);
    }
}
