package net.allocator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import net.allocator.core.store.CommitSizeLimit;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;
import net.allocator.core.testkit.CommitLimitedStore;
import net.allocator.core.testkit.CountingKeyValueStore;
import net.allocator.core.store.ForwardingKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The atomic-allocation contract of {@link AddressAllocator} and {@link NetworkRegistry}, run
 * against a real store. A backend's test is a subclass that only says how to open a client of
 * its store; each call of {@link #openStore()} must return an independent client (its own
 * connections) of the same store, because the kit runs several allocator instances at once, as
 * several service instances would.
 */
public abstract class AllocationContractKit {

    /** A new, independent client of the store under test. */
    protected abstract KeyValueStore openStore();

    /** Whether the store's {@link KeyValueStore#commitVersioned} tells versions, or keeps the default. */
    protected boolean tellsCommitVersions() {
        return true;
    }

    private final List<KeyValueStore> stores = new CopyOnWriteArrayList<>();
    private final List<Allocator> allocators = new CopyOnWriteArrayList<>();
    private String prefix;
    protected Allocator allocator;
    protected CountingKeyValueStore counted;

    private static final Owner ALICE = new Owner("gluster-3.7.11-8", "glusternode0");
    private static final Owner BOB = new Owner("gluster-3.7.11-8", "glusternode1");

    @BeforeEach
    void startAllocator() {
        prefix = "kit-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        allocator = newAllocator();
        counted = (CountingKeyValueStore) allocator.store();
    }

    @AfterEach
    void cleanUp() {
        try {
            allocators.forEach(Allocator::close);
            stores.get(0).commit(List.of(), List.of(Operation.deletePrefix(prefix + "/")));
        } finally {
            stores.forEach(KeyValueStore::close);
        }
    }

    /** Another allocator instance, over its own client of the same store, sharing this test's keys. */
    protected Allocator newAllocator() {
        KeyValueStore store = new CountingKeyValueStore(openStore());
        stores.add(store);
        Allocator created = Allocator.create(store, AllocatorOptions.defaults().withKeyPrefix(prefix));
        allocators.add(created);
        return created;
    }

    /** Every key of this test's prefix and its value, read through the store. */
    protected Map<String, String> dump() {
        Map<String, String> out = new HashMap<>();
        String after = null;
        ScanPage page;
        do {
            page = stores.get(0).scan(prefix + "/", after, 1000);
            for (KeyValue kv : page.entries()) {
                out.put(kv.key(), kv.value());
                after = kv.key();
            }
        } while (page.more());
        return out;
    }

    protected static Network network(String name, String base, String mask, String gateway, String... addresses) {
        return Network.builder().name(name).description("test network " + name).bridge("virbrTEST")
                .network(base).netmask(mask).gateway(gateway).addresses(List.of(addresses)).build();
    }

    protected static InetAddress ip(String literal) {
        return InetAddresses.forString(literal);
    }

    private static List<String> addressesOf(AddressPage page) {
        return page.addresses().stream().map(s -> IpAddresses.format(s.address())).toList();
    }

    @Nested
    @DisplayName("registry")
    class Registry {
        @Test
        @DisplayName("a registered network reads back exactly, with its pool")
        void registerAndFind() {
            Network admin = network("admin", "10.112.0.0", "16", "10.112.0.1", "10.112.1.101", "10.112.1.102", "10.112.1.103");
            allocator.register(admin);
            assertThat(allocator.find("admin")).contains(admin);
            assertThat(newAllocator().find("admin")).contains(admin);
        }

        @Test
        @DisplayName("the list maps every name to its description, sorted by name")
        void list() {
            allocator.register(network("storage", "10.117.0.0", "16", "10.117.0.1", "10.117.243.0/24"));
            allocator.register(network("admin", "10.112.0.0", "255.255.0.0", "10.112.0.1", "10.112.243.1-10.112.243.254"));
            assertThat(allocator.list()).containsExactly(
                    Map.entry("admin", "test network admin"), Map.entry("storage", "test network storage"));
        }

        @Test
        @DisplayName("registering a name twice fails and keeps the first network and its allocations")
        void neverOverwrites() {
            Network first = network("admin", "10.112.0.0", "16", "10.112.0.1", "10.112.1.101");
            allocator.register(first);
            AddressState held = allocator.allocate("admin", ALICE);
            assertThatThrownBy(() -> newAllocator().register(network("admin", "10.9.0.0", "16", null, "10.9.0.5")))
                    .isInstanceOf(NetworkAlreadyExistsException.class).hasMessageContaining("admin");
            assertThat(allocator.find("admin")).contains(first);
            assertThat(allocator.show("admin", held.address()).owner()).contains(ALICE);
        }

        @Test
        @DisplayName("an unknown network is absent, and using it fails with not-found")
        void unknown() {
            assertThat(allocator.find("nope")).isEmpty();
            assertThatThrownBy(() -> allocator.allocate("nope", ALICE)).isInstanceOf(NetworkNotFoundException.class);
            assertThatThrownBy(() -> allocator.remove("nope", false)).isInstanceOf(NetworkNotFoundException.class);
            assertThatThrownBy(() -> allocator.list("nope", AddressQuery.all(10))).isInstanceOf(NetworkNotFoundException.class);
        }

        @Test
        @DisplayName("removal is refused while an address is used, unless forced, and then takes every record")
        void removal() {
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            AddressState held = allocator.allocate("admin", ALICE);
            assertThatThrownBy(() -> allocator.remove("admin", false)).isInstanceOf(NetworkInUseException.class);
            assertThat(allocator.find("admin")).isPresent();
            assertThat(allocator.allocate("admin", BOB).address()).isEqualTo(ip("10.0.0.3"));

            allocator.remove("admin", true);
            assertThat(allocator.find("admin")).isEmpty();
            assertThat(dump()).isEmpty();

            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            assertThat(allocator.allocate("admin", ALICE).address()).isEqualTo(held.address());
        }

        @Test
        @DisplayName("removal of a network without used addresses needs no force")
        void removeUnused() {
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            AddressState held = allocator.allocate("admin", ALICE);
            allocator.release("admin", held.address());
            allocator.remove("admin", false);
            assertThat(allocator.list()).isEmpty();
            assertThatThrownBy(() -> allocator.allocate("admin", ALICE)).isInstanceOf(NetworkNotFoundException.class);
        }

        @Test
        @DisplayName("another instance's cached network does not outlive its removal")
        void removalSeenByOtherInstances() {
            Allocator other = newAllocator();
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            other.allocate("admin", ALICE);
            allocator.remove("admin", true);
            assertThatThrownBy(() -> other.allocate("admin", BOB)).isInstanceOf(NetworkNotFoundException.class);
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.100-10.0.0.101"));
            assertThat(other.allocate("admin", BOB).address()).isEqualTo(ip("10.0.0.100"));
        }

