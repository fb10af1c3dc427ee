package net.allocator.core.store;

import java.util.List;
import java.util.Optional;

/**
 * The few primitive operations the allocator needs from a key-value store. A backend only
 * translates these to its store; the key layout, the allocation algorithm and the retry loop
 * live in {@code net.allocator.core}.
 *
 * <p>Keys and values are UTF-8 strings. Keys handed to a store are already complete (the
 * allocator adds the deployment's prefix), use {@code /} as separator, and never start with
 * {@code /}.
 *
 * <p>Every read that this interface describes as <em>linearizable</em> must reflect every
 * commit acknowledged before the read started (etcd: the default serializable=false read;
 * Consul: {@code ?consistent}).
 *
 * <p>Errors: every method throws {@link net.allocator.core.StoreUnavailableException} when the store cannot be
 * reached or answers with an error within the backend's configured timeout, and never blocks
 * longer than about that timeout (plus the time to connect). {@link #commit} throws {@link StoreOutcomeUnknownException} when
 * the request may have been applied but no answer arrived (the allocator then reads back what
 * happened).
 *
 * <p>Implementations are thread-safe.
 */
public interface KeyValueStore extends AutoCloseable {

    /** Linearizable read of one key. */
    Optional<KeyValue> get(String key);

    /**
     * Linearizable read of the keys that start with {@code prefix} and sort strictly after
     * {@code startAfter} (all of them when {@code startAfter} is {@code null}), in ascending
     * byte order of their keys, at most {@code limit} of them.
     *
     * @param limit at least 1
     */
    ScanPage scan(String prefix, String startAfter, int limit);

    /**
     * How many keys the allocator should ask for per {@link #scan} when it reads a whole
     * network. A store without range reads, which reads the whole prefix for every page anyway,
     * says {@link Integer#MAX_VALUE}.
     */
    default int preferredScanLimit() {
        return 1000;
    }

    /**
     * The most conditions and operations this store applies in one {@link #commit}; a larger
     * commit fails (as {@link net.allocator.core.StoreUnavailableException} or {@link
     * IllegalArgumentException}) without writing anything. The allocator splits a cluster's
     * claims and teardowns into commits within it. A store without a limit keeps this default.
     */
    default CommitSizeLimit commitSizeLimit() {
        return CommitSizeLimit.UNBOUNDED;
    }

    /**
     * Linearizable count of the keys that start with {@code prefix}: how full a network is. A
     * store that can count without sending the keys (etcd: {@code count_only}) overrides this
     * default, which reads the keys a page at a time and counts them.
     */
    default long count(String prefix) {
        long counted = 0;
        String after = null;
        ScanPage page;
        do {
            page = scan(prefix, after, preferredScanLimit());
            counted += page.entries().size();
            if (!page.entries().isEmpty()) {
                after = page.entries().get(page.entries().size() - 1).key();
            }
        } while (page.more() && !page.entries().isEmpty());
        return counted;
    }

    /**
     * Applies every operation if and only if every condition holds, as one atomic step: either
     * all operations are applied or none, in list order (a later write to a key wins). Conditions
     * and operations number at most {@link #commitSizeLimit()}. A commit whose answer was lost may still be
     * applied later (etcd can commit a timed-out proposal after a leader change), so callers make
     * their conditions exclusive rather than trusting a read-back of "absent" as final.
     *
     * @return {@code true} when applied; {@code false} when some condition did not hold (nothing
     *     was written)
     * @throws StoreOutcomeUnknownException when the request was sent but no answer arrived
     */
    boolean commit(List<Condition> conditions, List<Operation> operations);

    /** {@link #commitVersioned}: applied, but the store does not tell at which version. */
    long VERSION_UNKNOWN = 0;

    /** {@link #commitVersioned}: some condition did not hold, and nothing was written. */
    long NOT_APPLIED = -1;

