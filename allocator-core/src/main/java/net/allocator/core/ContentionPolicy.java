package net.allocator.core;

import java.time.Duration;

/**
 * What an allocation does when other allocators want the same addresses: how widely it spreads
 * its candidates after lost races, how long it waits for its siblings' claims of the last free
 * addresses before trying one of theirs, how it pauses meanwhile, and when it gives up. Kept apart
 * from the attempt itself, as Curator keeps its {@code RetryPolicy} apart from {@code tryOnce};
 * unlike a generic retry, every attempt picks a new candidate.
 *
 * <p>Immutable; {@link #begin} makes the per-allocation state, only once an allocation meets
 * contention, so that an uncontended allocation neither allocates it nor reads the clock.
 */
final class ContentionPolicy {
    /** How long an allocation waits for its siblings' claims of the last free addresses. */
    static final Duration SHARE_RESERVED_AFTER = Duration.ofMillis(200);
    private static final long SHARE_RESERVED_AFTER_NANOS = SHARE_RESERVED_AFTER.toNanos();
    /** The widest spread of candidates after lost races. */
    private static final int MAX_SPREAD = 64;

    private final Duration timeout;

    ContentionPolicy(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Among how many of the lowest free addresses to pick at random after {@code lostRaces} lost
     * races (at least one): other allocators are picking the same lowest addresses, and the
     * losers should stop colliding again.
     */
    static int spread(int lostRaces) {
        return Math.min(MAX_SPREAD, 2 << Math.min(lostRaces, 5));
    }

    /** The contention met by one allocation in {@code network}, from now on. */
    Contention begin(String network) {
        return new Contention(network);
    }

    /** One allocation's lost races, its wait for siblings, and its deadline. Not thread-safe. */
    final class Contention {
        private final String network;
        private int lostRaces;
        private long deadline; // set on the first lost race or wait: the clock costs a twentieth of an uncontended allocation
        private long waitingSince;

        private Contention(String network) {
            this.network = network;
        }

        int lostRaces() {
            return lostRaces;
        }

        /** A candidate of its own was reserved: any wait for siblings is over. */
        void reservedCandidate() {
            waitingSince = 0;
        }

        /**
         * Every address left is being tried by other threads here. Waits for them rather than
         * re-read the network, which cannot tell more than they will; but not longer than a
         * healthy store takes to answer. Then the allocation tries one of theirs as well (the
         * commit decides): a hung store would otherwise keep it waiting through its siblings'
         * timeouts, and newer callers would take what those free.
         *
         * @return true after a pause, to look again; false when it is time to share a sibling's
         *     candidate
         * @throws StoreUnavailableException when the contention timeout has passed, or the
         *     thread is interrupted
         */
        boolean waitForSiblings() {
            long now = System.nanoTime();
            waitingSince = waitingSince == 0 ? now : waitingSince;
            deadline = deadline == 0 ? now + timeout.toNanos() : deadline;
            if (now - waitingSince >= SHARE_RESERVED_AFTER_NANOS) {
                return false;
            }
            pause();
            return true;
        }

        /**
         * An attempt did not claim: the candidate was taken ({@code lostRace}), or the network
         * changed.
         *
         * @throws StoreUnavailableException when the allocation has kept failing for the
         *     contention timeout
         */
        void attemptFailed(boolean lostRace) {
            if (lostRace) {
                lostRaces++;
            }
            if (deadline == 0) {
                deadline = System.nanoTime() + timeout.toNanos();
            } else if (System.nanoTime() > deadline) {
                throw new StoreUnavailableException("gave up allocating in '" + network + "' after "
                        + timeout + " of lost races; retry");
            }
        }

        private void pause() {
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
    }
}
