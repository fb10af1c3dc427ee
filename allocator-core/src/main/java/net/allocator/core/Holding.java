package net.allocator.core;

import static java.util.Objects.requireNonNull;

/**
 * An address a cluster holds, and the network it is in: one entry of {@link
 * AddressAllocator#holdings(String)} and {@link AddressAllocator#releaseCluster(String)}.
 *
 * @param network the network's name
 * @param state the address, used by its holder (as it was when read or released)
 */
public record Holding(String network, AddressState state) {
    public Holding {
        requireNonNull(network, "network");
        requireNonNull(state, "state");
        if (!state.used()) {
            throw new IllegalArgumentException("a holding is a used address: " + state);
        }
    }
}
