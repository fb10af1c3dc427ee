package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.net.InetAddress;

/**
 * An inclusive range of addresses of one family, as numbers ({@link IpAddresses#toNumber}).
 *
 * @param first the lowest address
 * @param last the highest address, not below {@code first}
 * @param ipv6 the family
 */
public record AddressRange(BigInteger first, BigInteger last, boolean ipv6) implements Comparable<AddressRange> {
    public AddressRange {
        requireNonNull(first, "first");
        requireNonNull(last, "last");
        if (first.compareTo(last) > 0) {
            throw new InvalidInputException("range starts after it ends: "
                    + IpAddresses.format(IpAddresses.fromNumber(first, ipv6)) + "-"
                    + IpAddresses.format(IpAddresses.fromNumber(last, ipv6)));
        }
    }

    /** The range of one address. */
    public static AddressRange of(InetAddress address) {
        BigInteger n = IpAddresses.toNumber(address);
        return new AddressRange(n, n, IpAddresses.isIpv6(address));
    }

    /** How many addresses the range holds. */
    public BigInteger size() {
        return last.subtract(first).add(BigInteger.ONE);
    }

    /** Whether the range holds the address number. */
    public boolean contains(BigInteger number) {
        return first.compareTo(number) <= 0 && number.compareTo(last) <= 0;
    }

    /** The text form: {@code a} for one address, {@code a-b} otherwise. */
    @Override
    public String toString() {
        String low = IpAddresses.format(IpAddresses.fromNumber(first, ipv6));
        return first.equals(last) ? low : low + "-" + IpAddresses.format(IpAddresses.fromNumber(last, ipv6));
    }

    @Override
    public int compareTo(AddressRange other) {
        return first.compareTo(other.first);
    }
}
