package net.allocator.core.store;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for a store that {@linkplain BatchLimits#batches() can batch}: concurrent commits
 * share one durable write, as PostgreSQL's WAL flush and etcd's raft loop share an fsync.
 *
 * <p>A caller that finds no flush in progress becomes the leader and flushes at once, so a lone
 * caller never waits for company. Callers that arrive while a flush is in progress queue. When
 * the leader's flush ends, it answers every member of that batch; if its own commit was flushed,
 * it hands the lead to the oldest queued caller, which takes everything queued up to the store's
 * {@link BatchLimits} and flushes it. Each caller gets its own outcome, or the exception its batch
 * ended with; a failed batch never affects another.
 *
 * <p>When the store does not allow two commits of a batch to name one key, a commit that names a
 * key already in the batch (or deletes a prefix, which names keys it cannot list) waits for the
 * next batch.
 *
 * <p>Thread-safe. It has no threads of its own: the callers do the flushing.
 */
public final class GroupCommitter {
    /** Stands for every key in the names of a batch holding a prefix delete; no key is empty. */
    private static final String PREFIX_DELETED = "";

    private final KeyValueStore store;
    private final BatchLimits limits;
    private final ReentrantLock lock = new ReentrantLock();
    /** Commits waiting for a batch, oldest first. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean flushing;

    /**
     * A group committer over {@code store}.
     *
     * @throws IllegalArgumentException when the store cannot batch
     */
    public GroupCommitter(KeyValueStore store) {
        this.store = requireNonNull(store, "store");
        this.limits = store.batchLimits();
        if (!limits.batches()) {
            throw new IllegalArgumentException("the store cannot batch commits: " + store.describe());
        }
    }

    /**
     * {@code store} itself when it cannot batch; else a view of it whose {@link
     * KeyValueStore#commit} and {@link KeyValueStore#commitVersioned} go through a group committer.
     */
    public static KeyValueStore around(KeyValueStore store) {
        if (store instanceof GroupCommittingStore || !store.batchLimits().batches()) {
            return store;
        }
        return new GroupCommittingStore(store, new GroupCommitter(store));
    }

    /**
     * Commits {@code commit} in the next batch, and returns its own outcome, as {@link
     * KeyValueStore#commitVersioned} does.
     *
     * @throws StoreOutcomeUnknownException when its batch's answer was lost
     * @throws net.allocator.core.StoreUnavailableException when its batch failed
     */
    public long commit(Commit commit) {
        Pending mine = new Pending(commit, lock.newCondition());
        lock.lock();
        try {
            queue.addLast(mine);
            while (!mine.done && flushing) {
                // Bounded by the store's own timeouts on the leader's flush. An interrupt cannot take
                // a commit back out of a batch already sent, so the wait ignores it.
                mine.signal.awaitUninterruptibly();
            }
            if (!mine.done) {
                lead(mine);
            }
        } finally {
            lock.unlock();
        }
        return mine.outcome();
    }

    /**
     * Flushes batches from the head of the queue until {@code mine} is flushed, then hands the lead
     * to the oldest caller still queued. Called and returns holding the lock; flushes without it.
     */
    private void lead(Pending mine) {
        flushing = true;
        try {
            while (!mine.done) {
                List<Pending> batch = takeBatch();
                lock.unlock();
                try {
                    flush(batch);
                } finally {
                    lock.lock();
                    for (Pending member : batch) {
                        member.done = true;
                        member.signal.signal();
                    }
                }
            }
        } finally {
            flushing = false;
            Pending next = queue.peekFirst();
            if (next != null) {
                next.signal.signal();
            }
        }
    }

    /** How many commits wait for a batch: for tests that line callers up behind a flush. */
    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** The oldest queued commits that fit the store's limits together, removed from the queue. */
    private List<Pending> takeBatch() {
        List<Pending> batch = new ArrayList<>();
        Set<String> keys = limits.keysMayRepeat() ? null : new HashSet<>();
        int operations = 0;
        while (!queue.isEmpty() && batch.size() < limits.maxCommits()) {
            Commit next = queue.peekFirst().commit;
            if (!batch.isEmpty() && operations + next.size() > limits.maxOperations()) {
                break;
            }
            if (keys != null && !addKeys(next, keys, batch.isEmpty())) {
                break;
            }
            operations += next.size();
            batch.add(queue.pollFirst());
        }
        return batch;
    }

    /**
     * Adds the keys {@code commit} names to {@code keys}; returns false, adding nothing, when it
     * names one already there. A prefix delete names keys nobody can list: it goes only first,
     * and then nothing joins it.
     */
    private boolean addKeys(Commit commit, Set<String> keys, boolean first) {
        if (keys.contains(PREFIX_DELETED)) {
            return false;
        }
        List<String> named = new ArrayList<>(commit.size());
        for (Condition condition : commit.conditions()) {
            named.add(condition.key());
        }
        for (Operation operation : commit.operations()) {
            if (operation instanceof Operation.Put put) {
                named.add(put.key());
            } else if (operation instanceof Operation.Delete delete) {
                named.add(delete.key());
            } else if (first) {
                named.add(PREFIX_DELETED);
            } else {
                return false;
            }
        }
        for (String key : named) {
            if (keys.contains(key)) {
                return false;
            }
        }
        keys.addAll(named);
        return true;
    }

    private void flush(List<Pending> batch) {
        List<Commit> commits = new ArrayList<>(batch.size());
        for (Pending member : batch) {
            commits.add(member.commit);
        }
        try {
            long[] outcomes = store.commitBatch(commits);
            if (outcomes.length != batch.size()) {
                throw new IllegalStateException("the store answered " + outcomes.length + " outcomes for "
                        + batch.size() + " commits");
            }
            for (int i = 0; i < outcomes.length; i++) {
                batch.get(i).outcome = outcomes[i];
            }
        } catch (RuntimeException | Error e) {
            for (Pending member : batch) {
                member.failure = e;
            }
        }
    }

    /** A queued commit and, once its batch is flushed, what it came to. */
    private static final class Pending {
        final Commit commit;
        final java.util.concurrent.locks.Condition signal;
        boolean done;
        long outcome;
        Throwable failure;

        Pending(Commit commit, java.util.concurrent.locks.Condition signal) {
            this.commit = commit;
            this.signal = signal;
        }

        long outcome() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return outcome;
        }
    }
}
