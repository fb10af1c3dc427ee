package net.allocator.core;

import java.util.Optional;
import java.util.SortedMap;

/**
 * The registered networks. Thread-safe; every method is one atomic step against the store, so
 * several registries (threads, processes, service instances) can share one store.
 *
 * <p>Every method throws {@link StoreUnavailableException} when the store cannot be reached
 * within its timeout, and {@link InvalidInputException} for a malformed name.
 */
public interface NetworkRegistry {

    /**
     * Registers a network. Never overwrites: the name must be free.
     *
     * @return the network as stored
     * @throws NetworkAlreadyExistsException when a network of that name exists (nothing is
     *     changed)
     */
    Network register(Network network);

    /** Every registered network's name and description, sorted by name. */
    SortedMap<String, String> list();

    /** The network of that name, if registered. */
    Optional<Network> find(String name);

    /**
     * Removes a network with all its addresses' records. Atomic with allocation: an allocation
     * either completes before the removal (and then blocks it, unless forced) or fails with
     * {@link NetworkNotFoundException}; no allocation is ever acknowledged and then lost to a
     * removal that was not forced.
     *
     * @param force remove even while addresses are used
     * @throws NetworkNotFoundException when no such network is registered
     * @throws NetworkInUseException when addresses are used and {@code force} is false (nothing
     *     is changed)
     */
    void remove(String name, boolean force);

    /**
     * How full a network is: the pool's size, and how many of its addresses are used, counted by
     * the store (not listed, where the store can count), so that every instance answers alike. A
     * count read while others allocate is exact at some moment during the call.
     *
     * @throws NetworkNotFoundException when no such network is registered
     */
    NetworkUsage usage(String name);

    /** {@link #usage} of every registered network, sorted by name: one count per network. */
    SortedMap<String, NetworkUsage> usageOfAll();

    /**
     * Changes a network in place: its description, bridge, gateway or pool ({@link
     * NetworkChange}); the name, network address and netmask never change. Atomic with
     * allocation on every instance: an allocation racing the change lands in the old pool or the
     * new one, never outside both, and never in an address taken out of the pool. Growing the
     * pool, or shrinking it where the addresses taken away are free, succeeds; while a shrinking
     * change checks them (one read of the used addresses), allocations are given only addresses
     * of both pools.
     *
     * @return the network as stored now
     * @throws NetworkNotFoundException when no such network is registered, or it is being removed
     * @throws InvalidInputException when the changed network is not valid (as {@link
     *     Network.Builder#build} says), and nothing is changed
     * @throws AddressInUseException naming the used addresses that the new pool leaves out (a
     *     new gateway that is a used address among them), and nothing is changed
     */
    Network update(String name, NetworkChange change);
}
