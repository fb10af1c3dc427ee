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
}
