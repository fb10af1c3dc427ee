package net.allocator.core;

import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The records this allocator wrote for its latest claims in one network, so that a release soon
 * after (a provisioning step rolled back, a short-lived workload) need not parse the stored record
 * again: when the store still holds exactly the text written here, it holds exactly this claim.
 * Only a shortcut: any other text is decoded as usual, so a forgotten or overwritten claim costs a
 * parse, never a wrong answer.
 *
 * <p>A fixed table indexed by the address, without a lock: a newer claim takes the slot of an
 * older one with the same index. Thread-safe.
 */
final class RecentClaims {
    static final int CAPACITY = 1024;

    /** A claim as written: the address, its key, the record's text, what it says, and the owner's key. */
    record Claim(BigInteger number, String addressKey, String record, AddressState state, String ownerKey) {
        /** Whether the store's record at the address is still exactly this claim. */
        boolean isStored(String storedRecord) {
            return record.equals(storedRecord);
        }
    }

    private final AtomicReferenceArray<Claim> slots = new AtomicReferenceArray<>(CAPACITY);
    /** The claim whose record a thread here is writing or deleting right now (one of them). */
    private volatile Claim committing;

    void remember(Claim claim) {
        slots.set(slotOf(claim.number()), claim);
    }

    /** The latest claim of {@code number} written here and not forgotten, or null. */
    Claim recall(BigInteger number) {
        Claim claim = slots.get(slotOf(number));
        return claim != null && claim.number().equals(number) ? claim : null;
    }

    void forget(Claim claim) {
        slots.compareAndSet(slotOf(claim.number()), claim, null);
    }

    /** Notes that a thread is about to write or delete the claim's record. */
    void committing(Claim claim) {
        committing = claim;
    }

    /**
     * Whether a key the change feed delivers is the very key object of a claim being written or
     * deleted here. A store that delivers changes on the committing thread hands back the key it
     * was given; comparing identity, not text, leaves every other key (another thread's, another
     * process's, a feed's own copy) to the follower.
     */
    boolean isCommitting(String key) {
        Claim claim = committing;
        return claim != null && claim.addressKey() == key;
    }

    private static int slotOf(BigInteger number) {
        return number.intValue() & (CAPACITY - 1);
    }
}