        @Test
        @DisplayName("an instance that cached a network removed through another cannot release, show or claim in it: not found")
        void removalSeenByReleasesShowsAndClaims() {
            assertThatThrownBy(() -> cachedThenRemoved().release("admin", ip("10.0.0.2")))
                    .isInstanceOf(NetworkNotFoundException.class).hasMessageContaining("'admin'");
            assertThatThrownBy(() -> cachedThenRemoved().release("admin", ip("10.0.0.2"), ALICE))
                    .isInstanceOf(NetworkNotFoundException.class);
            assertThatThrownBy(() -> cachedThenRemoved().release("admin", ip("10.0.0.3")))
                    .as("an address claimed through the other instance").isInstanceOf(NetworkNotFoundException.class);
            assertThatThrownBy(() -> cachedThenRemoved().release("admin", ip("10.0.0.9")))
                    .as("an address that was free").isInstanceOf(NetworkNotFoundException.class);
            assertThatThrownBy(() -> cachedThenRemoved().show("admin", ip("10.0.0.2"))).isInstanceOf(NetworkNotFoundException.class);
            assertThatThrownBy(() -> cachedThenRemoved().claim("admin", ip("10.0.0.9"), BOB)).isInstanceOf(NetworkNotFoundException.class);
            assertThat(dump()).isEmpty();
        }

        /**
         * A new instance that has network "admin" cached, with ALICE's claim of 10.0.0.2 made
         * through it, after another instance claimed 10.0.0.3 for BOB and removed the network.
         */
        private Allocator cachedThenRemoved() {
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            Allocator cached = newAllocator();
            assertThat(cached.allocate("admin", ALICE).address()).isEqualTo(ip("10.0.0.2"));
            assertThat(allocator.allocate("admin", BOB).address()).isEqualTo(ip("10.0.0.3"));
            allocator.remove("admin", true);
            return cached;
        }
    }

    @Nested
    @DisplayName("allocation")
    class Allocation {
        @Test
        @DisplayName("allocate returns the numerically lowest free address (10.0.0.2 before 10.0.0.10)")
        void lowestInNumericOrder() {
            allocator.register(network("n", "10.0.0.0", "24", "10.0.0.1", "10.0.0.10", "10.0.0.9", "10.0.0.2", "10.0.0.100"));
            List<String> handed = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                handed.add(IpAddresses.format(allocator.allocate("n", new Owner("c", "node" + i)).address()));
            }
            assertThat(handed).containsExactly("10.0.0.2", "10.0.0.9", "10.0.0.10", "10.0.0.100");
        }

