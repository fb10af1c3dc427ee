package net.allocator.inmemory;

import net.allocator.core.AllocationContractKit;
import net.allocator.core.store.KeyValueStore;

class InMemoryAllocationContractTest extends AllocationContractKit {
    private final InMemoryKeyValueStore shared = new InMemoryKeyValueStore();

    /** Each allocator instance gets its own client of one shared store, as processes would. */
    @Override
    protected KeyValueStore openStore() {
        return shared.client();
    }
}
