package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;

/**
 * How full a network is. Exact at any size (an IPv6 /64 pool has 2^64 addresses), hence {@code
 * BigInteger}.
 *
 * @param network the network's name
 * @param size how many addresses the pool holds
 * @param used how many of them are held
 * @param free {@code size - used}
 */
public record NetworkUsage(String network, BigInteger size, BigInteger used, BigInteger free) {
    public NetworkUsage {
        requireNonNull(network, "network");
        requireNonNull(size, "size");
        requireNonNull(used, "used");
        requireNonNull(free, "free");
        if (!size.equals(used.add(free)) || used.signum() < 0 || free.signum() < 0) {
            throw new IllegalArgumentException("size " + size + " is not used " + used + " plus free " + free);
        }
    }

    /** The usage of a pool of {@code size} addresses of which {@code used} are held. */
    static NetworkUsage of(String network, BigInteger size, long used) {
        BigInteger counted = BigInteger.valueOf(used).min(size); // a used key outside the pool does not make free negative
        return new NetworkUsage(network, size, counted, size.subtract(counted));
    }
}
