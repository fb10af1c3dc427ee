package net.allocator.core.testkit;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import net.allocator.core.store.Commit;
import net.allocator.core.store.Condition;
import net.allocator.core.store.ForwardingKeyValueStore;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;

/**
 * Counts the round trips made to another store: how benchmarks and tests show that an
 * allocation costs one write and no full-network read. Test support, shipped in allocator-core's
 * test-jar; the benchmarks depend on that jar for it.
 */
public final class CountingKeyValueStore extends ForwardingKeyValueStore {
    private final KeyValueStore delegate;
    private final LongAdder gets = new LongAdder();
    private final LongAdder scans = new LongAdder();
    private final LongAdder scannedKeys = new LongAdder();
    private final LongAdder commits = new LongAdder();
    private final LongAdder counts = new LongAdder();

    public CountingKeyValueStore(KeyValueStore delegate) {
        this.delegate = delegate;
    }

    @Override
    protected KeyValueStore delegate() {
        return delegate;
    }

    @Override
    public Optional<KeyValue> get(String key) {
        gets.increment();
        return delegate().get(key);
    }

    @Override
    public ScanPage scan(String prefix, String startAfter, int limit) {
        scans.increment();
        ScanPage page = delegate().scan(prefix, startAfter, limit);
        scannedKeys.add(page.entries().size());
        return page;
    }

    /** Counted as one, whether the store counts in one request or, by the SPI's default, a page at a time. */
    @Override
    public long count(String prefix) {
        counts.increment();
        return delegate().count(prefix);
    }

    @Override
    public boolean commit(List<Condition> conditions, List<Operation> operations) {
        commits.increment();
        return delegate().commit(conditions, operations);
    }

    @Override
    public long commitVersioned(List<Condition> conditions, List<Operation> operations) {
        commits.increment();
        return delegate().commitVersioned(conditions, operations);
    }

    /** A batch is one round trip to the store, however many commits it carries. */
    @Override
    public long[] commitBatch(List<Commit> commits) {
        this.commits.increment();
        return delegate().commitBatch(commits);
    }

    /** Single-key reads so far. */
    public long gets() {
        return gets.sum();
    }

    /** Prefix reads (pages) so far. */
    public long scans() {
        return scans.sum();
    }

    /** Keys returned by prefix reads so far. */
    public long scannedKeys() {
        return scannedKeys.sum();
    }

    /** Commit round trips so far (a batch of commits counts once). */
    public long commits() {
        return commits.sum();
    }

    /** Counts of a prefix so far. */
    public long counts() {
        return counts.sum();
    }

    /** Every round trip so far: reads, scans, counts and commits. */
    public long roundTrips() {
        return gets() + scans() + counts() + commits();
    }

    /** Sets every count back to zero. */
    public void reset() {
        gets.reset();
        scans.reset();
        scannedKeys.reset();
        commits.reset();
        counts.reset();
    }
}
