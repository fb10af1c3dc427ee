package net.allocator.core.testkit;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import net.allocator.core.store.Commit;
import net.allocator.core.store.CommitSizeLimit;
import net.allocator.core.store.Condition;
import net.allocator.core.store.ForwardingKeyValueStore;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;

/**
 * Another store behind a small commit limit, declared and enforced, as etcd's {@code
 * --max-txn-ops} and Consul's 64 operations per transaction are: what proves on every store that
 * the allocator splits a cluster's claims and teardowns into commits the store accepts.
 */
public final class CommitLimitedStore extends ForwardingKeyValueStore {
    private final KeyValueStore delegate;
    private final CommitSizeLimit limit;
    private final LongAdder commits = new LongAdder();

    public CommitLimitedStore(KeyValueStore delegate, CommitSizeLimit limit) {
        this.delegate = delegate;
        this.limit = limit;
    }

    @Override
    protected KeyValueStore delegate() {
        return delegate;
    }

    @Override
    public CommitSizeLimit commitSizeLimit() {
        return limit;
    }

    @Override
    public boolean commit(List<Condition> conditions, List<Operation> operations) {
        return commitVersioned(conditions, operations) != NOT_APPLIED;
    }

    @Override
    public long commitVersioned(List<Condition> conditions, List<Operation> operations) {
        refuseBeyondLimit(conditions, operations);
        commits.increment();
        return delegate().commitVersioned(conditions, operations);
    }

    private void refuseBeyondLimit(List<Condition> conditions, List<Operation> operations) {
        if (!limit.admits(conditions.size(), operations.size())) {
            throw new IllegalArgumentException("commit of " + conditions.size() + " conditions and "
                    + operations.size() + " operations is beyond " + limit);
        }
    }

    /** Each commit of a batch is held to the limit, as a store that batches holds it. */
    @Override
    public long[] commitBatch(List<Commit> batch) {
        for (Commit commit : batch) {
            refuseBeyondLimit(commit.conditions(), commit.operations());
        }
        commits.add(batch.size());
        return delegate().commitBatch(batch);
    }

    /** Commits passed on so far. */
    public long commits() {
        return commits.sum();
    }
}
