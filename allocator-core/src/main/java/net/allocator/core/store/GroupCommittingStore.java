package net.allocator.core.store;

import java.util.List;
import java.util.Optional;

/**
 * A store whose commits go through a {@link GroupCommitter}: what {@link GroupCommitter#around}
 * gives the allocator, so that its concurrent commits share durable writes. Everything else goes
 * straight to the store.
 */
final class GroupCommittingStore implements KeyValueStore {
    private final KeyValueStore store;
    private final GroupCommitter committer;

    GroupCommittingStore(KeyValueStore store, GroupCommitter committer) {
        this.store = store;
        this.committer = committer;
    }

    @Override
    public boolean commit(List<Condition> conditions, List<Operation> operations) {
        return committer.commit(new Commit(conditions, operations)) != NOT_APPLIED;
    }

    @Override
    public long commitVersioned(List<Condition> conditions, List<Operation> operations) {
        return committer.commit(new Commit(conditions, operations));
    }

    @Override
    public BatchLimits batchLimits() {
        return store.batchLimits();
    }

    @Override
    public long[] commitBatch(List<Commit> commits) {
        return store.commitBatch(commits);
    }

    @Override
    public Optional<KeyValue> get(String key) {
        return store.get(key);
    }

    @Override
    public ScanPage scan(String prefix, String startAfter, int limit) {
        return store.scan(prefix, startAfter, limit);
    }

    @Override
    public int preferredScanLimit() {
        return store.preferredScanLimit();
    }

    @Override
    public Optional<AutoCloseable> watch(String prefix, long afterRevision, ChangeListener listener) {
        return store.watch(prefix, afterRevision, listener);
    }

    @Override
    public void ping() {
        store.ping();
    }

    @Override
    public String describe() {
        return store.describe();
    }

    /** Closes the store: the allocator never does, but whoever holds this view may. */
    @Override
    public void close() {
        store.close();
    }
}
