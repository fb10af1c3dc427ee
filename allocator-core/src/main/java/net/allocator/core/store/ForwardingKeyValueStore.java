package net.allocator.core.store;

import java.util.List;
import java.util.Optional;

/**
 * A store that passes every call to {@link #delegate()}, in the style of Guava's {@code
 * Forwarding*} classes: a decorator (core's group commit; in tests, counting, failing on demand,
 * shared, racing stores) overrides only the calls it changes. Every method of the SPI is
 * forwarded, the default ones included, so that a wrapper never falls back to a default the store
 * underneath overrides (a store that tells commit versions, or batches, still does through it).
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
    public CommitSizeLimit commitSizeLimit() {
        return delegate().commitSizeLimit();
    }

    @Override
    public long count(String prefix) {
        return delegate().count(prefix);
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
