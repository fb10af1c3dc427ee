package net.allocator.core;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One allocator's belief about which addresses of a network are used, kept as merged intervals
 * so that finding the lowest free address costs O(log n) whatever the network's size and
 * fullness. It only picks candidates: the store's conditional write decides, so a stale view
 * costs a retry, never a duplicate. Addresses that this process's threads are trying right now
 * are reserved, so that they do not all race for the same one.
 *
 * <p>Thread-safe. Never call the store while holding its lock.
 */
final class CandidateView {
    private final AddressPool pool;
    /**
     * Start → run of used addresses; runs neither overlap nor touch. A run's end changes in
     * place, so that claiming or freeing the address at a run's end (in a filled network, what
     * every allocation and its release do) costs one lookup and no map write.
     */
    private final TreeMap<BigInteger, Run> used = new TreeMap<>();
    private final Set<BigInteger> reserved = new HashSet<>();
    /**
     * Every pool address below it is known used, so a pick starts here rather than at the pool's
     * first address: in a filled network it would otherwise pass the first run on every pick.
     * Raised by a pick that passes runs from here, lowered by a free below it.
     */
    private BigInteger usedBelow = BigInteger.ZERO;
    /**
     * Every pool address below it is known used or reserved, so a pick that skips reserved
     * addresses starts here: with many threads claiming at once, it would otherwise walk, under
     * the lock, past every address the others have reserved. Set by such a pick to its candidate,
     * lowered by a free or an unreservation below it, reset by a reload.
     */
    private BigInteger busyBelow = BigInteger.ZERO;

    CandidateView(AddressPool pool) {
        this.pool = pool;
    }

    /** The end (inclusive) of a run of used addresses. */
    private static final class Run {
        BigInteger end;

        Run(BigInteger end) {
            this.end = end;
        }
    }

    /**
     * Reserves and returns the lowest address that is neither known used nor reserved.
     *
     * @return empty when every address is used or reserved
     */
    synchronized Optional<BigInteger> reserveLowestFree() {
        Optional<BigInteger> candidate = lowest(true);
        candidate.ifPresent(reserved::add);
        return candidate;
    }

    /**
     * Reserves one of the {@code among} lowest addresses that are neither known used nor
     * reserved, chosen at random, or the last of them when fewer are free.
     */
    synchronized Optional<BigInteger> reserveOneOfLowest(int among) {
        int skip = java.util.concurrent.ThreadLocalRandom.current().nextInt(among);
        Optional<BigInteger> chosen = Optional.empty();
        BigInteger cursor = BigInteger.ZERO;
        for (int i = 0; i <= skip; i++) {
            Optional<BigInteger> next = lowestFrom(cursor, true);
            if (next.isEmpty()) {
                break;
            }
            chosen = next;
            cursor = next.get().add(BigInteger.ONE);
        }
        chosen.ifPresent(reserved::add);
        return chosen;
    }

    /** The lowest address not known used, reserved or not; reserves nothing. */
    synchronized Optional<BigInteger> lowestNotUsed() {
        return lowest(false);
    }

    /** Whether some address is not known used, though it may be reserved. */
    synchronized boolean anyNotUsed() {
        return lowest(false).isPresent();
    }

    /** Whether the address is known used. */
    synchronized boolean isUsed(BigInteger address) {
        Map.Entry<BigInteger, Run> run = used.floorEntry(address);
        return run != null && run.getValue().end.compareTo(address) >= 0;
    }

    private Optional<BigInteger> lowest(boolean skipReserved) {
        return lowestFrom(BigInteger.ZERO, skipReserved);
    }

    private Optional<BigInteger> lowestFrom(BigInteger start, boolean skipReserved) {
        boolean fromUsedBound = start.compareTo(usedBelow) <= 0; // only used runs passed since usedBelow
        boolean fromBusyBound = skipReserved && start.compareTo(busyBelow) <= 0;
        BigInteger cursor = fromUsedBound ? usedBelow : start;
        if (fromBusyBound && busyBelow.compareTo(cursor) > 0) {
            cursor = busyBelow;
            fromUsedBound = false; // between the two bounds, addresses may be reserved rather than used
        }
        boolean afterRun = false;
        while (true) {
            Optional<BigInteger> next = pool.firstAtOrAfter(cursor);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            BigInteger candidate = next.get();
            // Runs never touch: the address right after one is not used (in a filled network,
            // the usual candidate), so only look it up when the pool skipped ahead.
            Map.Entry<BigInteger, Run> run = afterRun && candidate.equals(cursor) ? null : used.floorEntry(candidate);
            if (run != null && run.getValue().end.compareTo(candidate) >= 0) {
                cursor = run.getValue().end.add(BigInteger.ONE);
                afterRun = true;
                if (fromUsedBound) {
                    usedBelow = cursor;
                }
            } else if (skipReserved && !reserved.isEmpty() && reserved.contains(candidate)) {
                cursor = candidate.add(BigInteger.ONE);
                afterRun = false;
                fromUsedBound = false;
            } else {
                if (fromBusyBound) {
                    busyBelow = candidate;
                }
                return Optional.of(candidate);
            }
        }
    }

    synchronized void unreserve(BigInteger address) {
        reserved.remove(address);
        if (address.compareTo(busyBelow) < 0) {
            busyBelow = address; // it may be free now
        }
    }

    /**
     * Notes an address used, which ends its reservation: nobody here needs to keep off an
     * address that no one will be given (and its claimer need not take the lock again).
     */
    synchronized void markUsed(BigInteger address) {
        if (!reserved.isEmpty()) {
            reserved.remove(address);
        }
        Map.Entry<BigInteger, Run> before = used.floorEntry(address);
        if (before != null && before.getValue().end.compareTo(address) >= 0) {
            return;
        }
        BigInteger nextStart = used.higherKey(address);
        Run after = nextStart != null && IpAddresses.isSuccessor(nextStart, address) ? used.remove(nextStart) : null;
        if (before != null && IpAddresses.isSuccessor(address, before.getValue().end)) {
            before.getValue().end = after != null ? after.end : address; // joins the run before
        } else {
            used.put(address, after != null ? after : new Run(address)); // starts the run after, or a new one
        }
    }

    synchronized void markFree(BigInteger address) {
        if (address.compareTo(usedBelow) < 0) {
            usedBelow = address;
        }
        if (address.compareTo(busyBelow) < 0) {
            busyBelow = address;
        }
        Map.Entry<BigInteger, Run> found = used.floorEntry(address);
        if (found == null || found.getValue().end.compareTo(address) < 0) {
            return;
        }
        BigInteger start = found.getKey();
        Run run = found.getValue();
        if (address.compareTo(run.end) < 0) {
            used.put(address.add(BigInteger.ONE), new Run(run.end));
        }
        if (start.compareTo(address) < 0) {
            run.end = address.subtract(BigInteger.ONE); // shortens the run in place
        } else {
            used.remove(start);
        }
    }

    /**
     * Takes the used addresses of a freshly loaded view, which must not be used afterwards (its
     * runs now belong to this one); reservations stay.
     */
    synchronized void replaceUsed(CandidateView loaded) {
        used.clear();
        used.putAll(loaded.used); // into an empty map from a sorted one: linear, not n log n
        usedBelow = BigInteger.ZERO;
        busyBelow = BigInteger.ZERO;
    }

    /** How many runs of used addresses the view holds (for tests and figures). */
    synchronized int runs() {
        return used.size();
    }
}