        @Test
        @DisplayName("the network, broadcast and gateway addresses are never handed out")
        void reservedAddressesSkipped() {
            allocator.register(network("n", "10.0.0.0", "29", "10.0.0.1", "10.0.0.0/29"));
            Set<String> handed = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                handed.add(IpAddresses.format(allocator.allocate("n", new Owner("c", "node" + i)).address()));
            }
            assertThat(handed).containsExactlyInAnyOrder("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6");
            assertThatThrownBy(() -> allocator.allocate("n", new Owner("c", "late"))).isInstanceOf(NetworkExhaustedException.class);
        }

        @Test
        @DisplayName("allocate is idempotent per owner: the same address comes back and nothing new is claimed")
        void idempotentPerOwner() {
            allocator.register(network("n", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            AddressState first = allocator.allocate("n", ALICE);
            AddressState again = allocator.allocate("n", ALICE);
            AddressState fromOther = newAllocator().allocate("n", ALICE);
            assertThat(again.address()).isEqualTo(first.address());
            assertThat(fromOther.address()).isEqualTo(first.address());
            assertThat(again.claimedAt()).isEqualTo(first.claimedAt());
            assertThat(allocator.list("n", AddressQuery.only(AddressStatus.USED, 100)).addresses()).hasSize(1);
        }

        @Test
        @DisplayName("the same owner may hold one address in each of several networks")
        void ownerPerNetwork() {
            allocator.register(network("a", "10.0.0.0", "24", null, "10.0.0.5"));
            allocator.register(network("b", "10.1.0.0", "24", null, "10.1.0.5"));
            assertThat(allocator.allocate("a", ALICE).address()).isEqualTo(ip("10.0.0.5"));
            assertThat(allocator.allocate("b", ALICE).address()).isEqualTo(ip("10.1.0.5"));
        }

        @Test
        @DisplayName("a full network fails with exhausted at once, while an idempotent retry still succeeds")
        void exhausted() {
            allocator.register(network("n", "10.0.0.0", "24", "10.0.0.1", "10.0.0.2-10.0.0.3"));
            AddressState a = allocator.allocate("n", ALICE);
            allocator.allocate("n", BOB);
            assertThatThrownBy(() -> allocator.allocate("n", new Owner("c", "third")))
                    .isInstanceOf(NetworkExhaustedException.class).hasMessageContaining("'n'");
            assertThat(allocator.allocate("n", ALICE).address()).isEqualTo(a.address());
        }

        @Test
        @DisplayName("never a wrong exhausted: an address freed by another instance is found")
        void noWrongExhaustion() {
            Allocator other = newAllocator();
            allocator.register(network("n", "10.0.0.0", "24", "10.0.0.1", "10.0.0.2-10.0.0.4"));
            for (int i = 0; i < 3; i++) {
                allocator.allocate("n", new Owner("c", "node" + i));
            }
            assertThatThrownBy(() -> allocator.allocate("n", new Owner("c", "x"))).isInstanceOf(NetworkExhaustedException.class);
            other.release("n", ip("10.0.0.3"));
            assertThat(allocator.allocate("n", new Owner("c", "x")).address()).isEqualTo(ip("10.0.0.3"));
        }

        @Test
        @DisplayName("an IPv6 /64 pool registers and allocates, lowest first")
        void ipv6() {
            allocator.register(network("v6", "2001:db8:0:1::", "64", "2001:db8:0:1::1", "2001:db8:0:1::/64"));
            assertThat(allocator.allocate("v6", ALICE).address()).isEqualTo(ip("2001:db8:0:1::2"));
            assertThat(allocator.allocate("v6", BOB).address()).isEqualTo(ip("2001:db8:0:1::3"));
            AddressPage page = allocator.list("v6", AddressQuery.all(3));
            assertThat(addressesOf(page)).containsExactly("2001:db8:0:1::2", "2001:db8:0:1::3", "2001:db8:0:1::4");
            assertThat(page.next()).contains(ip("2001:db8:0:1::4"));
        }

        @Test
        @DisplayName("a steady-state allocation costs one commit and no read of the network, on a /16 as on a /24")
        void flatCost() {
            allocator.register(network("small", "10.1.0.0", "24", "10.1.0.1", "10.1.0.0/24"));
            allocator.register(network("large", "10.2.0.0", "16", "10.2.0.1", "10.2.0.0/16"));
            for (String name : List.of("small", "large")) {
                allocator.allocate(name, new Owner("warm", "up"));
                for (int i = 0; i < 100; i++) {
                    allocator.allocate(name, new Owner("fill", name + i));
                }
                counted.reset();
                for (int i = 0; i < 50; i++) {
                    allocator.allocate(name, new Owner("measure", name + i));
                }
                assertThat(counted.commits()).as("commits on %s", name).isEqualTo(50);
                assertThat(counted.scans()).as("scans on %s", name).isZero();
                assertThat(counted.gets()).as("reads on %s", name).isZero();
            }
        }
    }

    @Nested
    @DisplayName("manual mode")
    class Manual {
        @BeforeEach
        void register() {
            allocator.register(network("n", "10.0.0.0", "24", "10.0.0.1", "10.0.0.2-10.0.0.20"));
        }

        @Test
        @DisplayName("claiming a free address gives it to the owner, and allocation skips it")
        void claim() {
            AddressState claimed = allocator.claim("n", ip("10.0.0.2"), ALICE);
            assertThat(claimed.owner()).contains(ALICE);
            assertThat(allocator.show("n", ip("10.0.0.2")).owner()).contains(ALICE);
            assertThat(allocator.allocate("n", BOB).address()).isEqualTo(ip("10.0.0.3"));
        }

        @Test
        @DisplayName("claiming again for the same owner succeeds without change")
        void claimIdempotent() {
            AddressState first = allocator.claim("n", ip("10.0.0.7"), ALICE);
            AddressState second = newAllocator().claim("n", ip("10.0.0.7"), ALICE);
            assertThat(second).isEqualTo(first);
        }

        @Test
        @DisplayName("claiming an address another owner holds fails with a conflict and changes nothing")
        void claimConflict() {
            allocator.claim("n", ip("10.0.0.7"), ALICE);
            assertThatThrownBy(() -> newAllocator().claim("n", ip("10.0.0.7"), BOB))
                    .isInstanceOf(AddressInUseException.class).hasMessageContaining("glusternode0");
            assertThat(allocator.show("n", ip("10.0.0.7")).owner()).contains(ALICE);
            assertThat(allocator.allocate("n", BOB).address()).isEqualTo(ip("10.0.0.2"));
        }

        @Test
        @DisplayName("an owner holds one address per network: claiming a second fails")
        void oneAddressPerOwner() {
            allocator.claim("n", ip("10.0.0.7"), ALICE);
            assertThatThrownBy(() -> allocator.claim("n", ip("10.0.0.8"), ALICE))
                    .isInstanceOf(AddressInUseException.class).hasMessageContaining("10.0.0.7");
            assertThat(allocator.show("n", ip("10.0.0.8")).used()).isFalse();
        }

        @Test
        @DisplayName("addresses outside the pool or the network are refused")
        void outside() {
            assertThatThrownBy(() -> allocator.claim("n", ip("10.0.0.50"), ALICE)).isInstanceOf(AddressNotFoundException.class);
            assertThatThrownBy(() -> allocator.claim("n", ip("10.9.0.5"), ALICE)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> allocator.claim("n", ip("::1"), ALICE)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> allocator.show("n", ip("10.0.0.1"))).isInstanceOf(AddressNotFoundException.class);
            assertThat(dump()).hasSize(1);
        }
    }

    @Nested
    @DisplayName("release")
    class Release {
        @BeforeEach
        void register() {
            allocator.register(network("n", "10.0.0.0", "24", "10.0.0.1", "10.0.0.2-10.0.0.20"));
        }

        @Test
        @DisplayName("releasing makes the address allocatable again, as the lowest free")
        void releaseThenAllocate() {
            AddressState a = allocator.allocate("n", ALICE);
            allocator.allocate("n", BOB);
            assertThat(allocator.release("n", a.address())).isEqualTo(AddressState.free(a.address()));
            assertThat(allocator.show("n", a.address())).isEqualTo(AddressState.free(a.address()));
            assertThat(allocator.allocate("n", new Owner("c", "new")).address()).isEqualTo(a.address());
        }

        @Test
        @DisplayName("a release by one instance reaches another's allocations once its change feed delivers it")
        void releaseSeenAcrossInstances() throws InterruptedException {
            Allocator other = newAllocator();
            AddressState a = allocator.allocate("n", ALICE);
            other.allocate("n", BOB);
            allocator.release("n", a.address());
            // The other instance learns of the release asynchronously (etcd watch, Consul blocking
            // query); until then it hands out higher addresses, which this loop gives back.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
            Owner probe = new Owner("c", "probe");
            InetAddress got = other.allocate("n", probe).address();
            while (!got.equals(a.address()) && System.nanoTime() < deadline) {
                other.release("n", got, probe);
                Thread.sleep(50);
                got = other.allocate("n", probe).address();
            }
            assertThat(got).isEqualTo(a.address());
        }

        @Test
        @DisplayName("releasing a free address changes nothing")
        void releaseFree() {
            assertThat(allocator.release("n", ip("10.0.0.5"))).isEqualTo(AddressState.free(ip("10.0.0.5")));
            assertThat(dump()).hasSize(1);
        }

        @Test
        @DisplayName("releasing for the wrong owner fails and keeps the holder")
        void releaseWrongOwner() {
            AddressState a = allocator.allocate("n", ALICE);
            assertThatThrownBy(() -> allocator.release("n", a.address(), BOB)).isInstanceOf(AddressInUseException.class);
            assertThat(allocator.show("n", a.address()).owner()).contains(ALICE);
            allocator.release("n", a.address(), ALICE);
            assertThat(allocator.show("n", a.address()).used()).isFalse();
        }

        @Test
        @DisplayName("an instance releasing what it claimed, after the address changed hands elsewhere, sees the new holder")
        void releaseAfterChangeOfHands() {
            Allocator other = newAllocator();
            AddressState mine = allocator.allocate("n", ALICE);
            other.release("n", mine.address(), ALICE);
            AddressState theirs = other.claim("n", mine.address(), BOB);

            assertThatThrownBy(() -> allocator.release("n", mine.address(), ALICE))
                    .isInstanceOf(AddressInUseException.class).hasMessageContaining("glusternode1");
            assertThat(allocator.show("n", mine.address())).isEqualTo(theirs);
            assertThat(allocator.release("n", mine.address())).isEqualTo(AddressState.free(mine.address()));
            assertThat(dump()).hasSize(1);
            assertThat(allocator.claim("n", mine.address(), ALICE).owner()).contains(ALICE);
            assertThat(other.release("n", mine.address(), ALICE)).isEqualTo(AddressState.free(mine.address()));
            assertThat(dump()).hasSize(1);
        }

        @Test
        @DisplayName("releasing what this instance claimed costs one commit, and no read where the store tells commit versions")
        void releaseCost() {
            List<AddressState> claimed = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                claimed.add(allocator.allocate("n", new Owner("c", "node" + i)));
            }
            counted.reset();
            for (int i = 0; i < 10; i++) {
                AddressState state = claimed.get(i);
                assertThat(i % 2 == 0 ? allocator.release("n", state.address()) : allocator.release("n", state.address(), state.owner().orElseThrow()))
                        .isEqualTo(AddressState.free(state.address()));
            }
            assertThat(counted.commits()).isEqualTo(10);
            assertThat(counted.gets()).isEqualTo(tellsCommitVersions() ? 0 : 10);
            assertThat(counted.scans()).isZero();
            assertThat(dump()).hasSize(1); // the network
        }

        @Test
        @DisplayName("after a release the owner can allocate again, and gets a fresh claim")
        void ownerAllocatesAgain() {
            AddressState a = allocator.allocate("n", ALICE);
            allocator.release("n", a.address());
            assertThat(allocator.allocate("n", ALICE).address()).isEqualTo(a.address());
            assertThat(allocator.list("n", AddressQuery.only(AddressStatus.USED, 10)).addresses()).hasSize(1);
        }
    }

    @Nested
    @DisplayName("listing")
    class Listing {
        @BeforeEach
        void register() {
            allocator.register(network("n", "10.0.0.0", "24", "10.0.0.1", "10.0.0.2", "10.0.0.10", "10.0.0.3", "10.0.0.20-10.0.0.21"));
            allocator.claim("n", ip("10.0.0.10"), ALICE);
            allocator.claim("n", ip("10.0.0.3"), BOB);
        }

        @Test
        @DisplayName("all, free and used addresses list in numeric order")
        void filters() {
            assertThat(addressesOf(allocator.list("n", AddressQuery.all(100))))
                    .containsExactly("10.0.0.2", "10.0.0.3", "10.0.0.10", "10.0.0.20", "10.0.0.21");
            assertThat(addressesOf(allocator.list("n", AddressQuery.only(AddressStatus.FREE, 100))))
                    .containsExactly("10.0.0.2", "10.0.0.20", "10.0.0.21");
            assertThat(addressesOf(allocator.list("n", AddressQuery.only(AddressStatus.USED, 100))))
                    .containsExactly("10.0.0.3", "10.0.0.10");
        }

        @Test
        @DisplayName("listed used addresses carry their owner and claim time")
        void details() {
            AddressPage used = allocator.list("n", AddressQuery.only(AddressStatus.USED, 100));
            assertThat(used.addresses().get(0).owner()).contains(BOB);
            assertThat(used.addresses().get(1).owner()).contains(ALICE);
            assertThat(used.addresses()).allSatisfy(s -> assertThat(s.claimedAt()).isPresent());
        }

        @Test
        @DisplayName("pages follow on from the last address of the previous page")
        void paging() {
            AddressPage first = allocator.list("n", AddressQuery.all(2));
            assertThat(addressesOf(first)).containsExactly("10.0.0.2", "10.0.0.3");
            AddressPage second = allocator.list("n", AddressQuery.all(2).after(first.next().orElseThrow()));
            assertThat(addressesOf(second)).containsExactly("10.0.0.10", "10.0.0.20");
            AddressPage last = allocator.list("n", AddressQuery.all(2).after(second.next().orElseThrow()));
            assertThat(addressesOf(last)).containsExactly("10.0.0.21");
            assertThat(last.next()).isEmpty();
            AddressPage usedPage = allocator.list("n", AddressQuery.only(AddressStatus.USED, 1));
            assertThat(addressesOf(usedPage)).containsExactly("10.0.0.3");
            assertThat(addressesOf(allocator.list("n", AddressQuery.only(AddressStatus.USED, 1).after(usedPage.next().orElseThrow()))))
                    .containsExactly("10.0.0.10");
        }

        @Test
        @DisplayName("a page of a huge pool costs the page, not the pool")
        void hugePool() {
            allocator.register(network("big", "10.0.0.0", "8", "10.0.0.1", "10.0.0.0/8"));
            allocator.allocate("big", ALICE);
            counted.reset();
            AddressPage page = allocator.list("big", AddressQuery.only(AddressStatus.FREE, 5));
            assertThat(addressesOf(page)).containsExactly("10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7");
            assertThat(counted.scannedKeys()).isLessThanOrEqualTo(1);
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {
        @Test
        @DisplayName("names that could reach other keys are refused, and nothing is written")
        void names() {
            for (String bad : List.of("", "../admin", "a/b", "..", ".hidden", "a b", "x".repeat(65), "ü", "a\u0000b")) {
                assertThatThrownBy(() -> network(bad, "10.0.0.0", "24", null, "10.0.0.5"))
                        .as("name %s", bad).isInstanceOf(InvalidInputException.class);
                assertThatThrownBy(() -> allocator.allocate(bad, ALICE)).as("name %s", bad).isInstanceOf(InvalidInputException.class);
                assertThatThrownBy(() -> allocator.find(bad)).as("name %s", bad).isInstanceOf(InvalidInputException.class);
            }
            assertThat(dump()).isEmpty();
        }

        @Test
        @DisplayName("owners with slashes and dots stay inside their network's keys")
        void ownerEscaping() {
            allocator.register(network("n", "10.0.0.0", "24", null, "10.0.0.5-10.0.0.6"));
            Owner sneaky = new Owner("..", "../../networks/n");
            allocator.allocate("n", sneaky);
            assertThat(allocator.allocate("n", sneaky).address()).isEqualTo(ip("10.0.0.5"));
            assertThat(dump().keySet()).allSatisfy(key -> assertThat(key)
                    .matches(k -> k.equals(prefix + "/networks/n") || k.startsWith(prefix + "/addresses/n/")
                            || k.startsWith(prefix + "/owners/n/"))
                    .doesNotContain("/../").doesNotContain("/./"));
            assertThat(allocator.find("n")).isPresent();
        }

        @Test
        @DisplayName("owners with control characters or without a node are refused")
        void owners() {
            assertThatThrownBy(() -> new Owner("c", "")).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> new Owner(null, "n")).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> new Owner("c\n", "n")).isInstanceOf(InvalidInputException.class);
        }
    }

    @Nested
    @DisplayName("concurrency")
    class Concurrency {
        @Test
        @DisplayName("threads of several instances exhausting a network get every address exactly once")
        void manyInstancesNoDuplicate() throws Exception {
            allocator.register(network("n", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            List<Allocator> instances = List.of(allocator, newAllocator(), newAllocator(), newAllocator());
            Map<String, Owner> handed = new ConcurrentHashMap<>();
            List<String> duplicates = new CopyOnWriteArrayList<>();
            AtomicInteger exhausted = new AtomicInteger();
            int threads = 16;
            List<Throwable> failures = ConcurrentHarness.run(threads, index -> {
                Allocator mine = instances.get(index % instances.size());
                for (int i = 0; ; i++) {
                    Owner owner = new Owner("c" + index, "node" + i);
                    try {
                        AddressState got = mine.allocate("n", owner);
                        if (handed.putIfAbsent(IpAddresses.format(got.address()), owner) != null) {
                            duplicates.add(IpAddresses.format(got.address()));
                        }
                    } catch (NetworkExhaustedException e) {
                        exhausted.incrementAndGet();
                        return;
                    }
                }
            });
            assertThat(failures).isEmpty();
            assertThat(duplicates).isEmpty();
            assertThat(handed).hasSize(253);
            assertThat(exhausted).hasValue(threads);
            AddressPage used = allocator.list("n", AddressQuery.only(AddressStatus.USED, 1000));
            assertThat(used.addresses()).hasSize(253).allSatisfy(state ->
                    assertThat(state.owner()).contains(handed.get(IpAddresses.format(state.address()))));
        }

        @Test
        @DisplayName("one owner asking through many instances at once gets one address")
        void sameOwnerRace() throws Exception {
            allocator.register(network("n", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            List<Allocator> instances = List.of(allocator, newAllocator(), newAllocator());
            Set<InetAddress> seen = ConcurrentHashMap.newKeySet();
            List<Throwable> failures = ConcurrentHarness.run(12, index -> {
                for (int round = 0; round < 5; round++) {
                    seen.add(instances.get(index % instances.size()).allocate("n", ALICE).address());
                }
            });
            assertThat(failures).isEmpty();
            assertThat(seen).hasSize(1);
            assertThat(allocator.list("n", AddressQuery.only(AddressStatus.USED, 1000)).addresses()).hasSize(1);
        }

        @Test
        @DisplayName("allocations and releases racing across instances leave the store holding exactly what was acknowledged")
        void churn() throws Exception {
            allocator.register(network("n", "10.0.0.0", "26", "10.0.0.1", "10.0.0.0/26"));
            List<Allocator> instances = List.of(allocator, newAllocator(), newAllocator());
            Map<InetAddress, Owner> holders = new ConcurrentHashMap<>();
            List<String> violations = new CopyOnWriteArrayList<>();
            List<Throwable> failures = ConcurrentHarness.run(9, index -> {
                Allocator mine = instances.get(index % instances.size());
                for (int i = 0; i < 30; i++) {
                    Owner owner = new Owner("churn" + index, "node" + (i % 3));
                    try {
                        AddressState got = mine.allocate("n", owner);
                        Owner previous = holders.putIfAbsent(got.address(), owner);
                        if (previous != null && !previous.equals(owner)) {
                            violations.add(got.address() + " given to " + owner + " while held by " + previous);
                        }
                        if (ThreadLocalRandom.current().nextBoolean()) {
                            holders.remove(got.address(), owner);
                            mine.release("n", got.address(), owner);
                        }
                    } catch (NetworkExhaustedException e) {
                        Thread.yield();
                    }
                }
            });
            assertThat(failures).isEmpty();
            assertThat(violations).isEmpty();
            Map<InetAddress, Owner> stored = new HashMap<>();
            for (AddressState state : allocator.list("n", AddressQuery.only(AddressStatus.USED, 1000)).addresses()) {
                stored.put(state.address(), state.owner().orElseThrow());
            }
            assertThat(stored).isEqualTo(holders);
        }
    }

    @Nested
    @DisplayName("store failures")
    class StoreFailures {
        private FaultyStore faulty;
        private Allocator flaky;

        /** An allocator over its own client of the store, behind a fault switch, with network "n" of 10.0.0.0/24. */
        private void openFlaky(String pool) {
            faulty = new FaultyStore(openStore());
            flaky = Allocator.create(faulty, AllocatorOptions.defaults().withKeyPrefix(prefix));
            allocators.add(flaky);
            stores.add(faulty);
            flaky.register(network("n", "10.0.0.0", "24", "10.0.0.1", pool));
        }

        @Test
        @DisplayName("a lost answer to a claim is resolved by reading back: the retry gets the same address and nothing leaks")
        void lostAnswer() {
            openFlaky("10.0.0.0/24");

            faulty.loseNextCommitAnswers(1);
            AddressState got = flaky.allocate("n", ALICE);
            assertThat(got.address()).isEqualTo(ip("10.0.0.2"));
            assertThat(flaky.allocate("n", ALICE).address()).isEqualTo(got.address());
            assertThat(allocator.list("n", AddressQuery.only(AddressStatus.USED, 10)).addresses()).hasSize(1);
        }

        @Test
        @DisplayName("an unreachable store surfaces as store-unavailable, and nothing is half-written")
        void unavailable() {
            openFlaky("10.0.0.0/24");
            flaky.allocate("n", BOB);

            faulty.down(true);
            assertThatThrownBy(() -> flaky.allocate("n", ALICE)).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> flaky.release("n", ip("10.0.0.2"))).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> flaky.list()).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(flaky::checkStore).isInstanceOf(StoreUnavailableException.class);
            faulty.down(false);

            assertThat(allocator.list("n", AddressQuery.only(AddressStatus.USED, 10)).addresses())
                    .extracting(AddressState::owner).containsExactly(Optional.of(BOB));
            assertThat(flaky.allocate("n", ALICE).address()).isEqualTo(ip("10.0.0.3"));
        }

        @Test
        @DisplayName("a release whose answer was lost, and whose address was claimed again meanwhile, still succeeds")
        void lostReleaseAnswerThenReclaimed() {
            openFlaky("10.0.0.2-10.0.0.2");
            AddressState got = flaky.allocate("n", ALICE);
            faulty.loseNextCommitAnswerAfter(() -> allocator.claim("n", got.address(), BOB));
            assertThat(flaky.release("n", got.address(), ALICE)).as("the state the release left").isEqualTo(AddressState.free(got.address()));
            assertThat(allocator.show("n", got.address()).owner()).contains(BOB);
        }

        @Test
        @DisplayName("a release of a claim that changed hands elsewhere, before the change feed shows it, is refused at the claim's version and answers from a read")
        void releaseAheadOfTheFeed() {
            openFlaky("10.0.0.2-10.0.0.3");
            AddressState mine = flaky.allocate("n", ALICE);
            faulty.holdChangeFeed();
            try {
                allocator.release("n", mine.address(), ALICE);
                assertThat(flaky.release("n", mine.address())).isEqualTo(AddressState.free(mine.address()));
                AddressState theirs = allocator.claim("n", mine.address(), BOB);
                assertThatThrownBy(() -> flaky.release("n", mine.address(), ALICE)).isInstanceOf(AddressInUseException.class);
                assertThat(allocator.show("n", mine.address())).isEqualTo(theirs);
                assertThat(flaky.release("n", mine.address())).isEqualTo(AddressState.free(mine.address()));
            } finally {
                faulty.resumeChangeFeed();
            }
            assertThat(allocator.show("n", mine.address()).used()).isFalse();
            assertThat(dump()).hasSize(1);
        }

        @Test
        @DisplayName("a release of this instance's claim, after another instance removed the network and before the change feed shows it, is refused at the network's version: not found")
        void releaseAfterRemovalAheadOfTheFeed() {
            openFlaky("10.0.0.2-10.0.0.3");
            AddressState mine = flaky.allocate("n", ALICE);
            assertThat(flaky.releasesWithoutReading("n", mine.address())).isEqualTo(tellsCommitVersions());
            faulty.holdChangeFeed();
            try {
                allocator.remove("n", true);
                assertThatThrownBy(() -> flaky.release("n", mine.address())).isInstanceOf(NetworkNotFoundException.class);
                assertThatThrownBy(() -> flaky.release("n", mine.address(), ALICE)).isInstanceOf(NetworkNotFoundException.class);
            } finally {
                faulty.resumeChangeFeed();
            }
            assertThat(dump()).isEmpty();
        }

        @Test
        @DisplayName("a release through an instance that has the network cached, while another instance's removal has it marked, fails as not found, as an uncached release does")
        void releaseWhileRemovalMarks() {
            openFlaky("10.0.0.2-10.0.0.3");
            AddressState mine = allocator.allocate("n", ALICE);
            AtomicReference<Throwable> releaseFailure = new AtomicReference<>();
            // the removal's mark is applied, then its answer lost: the network stays marked
            faulty.loseNextCommitAnswerAfter(() -> releaseFailure.set(catchThrowable(() -> allocator.release("n", mine.address()))));
            assertThatThrownBy(() -> flaky.remove("n", false)).isInstanceOf(StoreUnavailableException.class);
            assertThat(releaseFailure.get()).isInstanceOf(NetworkNotFoundException.class).hasMessageContaining("being removed");
            assertThat(allocator.show("n", mine.address()).owner()).contains(ALICE);
        }

        @Test
        @DisplayName("a lost answer to a release of a claim that changed hands elsewhere, once the feed shows it, is read back as a read-first release")
        void lostReleaseAnswerAfterChangeOfHands() throws InterruptedException {
            openFlaky("10.0.0.2-10.0.0.2");
            AddressState mine = flaky.allocate("n", ALICE);
            assertThat(flaky.releasesWithoutReading("n", mine.address())).isEqualTo(tellsCommitVersions());
            allocator.release("n", mine.address(), ALICE);
            AddressState theirs = allocator.claim("n", mine.address(), BOB);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (flaky.releasesWithoutReading("n", mine.address()) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(flaky.releasesWithoutReading("n", mine.address())).as("the feed shows the change of hands").isFalse();
            assertThat(allocator.show("n", mine.address())).isEqualTo(theirs);
            faulty.loseNextCommitAnswers(1);
            assertThat(flaky.release("n", mine.address())).isEqualTo(AddressState.free(mine.address()));
            assertThat(allocator.show("n", mine.address()).used()).isFalse();
        }

        @Test
        @DisplayName("a caller is not kept waiting behind a sibling's hung claim of the last free address")
        void hungSiblingClaim() throws Exception {
            openFlaky("10.0.0.2-10.0.0.2");
            // Group commit flushes one batch at a time (GroupCommitter), so on a store that batches
            // a hung flush holds every commit of the client, the caller's too, whoever's claim it
            // carries; such a store writes one transaction at a time anyway (SQLite's one writer).
            org.junit.jupiter.api.Assumptions.assumeFalse(faulty.batchLimits().batches(),
                    "a batching store's commits share one flush at a time");
            flaky.release("n", flaky.allocate("n", BOB).address()); // loads the network
            CountDownLatch unblock = new CountDownLatch(1);
            CountDownLatch hung = faulty.holdNextCommit(unblock);
            CompletableFuture<AddressState> first = CompletableFuture.supplyAsync(() -> flaky.allocate("n", ALICE));
            try {
                assertThat(hung.await(10, TimeUnit.SECONDS)).isTrue();
                AddressState second = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> flaky.allocate("n", BOB));
                assertThat(second.address()).isEqualTo(ip("10.0.0.2"));
            } finally {
                unblock.countDown();
            }
            assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(NetworkExhaustedException.class);
            assertThat(allocator.show("n", ip("10.0.0.2")).owner()).contains(BOB);
        }

        @Test
        @DisplayName("a lost answer to a release is resolved by reading back")
        void lostReleaseAnswer() {
            openFlaky("10.0.0.0/24");
            AddressState got = flaky.allocate("n", ALICE);
            faulty.loseNextCommitAnswers(1);
            assertThat(flaky.release("n", got.address())).isEqualTo(AddressState.free(got.address()));
            assertThat(allocator.show("n", got.address()).used()).isFalse();
            IntStream.range(0, 3).forEach(i -> assertThat(flaky.allocate("n", new Owner("c", "n" + i))).isNotNull());
        }
    }

    /** An allocator over its own client of the store behind {@code wrap}, sharing this test's keys. */
    private Allocator allocatorOver(java.util.function.UnaryOperator<KeyValueStore> wrap) {
        KeyValueStore store = wrap.apply(openStore());
        stores.add(store);
        Allocator created = Allocator.create(store, AllocatorOptions.defaults().withKeyPrefix(prefix));
        allocators.add(created);
        return created;
    }

    private static List<String> nodes(int count) {
        return IntStream.range(0, count).mapToObj(i -> "n" + i).toList();
    }

    private static List<String> formatted(java.util.Collection<AddressState> states) {
        return states.stream().map(s -> IpAddresses.format(s.address())).toList();
    }

    @Nested
    @DisplayName("bulk allocation")
    class BulkAllocation {
        @Test
        @DisplayName("a cluster's nodes get the lowest free addresses, contiguous, in the order the nodes are named")
        void lowestContiguousInNodeOrder() {
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            allocator.allocate("admin", new Owner("other", "x"));
            Map<String, AddressState> got = allocator.allocateAll("admin", "c", List.of("zeta", "alpha", "mid"));
            assertThat(got.keySet()).containsExactly("zeta", "alpha", "mid");
            assertThat(formatted(got.values())).containsExactly("10.0.0.3", "10.0.0.4", "10.0.0.5");
            assertThat(got.get("alpha").owner()).contains(new Owner("c", "alpha"));
            assertThat(newAllocator().show("admin", ip("10.0.0.4")).owner()).contains(new Owner("c", "alpha"));
        }

        @Test
        @DisplayName("nodes that already hold an address keep it, and it is in the answer")
        void idempotentPerOwner() {
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            AddressState first = newAllocator().allocate("admin", new Owner("c", "n1"));
            Map<String, AddressState> got = allocator.allocateAll("admin", "c", nodes(3));
            assertThat(got.get("n1")).isEqualTo(first);
            assertThat(formatted(got.values())).containsExactly("10.0.0.3", "10.0.0.2", "10.0.0.4");
            assertThat(allocator.allocateAll("admin", "c", nodes(3))).isEqualTo(got);
            assertThat(allocator.usage("admin").used()).isEqualTo(BigInteger.valueOf(3));
        }

        @Test
        @DisplayName("a network that cannot hold every node fails with exhausted, and the cluster holds what it held before")
        void allOrNothing() {
            allocator.register(network("small", "10.0.0.0", "24", "10.0.0.1", "10.0.0.2-10.0.0.6"));
            AddressState kept = allocator.allocate("small", new Owner("c", "n0"));
            allocator.allocate("small", new Owner("other", "x"));
            Map<String, String> before = dump();
            assertThatThrownBy(() -> allocator.allocateAll("small", "c", nodes(5)))
                    .isInstanceOf(NetworkExhaustedException.class).hasMessageContaining("small");
            assertThat(dump()).isEqualTo(before);
            assertThat(allocator.holdings("small", "c")).containsExactly(kept);
            assertThat(formatted(allocator.allocateAll("small", "c", nodes(4)).values()))
                    .containsExactly("10.0.0.2", "10.0.0.4", "10.0.0.5", "10.0.0.6");
        }

        @Test
        @DisplayName("duplicate node names, no nodes or more than 1,024 are refused, and nothing is written")
        void badNodeLists() {
            allocator.register(network("admin", "10.0.0.0", "16", "10.0.0.1", "10.0.0.0/16"));
            Map<String, String> before = dump();
            assertThatThrownBy(() -> allocator.allocateAll("admin", "c", List.of("a", "b", "a")))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("'a'");
            assertThatThrownBy(() -> allocator.allocateAll("admin", "c", List.of())).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> allocator.allocateAll("admin", "c", nodes(1025)))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("1024");
            assertThatThrownBy(() -> allocator.allocateAll("admin", "c", List.of("ok", "bad\n")))
                    .isInstanceOf(InvalidInputException.class);
            assertThat(dump()).isEqualTo(before);
        }

        @Test
        @DisplayName("a cluster larger than one commit of the store is claimed in several, each within the store's limit")
        void splitIntoCommits() {
            CommitLimitedStore[] limited = new CommitLimitedStore[1];
            Allocator small = allocatorOver(store -> limited[0] = new CommitLimitedStore(store, CommitSizeLimit.together(12)));
            small.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            long before = limited[0].commits();
            Map<String, AddressState> got = small.allocateAll("admin", "c", nodes(10)); // 1 + 4 per node: 2 nodes a commit
            assertThat(limited[0].commits() - before).isEqualTo(5);
            assertThat(formatted(got.values())).containsExactlyElementsOf(
                    IntStream.rangeClosed(2, 11).mapToObj(i -> "10.0.0." + i).toList());
            before = limited[0].commits();
            assertThat(small.releaseCluster("admin", "c")).hasSize(10); // 3 per node: 4 nodes a commit
            assertThat(limited[0].commits() - before).isEqualTo(3);
            assertThat(allocator.usage("admin").used()).isZero();
        }

        @Test
        @DisplayName("64 nodes cost the commits the store's limit needs and no read; their teardown one read more")
        void roundTrips() {
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            allocator.release("admin", allocator.allocate("admin", ALICE).address()); // loads the network
            int perClaimCommit = CommitChunks.fitting(counted.commitSizeLimit(), 1, 2, 2, 64);
            int perTeardownCommit = CommitChunks.fitting(counted.commitSizeLimit(), 0, 1, 2, 64);
            counted.reset();
            allocator.allocateAll("admin", "c", nodes(64));
            assertThat(counted.roundTrips()).as("round trips of the claim").isEqualTo((64 + perClaimCommit - 1) / perClaimCommit);
            assertThat(counted.commits()).isEqualTo(counted.roundTrips());
            counted.reset();
            assertThat(allocator.releaseCluster("admin", "c")).hasSize(64);
            assertThat(counted.roundTrips()).as("round trips of the teardown")
                    .isEqualTo(1 + (64 + perTeardownCommit - 1) / perTeardownCommit);
        }

        @Test
        @DisplayName("a store failing midway leaves nothing claimed by the call, once it answers again")
        void storeFailsMidway() {
            FaultyStore[] faulty = new FaultyStore[1];
            Allocator flaky = allocatorOver(store -> faulty[0] = new FaultyStore(new CommitLimitedStore(store, CommitSizeLimit.together(12))));
            flaky.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            AddressState kept = flaky.allocate("admin", new Owner("c", "n3"));
            faulty[0].failCommitAfter(2);
            assertThatThrownBy(() -> flaky.allocateAll("admin", "c", nodes(8))).isInstanceOf(StoreUnavailableException.class);
            assertThat(allocator.holdings("admin", "c")).containsExactly(kept);
            assertThat(allocator.usage("admin").used()).isEqualTo(BigInteger.ONE);
        }

        @Test
        @DisplayName("a lost answer to one of the commits is read back: every node holds one address, and nothing leaks")
        void lostAnswer() {
            FaultyStore[] faulty = new FaultyStore[1];
            Allocator flaky = allocatorOver(store -> faulty[0] = new FaultyStore(new CommitLimitedStore(store, CommitSizeLimit.together(12))));
            flaky.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            flaky.release("admin", flaky.allocate("admin", ALICE).address());
            faulty[0].loseNextCommitAnswers(1);
            Map<String, AddressState> got = flaky.allocateAll("admin", "c", nodes(6));
            assertThat(formatted(got.values())).containsExactly("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7");
            assertThat(allocator.usage("admin").used()).isEqualTo(BigInteger.valueOf(6));
        }

        @Test
        @DisplayName("clusters bulk-allocated through several instances at once get distinct addresses, every node one")
        void concurrentClusters() throws Exception {
            allocator.register(network("n", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            List<Allocator> instances = List.of(allocator, newAllocator(), newAllocator());
            Map<String, Map<String, AddressState>> byCluster = new ConcurrentHashMap<>();
            List<Throwable> failures = ConcurrentHarness.run(6, index ->
                    byCluster.put("c" + index, instances.get(index % 3).allocateAll("n", "c" + index, nodes(30))));
            assertThat(failures).isEmpty();
            Set<InetAddress> seen = new HashSet<>();
            byCluster.values().forEach(got -> got.values().forEach(state -> assertThat(seen.add(state.address())).isTrue()));
            assertThat(seen).hasSize(180);
            assertThat(allocator.usage("n").used()).isEqualTo(BigInteger.valueOf(180));
        }
    }

    @Nested
    @DisplayName("cluster holdings and teardown")
    class ClusterHoldingsAndTeardown {
        @Test
        @DisplayName("what a cluster holds is listed across networks, in network then address order; an unknown cluster holds nothing")
        void holdings() {
            allocator.register(network("storage", "10.1.0.0", "24", "10.1.0.1", "10.1.0.0/24"));
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            newAllocator().allocateAll("storage", "c", List.of("b", "a"));
            allocator.allocate("admin", new Owner("c", "z"));
            allocator.allocate("admin", new Owner("c2", "a"));
            allocator.allocate("admin", new Owner("c", "a"));
            assertThat(allocator.holdings("c")).extracting(h -> h.network() + " " + IpAddresses.format(h.state().address())
                    + " " + h.state().owner().orElseThrow().node())
                    .containsExactly("admin 10.0.0.2 z", "admin 10.0.0.4 a", "storage 10.1.0.2 b", "storage 10.1.0.3 a");
            assertThat(formatted(allocator.holdings("admin", "c2"))).containsExactly("10.0.0.3");
            assertThat(allocator.holdings("nobody")).isEmpty();
            assertThatThrownBy(() -> allocator.holdings("nope", "c")).isInstanceOf(NetworkNotFoundException.class);
        }

        @Test
        @DisplayName("a teardown releases every address of the cluster in every network, and a second one releases nothing")
        void teardown() {
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            allocator.register(network("storage", "10.1.0.0", "24", "10.1.0.1", "10.1.0.0/24"));
            Allocator other = newAllocator();
            other.allocateAll("admin", "c", nodes(3));
            allocator.allocateAll("storage", "c", nodes(2));
            AddressState stays = allocator.allocate("admin", new Owner("c-other", "n0"));
            assertThat(allocator.releaseCluster("c")).extracting(h -> h.network() + " " + IpAddresses.format(h.state().address()))
                    .containsExactly("admin 10.0.0.2", "admin 10.0.0.3", "admin 10.0.0.4", "storage 10.1.0.2", "storage 10.1.0.3");
            assertThat(allocator.releaseCluster("c")).isEmpty();
            assertThat(allocator.holdings("c")).isEmpty();
            assertThat(allocator.holdings("admin", "c-other")).containsExactly(stays);
            assertThat(allocator.allocate("admin", new Owner("d", "n0")).address()).isEqualTo(ip("10.0.0.2"));
        }

        @Test
        @DisplayName("a teardown in one network leaves the cluster's addresses in the others; an unknown network is not found")
        void teardownInOneNetwork() {
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            allocator.register(network("storage", "10.1.0.0", "24", "10.1.0.1", "10.1.0.0/24"));
            allocator.allocateAll("admin", "c", nodes(2));
            Map<String, AddressState> kept = allocator.allocateAll("storage", "c", nodes(2));
            assertThat(formatted(allocator.releaseCluster("admin", "c"))).containsExactly("10.0.0.2", "10.0.0.3");
            assertThat(allocator.holdings("storage", "c")).containsExactlyElementsOf(kept.values());
            assertThatThrownBy(() -> allocator.releaseCluster("nope", "c")).isInstanceOf(NetworkNotFoundException.class);
        }
    }

    @Nested
    @DisplayName("usage")
    class Usage {
        @Test
        @DisplayName("usage counts the used addresses of the pool, the same through every instance")
        void counts() {
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            newAllocator().allocateAll("admin", "c", nodes(12));
            assertThat(allocator.usage("admin")).isEqualTo(new NetworkUsage("admin", BigInteger.valueOf(253),
                    BigInteger.valueOf(12), BigInteger.valueOf(241)));
            assertThat(newAllocator().usage("admin")).isEqualTo(allocator.usage("admin"));
            assertThatThrownBy(() -> allocator.usage("nope")).isInstanceOf(NetworkNotFoundException.class);
        }

        @Test
        @DisplayName("an IPv6 /64 pool's usage is exact, and the usage of every network is listed by name")
        void exactAndAll() {
            allocator.register(network("v6", "fd00::", "64", "fd00::1", "fd00::/64"));
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24"));
            allocator.allocate("v6", ALICE);
            BigInteger size = BigInteger.TWO.pow(64).subtract(BigInteger.TWO);
            assertThat(allocator.usageOfAll()).containsExactly(
                    Map.entry("admin", new NetworkUsage("admin", BigInteger.valueOf(253), BigInteger.ZERO, BigInteger.valueOf(253))),
                    Map.entry("v6", new NetworkUsage("v6", size, BigInteger.ONE, size.subtract(BigInteger.ONE))));
        }
    }

    @Nested
    @DisplayName("network changes")
    class NetworkChanges {
        @Test
        @DisplayName("description, bridge and gateway change in place, and every instance allocates from the grown pool")
        void growAndDescribe() {
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.2-10.0.0.3"));
            Allocator other = newAllocator();
            other.allocateAll("admin", "c", nodes(2));
            Network changed = allocator.update("admin", NetworkChange.none().withDescription("grown").withBridge("br9")
                    .withGateway("10.0.0.254").withAddresses(List.of("10.0.0.2-10.0.0.10")));
            assertThat(changed.description()).isEqualTo("grown");
            assertThat(other.find("admin")).contains(changed);
            assertThat(other.allocate("admin", ALICE).address()).isEqualTo(ip("10.0.0.4"));
            assertThat(allocator.usage("admin").size()).isEqualTo(BigInteger.valueOf(9));
        }

        @Test
        @DisplayName("shrinking away free addresses succeeds; shrinking away a used one, or making it the gateway, fails naming it, and nothing changes")
        void shrink() {
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.2-10.0.0.20"));
            allocator.allocateAll("admin", "c", nodes(3));
            Network before = allocator.find("admin").orElseThrow();
            assertThatThrownBy(() -> allocator.update("admin", NetworkChange.none().withAddresses(List.of("10.0.0.3-10.0.0.20"))))
                    .isInstanceOf(AddressInUseException.class).hasMessageContaining("10.0.0.2");
            assertThatThrownBy(() -> allocator.update("admin", NetworkChange.none().withGateway("10.0.0.4")))
                    .isInstanceOf(AddressInUseException.class).hasMessageContaining("10.0.0.4");
            assertThat(allocator.find("admin")).contains(before);
            assertThat(allocator.allocate("admin", ALICE).address()).isEqualTo(ip("10.0.0.5"));
            allocator.update("admin", NetworkChange.none().withAddresses(List.of("10.0.0.2-10.0.0.6")));
            assertThatThrownBy(() -> newAllocator().allocateAll("admin", "d", nodes(2))).isInstanceOf(NetworkExhaustedException.class);
            assertThat(newAllocator().allocate("admin", BOB).address()).isEqualTo(ip("10.0.0.6"));
        }

        @Test
        @DisplayName("an invalid change is refused and an unknown network is not found")
        void refused() {
            allocator.register(network("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.2-10.0.0.20"));
            assertThatThrownBy(() -> allocator.update("admin", NetworkChange.none().withAddresses(List.of("10.9.0.0/24"))))
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> allocator.update("nope", NetworkChange.none().withDescription("x")))
                    .isInstanceOf(NetworkNotFoundException.class);
        }

        @Test
        @DisplayName("an allocation elsewhere between a shrink's check of the used addresses and its write gets an address of both pools")
        void allocationDuringAShrink() {
            allocator.register(network("n", "10.0.0.0", "24", "10.0.0.1", "10.0.0.2-10.0.0.10"));
            Allocator other = newAllocator();
            other.release("n", other.allocate("n", ALICE).address()); // loads the network there
            AtomicReference<AddressState> during = new AtomicReference<>();
            Allocator changer = allocatorOver(store -> new ForwardingKeyValueStore() {
                private boolean checked;

                @Override
                protected KeyValueStore delegate() {
                    return store;
                }

                @Override
                public ScanPage scan(String keyPrefix, String startAfter, int limit) {
                    ScanPage page = store.scan(keyPrefix, startAfter, limit);
                    if (!checked && keyPrefix.contains("/addresses/")) {
                        checked = true; // the change has read the used addresses: allocate before it writes the new pool
                        during.set(other.allocate("n", BOB));
                    }
                    return page;
                }
            });
            Network shrunk = changer.update("n", NetworkChange.none().withAddresses(List.of("10.0.0.6-10.0.0.10")));
            assertThat(during.get().address()).isEqualTo(ip("10.0.0.6"));
            assertThat(shrunk.pool().contains(IpAddresses.toNumber(during.get().address()))).isTrue();
            assertThat(allocator.find("n")).contains(shrunk);
        }

        @Test
        @DisplayName("allocations racing changes of the pool through several instances never hold an address the pool has left")
        void racingChanges() throws Exception {
            List<String> poolA = List.of("10.0.0.10-10.0.0.60");
            List<String> poolB = List.of("10.0.0.40-10.0.0.100");
            allocator.register(network("n", "10.0.0.0", "24", "10.0.0.1", poolA.get(0)));
            List<Allocator> instances = List.of(allocator, newAllocator(), newAllocator());
            AtomicInteger changes = new AtomicInteger();
            List<Throwable> failures = ConcurrentHarness.run(7, index -> {
                Allocator mine = instances.get(index % 3);
                for (int i = 0; i < 25; i++) {
                    if (index == 0) {
                        try {
                            mine.update("n", NetworkChange.none().withAddresses(i % 2 == 0 ? poolB : poolA));
                            changes.incrementAndGet();
                        } catch (AddressInUseException e) {
                            mine.releaseCluster("n", "c" + (1 + i % 6)); // frees the way for a later change
                        }
                        continue;
                    }
                    try {
                        AddressState got = mine.allocate("n", new Owner("c" + index, "node" + i));
                        if (ThreadLocalRandom.current().nextInt(3) == 0) {
                            mine.release("n", got.address());
                        }
                    } catch (AddressNotFoundException e) {
                        // torn down by the changer, then left out of the pool: nothing to release
                    } catch (NetworkExhaustedException e) {
                        Thread.yield();
                    }
                }
            });
            assertThat(failures).isEmpty();
            assertThat(changes).hasPositiveValue();
            Network last = allocator.find("n").orElseThrow();
            assertThat(allocator.list("n", AddressQuery.only(AddressStatus.USED, 1000)).addresses())
                    .hasSize(allocator.usage("n").used().intValueExact())
                    .allSatisfy(state -> assertThat(last.pool().contains(IpAddresses.toNumber(state.address())))
                            .as("%s in %s", state.address(), last.pool()).isTrue());
            assertThat(dump().keySet().stream().filter(k -> k.contains("/addresses/")).count())
                    .isEqualTo(allocator.usage("n").used().longValueExact());
        }
    }
}
