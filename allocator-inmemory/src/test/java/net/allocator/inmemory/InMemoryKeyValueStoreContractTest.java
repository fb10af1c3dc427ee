package net.allocator.inmemory;

import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.KeyValueStoreContractKit;

class InMemoryKeyValueStoreContractTest extends KeyValueStoreContractKit {
    private final InMemoryKeyValueStore shared = new InMemoryKeyValueStore();

    @Override
    protected KeyValueStore openStore() {
        return shared.client();
    }
}
