package net.allocator.core.store;

/**
 * What a store declares about {@link KeyValueStore#commitBatch}: how many commits one batch may
 * hold, and whether two of them may name the same key.
 *
 * @param maxCommits the most commits in one batch, at least 1; 1 means the store cannot batch
 * @param maxOperations the most conditions and operations, counted over every commit, in one
 *     batch (etcd refuses a transaction of more than {@code --max-txn-ops}, 128 by default); a
 *     commit larger than this alone still goes in a batch of its own
 * @param keysMayRepeat whether two commits of one batch may name the same key, in a condition or
 *     an operation (a prefix delete names every key under its prefix); etcd cannot write a key
 *     twice in one transaction, SQLite can
 */
public record BatchLimits(int maxCommits, int maxOperations, boolean keysMayRepeat) {

    /** A store that commits one commit per durable write: the default. */
    public static final BatchLimits UNBATCHED = new BatchLimits(1, Integer.MAX_VALUE, true);

    public BatchLimits {
        if (maxCommits < 1 || maxOperations < 1) {
            throw new IllegalArgumentException("batch limits must be positive: " + maxCommits + " commits, "
                    + maxOperations + " operations");
        }
    }

    /** Whether the store can apply several commits in one durable write. */
    public boolean batches() {
        return maxCommits > 1;
    }
}
