package net.allocator.inmemory;

import java.util.List;
import java.util.Optional;
import net.allocator.core.store.ChangeListener;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;

/** One of several allocators' handle on one in-memory store; closing it leaves the store open for the others. */
final class SharedClient implements KeyValueStore {
    private final InMemoryKeyValueStore store;

    SharedClient(InMemoryKeyValueStore store) {
        this.store = store;
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
    public boolean commit(List<Condition> conditions, List<Operation> operations) {
        return store.commit(conditions, operations);
    }

    @Override
    public long commitVersioned(List<Condition> conditions, List<Operation> operations) {
        return store.commitVersioned(conditions, operations);
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

    @Override
    public void close() {
        // the shared store outlives each client
    }
}
