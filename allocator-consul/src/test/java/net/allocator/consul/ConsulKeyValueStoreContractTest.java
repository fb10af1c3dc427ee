package net.allocator.consul;

import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.KeyValueStoreContractKit;

/** The store contract, against a real Consul server. */
class ConsulKeyValueStoreContractTest extends KeyValueStoreContractKit {
    @Override
    protected KeyValueStore openStore() {
        return ConsulTestServer.open();
    }

    @Override
    protected boolean tellsCommitVersions() {
        return false; // a transaction's answer is not parsed on the hot path
    }
}
