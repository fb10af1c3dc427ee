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

    /**
     * One entry of a pool as users write it: an address, an inclusive range {@code a-b} or a CIDR
     * block, inside the network {@code shape}.
     *
     * @throws InvalidInputException naming what is wrong with it
     */
    static AddressRange parse(String spec, Network shape) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidInputException("addresses contains an empty entry");
        }
        String text = spec.strip();
        int dash = text.indexOf('-');
        int slash = text.indexOf('/');
        AddressRange range;
        if (dash >= 0) {
            InetAddress first = IpAddresses.parse(text.substring(0, dash), "range start");
            InetAddress last = IpAddresses.parse(text.substring(dash + 1), "range end");
            requireInside(first, shape, spec);
            requireInside(last, shape, spec);
            range = new AddressRange(IpAddresses.toNumber(first), IpAddresses.toNumber(last), shape.ipv6());
        } else if (slash >= 0) {
            InetAddress base = IpAddresses.parse(text.substring(0, slash), "block");
            requireInside(base, shape, spec);
            int prefix = IpAddresses.parsePrefixLength(text.substring(slash + 1), shape.ipv6());
            if (prefix < shape.prefixLength()) {
                throw new InvalidInputException("block " + text + " is larger than the network /" + shape.prefixLength());
            }
            BigInteger hostMask = IpAddresses.hostMask(prefix, IpAddresses.bits(base));
            BigInteger number = IpAddresses.toNumber(base);
            if (!number.and(hostMask).equals(BigInteger.ZERO)) {
                throw new InvalidInputException("block " + text + " has host bits set");
            }
            range = new AddressRange(number, number.or(hostMask), shape.ipv6());
        } else {
            InetAddress single = IpAddresses.parse(text, "address");
            requireInside(single, shape, spec);
            range = AddressRange.of(single);
        }
        return range;
    }

    private static void requireInside(InetAddress candidate, Network shape, String spec) {
        if (!shape.encloses(candidate)) {
            throw new InvalidInputException("address " + UserText.quote(spec.strip()) + " is outside the network "
                    + IpAddresses.format(shape.address()) + "/" + shape.prefixLength());
        }
    }
}
