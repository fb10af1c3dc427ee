package net.allocator.core;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * Hands out the addresses of registered networks. Thread-safe. Many allocators — threads,
 * processes and service instances on other hosts — may share one store; the guarantees below
 * hold across all of them, because they rest only on the store's atomic conditional writes.
 *
 * <h2>The atomic-allocation contract</h2>
 *
 * <ol>
 *   <li>No two owners ever hold the same address at once. An address is claimed by one
 *       conditional write that succeeds only while the address is unclaimed.
 *   <li>{@link #allocate} returns the numerically lowest free address of the pool when nobody
 *       else is allocating in that network (10.0.0.2 before 10.0.0.10). Under concurrent
 *       allocation each caller still gets a distinct free address, not necessarily the lowest;
 *       and an address released through another allocator instance becomes this instance's
 *       lowest candidate once the store's change feed has delivered the release (milliseconds on
 *       etcd; Consul's polling interval) — until then a higher free address may come back.
 *   <li>{@link #allocate} is idempotent per owner: when the owner already holds an address of
 *       the network, that address comes back and nothing is claimed. A caller that retries after
 *       a timeout or a {@link StoreUnavailableException} never leaks an address.
 *   <li>A full network fails at once with {@link NetworkExhaustedException}, and only after an
 *       authoritative read of the store found no free address.
 *   <li>{@link #claim}ing an address held by another owner fails with {@link
 *       AddressInUseException}; claiming it again for its holder succeeds without change;
 *       {@link #release} makes it allocatable again.
 *   <li>Every store failure surfaces as {@link StoreUnavailableException}, never as a silent
 *       success. An answer lost after a write was sent is resolved by reading back whether the
 *       write took place, never guessed.
 * </ol>
 *
 * <p>An owner holds at most one address per network.
 *
 * <p>Every method throws {@link NetworkNotFoundException} for an unknown network, {@link
 * InvalidInputException} for malformed arguments, and {@link StoreUnavailableException} when the
 * store fails; nothing is written when an exception is thrown, except that an operation whose
 * outcome the store could not confirm may have taken effect (and is then idempotent to retry).
 */
public interface AddressAllocator {

    /**
     * Claims a free address of the network for {@code owner}, atomically; or returns the address
     * the owner already holds there.
     *
     * @return the owner's address, used
     * @throws NetworkExhaustedException when no address is free
     */
    AddressState allocate(String network, Owner owner);

    /**
     * Claims a specific address for {@code owner} (manual mode). Idempotent: claiming an address
     * the owner already holds returns it unchanged.
     *
     * @return the address, used by {@code owner}
     * @throws AddressNotFoundException when the address is not in the network's pool
     * @throws AddressInUseException when another owner holds it, or {@code owner} holds another
     *     address of the network
     */
    AddressState claim(String network, InetAddress address, Owner owner);

    /**
     * Frees an address, whoever holds it. Idempotent: releasing a free address changes nothing.
     *
     * <p>The release is one conditional delete at the version of the record it read (or of the
     * claim this allocator made), and at the network's version. Racing a claim of the same
     * address, it is ordered by the store: either the release comes first, and the claim then
     * holds the address (this call still returns it free, as the release left it); or the claim
     * comes first, and the release frees it from the new holder. A network removed through
     * another allocator is noticed, whatever this allocator had cached.
     *
     * @return the address's state after the release: free
     * @throws AddressNotFoundException when the address is not in the network's pool
     * @throws NetworkNotFoundException when the network is not registered, or is being removed
     */
    AddressState release(String network, InetAddress address);

    /**
     * Frees an address only if {@code expectedOwner} holds it; a free address stays free. Racing
     * a claim, it behaves as {@link #release(String, InetAddress)}, except that a claim by another
     * owner that comes first makes it fail with {@link AddressInUseException}.
     *
     * @return the address's state after the release: free
     * @throws AddressNotFoundException when the address is not in the network's pool
     * @throws AddressInUseException when another owner holds it (nothing is changed)
     * @throws NetworkNotFoundException when the network is not registered, or is being removed
     */
    AddressState release(String network, InetAddress address, Owner expectedOwner);

    /**
     * One address's state, read from the store.
     *
     * @return the address, free or used by its holder
     * @throws InvalidInputException when the address is outside the network
     * @throws AddressNotFoundException when the address is not in the network's pool
     */
    AddressState show(String network, InetAddress address);

    /**
     * A page of the network's addresses in numeric order, read from the store. Pages of a large
     * pool cost the size of the page, not of the pool.
     *
     * @return the page, and where the next one starts when there is more
     * @throws NetworkNotFoundException when the network is not registered
     * @throws InvalidInputException when the query's {@code after} is not of the network's family
     */
    AddressPage list(String network, AddressQuery query);

    /**
     * Allocates an address of the network to each of a cluster's nodes, all or nothing.
     *
     * <ul>
     *   <li>Idempotent per owner: a node that already holds an address of the network keeps it,
     *       and it is in the answer.
     *   <li>The other nodes get the lowest free addresses, in the order the nodes are named, and
     *       contiguous where the pool allows, when nobody else allocates in the network.
     *   <li>All or nothing: when the network cannot hold every node, or the call fails, it
     *       releases what it claimed before it throws, so that afterwards the cluster holds
     *       nothing it did not hold before. What it cannot release (the store failing meanwhile,
     *       or an answer lost) stays held by its node, and the same call, retried, answers with it.
     *   <li>A cluster larger than one commit of the store ({@link
     *       net.allocator.core.store.KeyValueStore#commitSizeLimit}) is claimed in several
     *       commits: meanwhile others may see some of the nodes holding addresses and others not
     *       yet, and may allocate the addresses between them.
     *   <li>Each node's claim is as atomic as {@link #allocate}'s: no address is ever held by two
     *       owners, whatever else allocates at the same time.
     * </ul>
     *
     * @param nodes 1 to 1,024 distinct node names
     * @return every node's address, used, in the order of {@code nodes}
     * @throws NetworkExhaustedException when the network has fewer free addresses than nodes
     *     without one (and the cluster then holds what it held before)
     * @throws InvalidInputException when {@code nodes} is empty, names more than 1,024 nodes or
     *     a node twice, or a name is not a valid owner part
     */
    Map<String, AddressState> allocateAll(String network, String cluster, List<String> nodes);

    /**
     * What a cluster holds in every network, read from the owner index (one prefix read per
     * network, never a read of every address), in network then address order. An unknown
     * cluster holds nothing.
     *
     * @throws InvalidInputException when the cluster name is not a valid owner part
     */
    List<Holding> holdings(String cluster);

    /**
     * What a cluster holds in one network, read from the owner index, in address order.
     *
     * @throws NetworkNotFoundException when the network is not registered
     */
    List<AddressState> holdings(String network, String cluster);

    /**
     * Releases every address a cluster holds, in every network: {@link #releaseCluster(String,
     * String)} for each network, in name order.
     *
     * @return what was released, in network then address order, as it was held
     */
    List<Holding> releaseCluster(String cluster);

    /**
     * Releases every address a cluster holds in one network. Every allocation acknowledged
     * before the call began is released. An allocation for the cluster racing the call is
     * either released too or, when it lands after the call read the cluster's holdings, kept:
     * the call does not wait for allocations in flight, and a second call releases them.
     * Idempotent: a second call releases nothing more. Each address is released by a
     * conditional delete at the version its holder's record was read at (as {@link #release}),
     * as many per commit as the store admits.
     *
     * @return what was released, in address order, as it was held
     * @throws NetworkNotFoundException when the network is not registered
     */
    List<AddressState> releaseCluster(String network, String cluster);
}
