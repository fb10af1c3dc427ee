package net.allocator.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import net.allocator.core.AllocationContractKit;
import net.allocator.core.store.KeyValueStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The allocation contract, with several allocator instances over their own etcd clients of one real etcd. */
class EtcdAllocationContractTest extends AllocationContractKit {
    @Override
    protected KeyValueStore openStore() {
        return EtcdTestServer.open();
    }

    @Test
    @DisplayName("with etcd's default --max-txn-ops, a 64-node cluster costs 2 round trips to claim and 2 to tear down")
    void clusterOf64InTwoRoundTrips() {
        allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
        allocator.release("admin", allocator.allocateAll("admin", "warm", List.of("up")).get("up").address()); // loads the network
        List<String> nodes = IntStream.range(0, 64).mapToObj(i -> "n" + i).toList();
        counted.reset();
        assertThat(allocator.allocateAll("admin", "c", nodes)).hasSize(64);
        assertThat(counted.roundTrips()).isEqualTo(2);
        counted.reset();
        assertThat(allocator.releaseCluster("admin", "c")).hasSize(64);
        assertThat(counted.roundTrips()).isEqualTo(2);
    }
}
