package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * One address of a pool and who holds it.
 *
 * @param address the address
 * @param status free or used
 * @param owner the holder, present exactly when used
 * @param claimedAt when the holder claimed it, present exactly when used
 */
public record AddressState(InetAddress address, AddressStatus status, Optional<Owner> owner, Optional<Instant> claimedAt) {
    public AddressState {
        requireNonNull(address, "address");
        requireNonNull(status, "status");
        requireNonNull(owner, "owner");
        requireNonNull(claimedAt, "claimedAt");
        if ((status == AddressStatus.USED) != owner.isPresent()) {
            throw new IllegalArgumentException("an address has an owner exactly when it is used");
        }
    }

    /** A free address. */
    public static AddressState free(InetAddress address) {
        return new AddressState(address, AddressStatus.FREE, Optional.empty(), Optional.empty());
    }

    /** A used address. */
    public static AddressState used(InetAddress address, Owner owner, Instant claimedAt) {
        return new AddressState(address, AddressStatus.USED, Optional.of(owner), Optional.of(claimedAt));
    }

    /** Whether the address is used. */
    public boolean used() {
        return status == AddressStatus.USED;
    }
}
