/**
 * Atomic IP address allocation over any key-value store: the contract ({@link
 * net.allocator.core.AddressAllocator}, {@link net.allocator.core.NetworkRegistry}), its one
 * implementation ({@link net.allocator.core.Allocator}), the values it speaks in, and its
 * exceptions, all under {@link net.allocator.core.AllocatorException}. Stores implement the small
 * SPI of {@link net.allocator.core.store}.
 *
 * <p>Embedding the library (the same sample as the README's):
 *
 * <pre>{@code
 * KeyValueStore store = new InMemoryKeyValueStore();              // or EtcdKeyValueStore, ConsulKeyValueStore
 * try (Allocator allocator = Allocator.create(store, AllocatorOptions.defaults().withKeyPrefix("allocator"))) {
 *     allocator.register(Network.builder()
 *             .name("admin").description("Internal administration network").bridge("virbrPRIVATE")
 *             .network("10.112.0.0").netmask("16").gateway("10.112.0.1")
 *             .addresses(List.of("10.112.243.1-10.112.243.254"))     // addresses, ranges a-b, CIDR blocks
 *             .build());
 *     AddressState mine = allocator.allocate("admin", new Owner("gluster-3.7.11-8", "glusternode0"));
 *     allocator.release("admin", mine.address());
 * }
 * store.close();
 * }</pre>
 *
 * <p>The allocator does not close the store: the caller opened it and closes it. Everything
 * public here is thread-safe or immutable; the machinery behind {@code Allocator} is
 * package-private.
 */
package net.allocator.core;
