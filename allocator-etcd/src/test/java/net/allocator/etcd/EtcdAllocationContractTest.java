package net.allocator.etcd;

import net.allocator.core.AllocationContractKit;
import net.allocator.core.store.KeyValueStore;

/** The allocation contract, with several allocator instances over their own etcd clients of one real etcd. */
class EtcdAllocationContractTest extends AllocationContractKit {
    @Override
    protected KeyValueStore openStore() {
        return EtcdTestServer.open();
    }
}
