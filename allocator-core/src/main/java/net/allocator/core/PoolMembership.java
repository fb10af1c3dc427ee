package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.net.InetAddress;

/** Whether an address a caller names belongs to a network's pool, checked before any store call. */
final class PoolMembership {
    private PoolMembership() {}

    /**
     * The number of {@code address}, a member of the network's pool.
     *
     * @throws InvalidInputException when the address is outside the network's block or family
     * @throws AddressNotFoundException when it is inside the network but not in its pool
     */
    static BigInteger numberOf(Network network, InetAddress address) {
        requireNonNull(address, "address");
        if (IpAddresses.isIpv6(address) == network.ipv6()) {
            BigInteger number = IpAddresses.toNumber(address);
            if (network.pool().contains(number)) {
                return number; // the pool lies inside the network: no need to check the block
            }
        }
        if (!network.encloses(address)) {
            throw new InvalidInputException("address " + IpAddresses.format(address) + " is outside the network "
                    + network.name() + " (" + IpAddresses.format(network.address()) + "/" + network.prefixLength() + ")");
        }
        BigInteger number = IpAddresses.toNumber(address);
        if (!network.pool().contains(number)) {
            throw new AddressNotFoundException(IpAddresses.format(address) + " is not in the pool of network '"
                    + network.name() + "'");
        }
        return number;
    }
}