    /**
     * {@link #commit}, also telling the version that every key the commit wrote now has (what
     * {@link KeyValue#version()} of a read would show, and the revision at which a {@link #watch}
     * delivers these writes, and the commit's deletions too; later changes come at higher
     * revisions, and no other commit's at this one), so that a caller can later make a condition
     * on it without reading the key first, and tell its own changes in a feed. A store that cannot
     * tell keeps this default.
     *
     * @return that version when applied, or {@link #VERSION_UNKNOWN}; {@link #NOT_APPLIED} when
     *     some condition did not hold
     * @throws StoreOutcomeUnknownException as {@link #commit} does
     */
    default long commitVersioned(List<Condition> conditions, List<Operation> operations) {
        return commit(conditions, operations) ? VERSION_UNKNOWN : NOT_APPLIED;
    }

    /**
     * What {@link #commitBatch} accepts from this store. The default, {@link
     * BatchLimits#UNBATCHED}, says the store cannot batch: core then sends it one commit per call.
     */
    default BatchLimits batchLimits() {
        return BatchLimits.UNBATCHED;
    }

    /**
     * Group commit: applies several commits in one durable write, each with an outcome of its
     * own. The outcome of every commit is exactly what {@link #commitVersioned} would have
     * returned had the commits been made alone, one after another, in list order: a commit whose
     * conditions do not hold writes nothing and does not stop the others, and an applied commit
     * does not make a refused one apply; a commit sees the writes of the commits before it (when
     * {@link BatchLimits#keysMayRepeat()} allows two of them to name one key). The batch is
     * durable as a whole: when this method returns, every applied commit is as durable as {@link
     * #commit} makes one. The caller keeps within {@link #batchLimits()}: at most {@code
     * maxCommits} commits and {@code maxOperations} conditions and operations (unless the batch
     * is a single commit), and, unless {@code keysMayRepeat}, no key named by two commits.
     *
     * @return each commit's outcome, in list order: the version its written keys now have (or
     *     {@link #VERSION_UNKNOWN}), or {@link #NOT_APPLIED}
     * @throws StoreOutcomeUnknownException when the batch was sent but its answer was lost: the
     *     outcome of every commit in it is unknown, and the caller reads back as after a lost
     *     {@link #commit}
     * @throws net.allocator.core.StoreUnavailableException when nothing in the batch was applied
     * @throws IllegalArgumentException when the batch exceeds {@link #batchLimits()}
     */
    default long[] commitBatch(List<Commit> commits) {
        if (commits.size() > batchLimits().maxCommits()) {
            throw new IllegalArgumentException(commits.size() + " commits exceed this store's batch limit of "
                    + batchLimits().maxCommits());
        }
        long[] outcomes = new long[commits.size()];
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = commitVersioned(commits.get(i).conditions(), commits.get(i).operations());
        }
        return outcomes;
    }

    /**
     * Follows changes to the keys under {@code prefix} made after the store revision {@code
     * afterRevision} (as returned by {@link ScanPage#revision()}), delivering them in order to
     * {@code listener} on a thread of the store's, which may be its network thread: a listener
     * must return quickly and never wait. Several changes may share a revision (one commit). A
     * feed may coalesce several changes of a key into its latest state, but a follower that
     * applies every delivered change must end up with the prefix's current contents.
     *
     * <p>The listener is never called on the committer's thread, nor while the store holds a
     * lock that another client's commit needs: a commit is applied whole and returns normally
     * whatever its listeners do. It may be called on the client's own network thread (etcd), so
     * it must still return quickly and not call the store.
     *
     * <p>A listener that throws has missed a change: its feed ends with exactly one {@link
     * ChangeListener#onReset}, and the store's other feeds go on. Closing the returned handle ends
     * the feed without a reset: no call starts after {@code close} returns (one already running
     * may finish), and a second {@code close} does nothing. Closing the store ends all its feeds
     * the same way, without a reset.
     *
     * <p>Optional: a store that cannot follow changes cheaply returns {@link Optional#empty()},
     * and the allocator then learns of others' changes only from its own reads.
     *
     * @return a handle that stops the feed when closed
     */
    default Optional<AutoCloseable> watch(String prefix, long afterRevision, ChangeListener listener) {
        return Optional.empty();
    }

    /**
     * Checks that the store answers, within the backend's timeout.
     *
     * @throws StoreUnavailableException when it does not
     */
    void ping();

    /** A short human-readable description for logs and health output, such as its endpoints. */
    String describe();

    /** Releases the store's connections and threads; later calls fail. */
    @Override
    void close();
}
