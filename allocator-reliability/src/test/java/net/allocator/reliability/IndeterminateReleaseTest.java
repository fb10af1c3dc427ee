package net.allocator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import net.allocator.core.AddressState;
import net.allocator.core.Allocator;
import net.allocator.core.AllocatorOptions;
import net.allocator.core.Network;
import net.allocator.core.Owner;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.StoreOutcomeUnknownException;
import net.allocator.core.store.ForwardingKeyValueStore;
import net.allocator.inmemory.InMemoryKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An interleaving that killing an etcd follower under load ({@link ClusterEtcdFaultsTest}) can
 * produce, replayed in one process: a release whose delete is applied but whose answer is lost,
 * and another instance claiming the freed address before the releasing instance reads back.
 *
 * <p>The store must end right, and the release must answer success: it took effect. A 409 "used
 * by another owner" would be wrong, since the contract reserves it for "nothing is changed".
 */
class IndeterminateReleaseTest {
    private static final String NETWORK = "net";
    private static final Owner FIRST = new Owner("c", "first");
    private static final Owner SECOND = new Owner("c", "second");

    private final InMemoryKeyValueStore memory = new InMemoryKeyValueStore();
    private final RacingStore racing = new RacingStore(memory);
    private Allocator releasing;
    private Allocator other;
    private InetAddress address;

    @BeforeEach
    void setUp() {
        releasing = Allocator.create(racing, AllocatorOptions.defaults().withKeyPrefix("p"));
        other = Allocator.create(memory, AllocatorOptions.defaults().withKeyPrefix("p"));
        releasing.register(Network.builder().name(NETWORK).network("10.9.0.0").netmask("24").gateway("10.9.0.1")
                .addresses(List.of("10.9.0.10")).build());
        address = releasing.allocate(NETWORK, FIRST).address();
        // the next commit (the release's delete) is applied, then the other instance claims the
        // address, then the releasing instance is told the answer was lost
        racing.afterNextCommit = () -> other.allocate(NETWORK, SECOND);
    }

    @AfterEach
    void tearDown() {
        releasing.close();
        other.close();
    }

    @Test
    @DisplayName("a release whose answer is lost while another owner claims the address: the store holds only the new owner")
    void storeEndsRight() {
        try {
            releasing.release(NETWORK, address, FIRST);
        } catch (RuntimeException answer) {
            // the answer is judged by the test below
        }
        AddressState now = other.show(NETWORK, address);
        assertThat(now.owner()).as("holder of %s", address).contains(SECOND);
        assertThat(memory.get("p/owners/net/c/first")).as("the first owner's key").isEmpty();
    }

    @Test
    @DisplayName("a release whose answer is lost while another owner claims the address: the release succeeds")
    void releaseAnswersSuccess() {
        assertThat(releasing.release(NETWORK, address, FIRST)).as("the state the release left").isEqualTo(AddressState.free(address));
    }

    /** Runs a hook after the next commit has been applied, then loses that commit's answer. */
    private static final class RacingStore extends ForwardingKeyValueStore {
        private final KeyValueStore delegate;
        volatile Runnable afterNextCommit;

        RacingStore(KeyValueStore delegate) {
            this.delegate = delegate;
        }

        @Override
        protected KeyValueStore delegate() {
            return delegate;
        }

        @Override
        public boolean commit(List<Condition> conditions, List<Operation> operations) {
            return commitVersioned(conditions, operations) != NOT_APPLIED;
        }

        /** Tells versions as the store does, so that the release deletes its own claim without reading it first. */
        @Override
        public long commitVersioned(List<Condition> conditions, List<Operation> operations) {
            long applied = delegate.commitVersioned(conditions, operations);
            Runnable hook = afterNextCommit;
            if (hook != null) {
                afterNextCommit = null;
                hook.run();
                throw new StoreOutcomeUnknownException("answer lost (injected) after the commit applied: " + applied);
            }
            return applied;
        }

        @Override
        public String describe() {
            return "racing " + delegate.describe();
        }
    }
}
