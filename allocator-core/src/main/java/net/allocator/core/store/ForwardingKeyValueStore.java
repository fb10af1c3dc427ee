package net.allocator.core.store;

import java.util.List;
import java.util.Optional;

/**
 * A store that hands every call to another, in the manner of Guava's {@code Forwarding*}
 * classes: a decorator extends it and overrides only what it changes.
 */
public abstract class ForwardingKeyValueStore implements KeyValueStore {

    /** For subclasses. */
    protected ForwardingKeyValueStore() {}

    /** The store calls go to. */
    protected abstract KeyValueStore delegate();

    @Override
    public Optional<KeyValue> get(String key) {
        return delegate().get(key);
    }

    @Override
    public ScanPage scan(String prefix, String startAfter, int limit) {
        return delegate().scan(prefix, startAfter, limit);
    }

    @Override
    public int preferredScanLimit() {
        return delegate().preferredScanLimit();
    }

    @Override
    public boolean commit(List<Condition> conditions, List<Operation> operations) {
        return delegate().commit(conditions, operations);
    }

    @Override
    public long commitVersioned(List<Condition> conditions, List<Operation> operations) {
        return delegate().commitVersioned(conditions, operations);
    }

    @Override
    public BatchLimits batchLimits() {
        return delegate().batchLimits();
    }

    @Override
    public long[] commitBatch(List<Commit> commits) {
        return delegate().commitBatch(commits);
    }

    @Override
    public Optional<AutoCloseable> watch(String prefix, long afterRevision, ChangeListener listener) {
        return delegate().watch(prefix, afterRevision, listener);
    }

    @Override
    public void ping() {
        delegate().ping();
    }

    @Override
    public String describe() {
        return delegate().describe();
    }

    @Override
    public void close() {
        delegate().close();
    }
}
