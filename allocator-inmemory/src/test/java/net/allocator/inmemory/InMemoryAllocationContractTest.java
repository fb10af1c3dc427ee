package net.allocator.inmemory;

import net.allocator.core.AllocationContractKit;
import net.allocator.core.store.KeyValueStore;

class InMemoryAllocationContractTest extends AllocationContractKit {
    private final InMemoryKeyValueStore shared = new InMemoryKeyValueStore();

    /** Every "client" of the in-memory store is a view of one shared instance that can be closed on its own. */
    @Override
    protected KeyValueStore openStore() {
        return new SharedClient(shared);
    }
}
