package net.allocator.inmemory;

import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.ForwardingKeyValueStore;

/** One of several allocators' handle on one in-memory store; closing it leaves the store open for the others. */
final class SharedClient extends ForwardingKeyValueStore {
    private final InMemoryKeyValueStore store;

    SharedClient(InMemoryKeyValueStore store) {
        this.store = store;
    }

    @Override
    protected KeyValueStore delegate() {
        return store;
    }

    @Override
    public void close() {
        // the shared store outlives each client
    }
}
