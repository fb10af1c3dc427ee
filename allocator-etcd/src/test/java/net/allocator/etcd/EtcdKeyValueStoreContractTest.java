package net.allocator.etcd;

import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.KeyValueStoreContractKit;

/** The store contract, against a real etcd. */
class EtcdKeyValueStoreContractTest extends KeyValueStoreContractKit {
    @Override
    protected KeyValueStore openStore() {
        return EtcdTestServer.open();
    }

    @Override
    protected boolean callsListenersOnNetworkThread() {
        return true; // gRPC's, measured cheaper than a hand-off per event (docs/benchmarks.md, b7452c2)
    }
}
