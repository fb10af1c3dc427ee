package net.allocator.core.store;

import java.util.List;

/**
 * A store whose commits go through a {@link GroupCommitter}: what {@link GroupCommitter#around}
 * gives the allocator, so that its concurrent commits share durable writes. Everything else,
 * {@link #close()} included, goes straight to the store.
 */
final class GroupCommittingStore extends ForwardingKeyValueStore {
    private final KeyValueStore store;
    private final GroupCommitter committer;

    GroupCommittingStore(KeyValueStore store, GroupCommitter committer) {
        this.store = store;
        this.committer = committer;
    }

    @Override
    protected KeyValueStore delegate() {
        return store;
    }

    @Override
    public boolean commit(List<Condition> conditions, List<Operation> operations) {
        return committer.commit(new Commit(conditions, operations)) != NOT_APPLIED;
    }

    @Override
    public long commitVersioned(List<Condition> conditions, List<Operation> operations) {
        return committer.commit(new Commit(conditions, operations));
    }
}
