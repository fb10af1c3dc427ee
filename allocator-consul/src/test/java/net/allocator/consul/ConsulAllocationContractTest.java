package net.allocator.consul;

import net.allocator.core.AllocationContractKit;
import net.allocator.core.store.KeyValueStore;

/** The allocation contract, with several allocator instances over their own clients of a real Consul server. */
class ConsulAllocationContractTest extends AllocationContractKit {
    @Override
    protected KeyValueStore openStore() {
        return ConsulTestServer.open();
    }

    @Override
    protected boolean tellsCommitVersions() {
        return false;
    }
}
