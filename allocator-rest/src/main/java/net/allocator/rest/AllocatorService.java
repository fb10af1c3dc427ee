package net.allocator.rest;

import static java.util.Objects.requireNonNull;

import net.allocator.core.AddressAllocator;
import net.allocator.core.NetworkRegistry;

/**
 * What the REST service serves: the registry, the allocator and a health check of their store.
 * One object usually plays both roles ({@code net.allocator.core.Allocator}).
 *
 * @param networks the registered networks
 * @param addresses the allocation of their addresses
 * @param health checks that the store answers
 * @param store a short description of the store for the health endpoint, such as {@code
 *     etcd http://127.0.0.1:2379}
 */
public record AllocatorService(NetworkRegistry networks, AddressAllocator addresses, StoreHealth health, String store) {

    public AllocatorService {
        requireNonNull(networks, "networks");
        requireNonNull(addresses, "addresses");
        requireNonNull(health, "health");
        requireNonNull(store, "store");
    }

    /** A service whose registry and allocator are one object. */
    public static <T extends NetworkRegistry & AddressAllocator> AllocatorService of(T allocator, StoreHealth health, String store) {
        return new AllocatorService(allocator, allocator, health, store);
    }

    /** Checks that the store answers. */
    @FunctionalInterface
    public interface StoreHealth {
        /**
         * Returns when the store answered.
         *
         * @throws net.allocator.core.StoreUnavailableException when it did not
         */
        void check();
    }
}
