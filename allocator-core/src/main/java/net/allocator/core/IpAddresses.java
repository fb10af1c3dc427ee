package net.allocator.core;

import com.google.common.net.InetAddresses;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * All address arithmetic of the project: parsing literals without DNS, conversion to and from
 * numbers, and the fixed-width key form that sorts in numeric order.
 */
public final class IpAddresses {
    private static final int MAX_LITERAL_LENGTH = 45;

    private IpAddresses() {}

    /**
     * Parses an IPv4 or IPv6 literal, never doing a DNS lookup.
     *
     * @throws InvalidInputException for anything else, zone ids ({@code fe80::1%eth0}) included
     */
    public static InetAddress parse(String literal, String what) {
        if (literal == null || literal.isBlank()) {
            throw new InvalidInputException(what + " is missing");
        }
        String text = literal.strip();
        InetAddress quad = dottedQuad(text);
        if (quad != null) {
            return quad;
        }
        // Guava takes any Unicode digit ("１０.0.0.1" would alias 10.0.0.1): only ASCII literals pass
        if (text.length() > MAX_LITERAL_LENGTH || !isAsciiLiteral(text)) {
            throw new InvalidInputException(what + " is not an IP address: " + UserText.quote(literal));
        }
        try {
            // one parse: isInetAddress() then forString() would parse every literal twice
            return InetAddresses.forString(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(what + " is not an IP address: " + UserText.quote(literal));
        }
    }

    /**
     * A plain dotted quad (ASCII digits, no leading zeros), read by hand: the usual literal, and
     * read back on every release. Null for anything else, which Guava reads or refuses.
     */
    private static InetAddress dottedQuad(String text) {
        int length = text.length();
        if (length < 7 || length > 15) {
            return null;
        }
        byte[] bytes = new byte[4];
        int octet = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9' && !(digits > 0 && value == 0)) {
                value = value * 10 + (c - '0');
                digits++;
                if (value > 255) {
                    return null;
                }
            } else if (c == '.' && digits > 0 && octet < 3) {
                bytes[octet++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return null;
            }
        }
        if (octet != 3 || digits == 0) {
            return null;
        }
        bytes[3] = (byte) value;
        return ofBytes(bytes);
    }

    private static boolean isAsciiLiteral(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean allowed = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** The canonical text of an address: dotted quad, or RFC 5952 IPv6. */
    public static String format(InetAddress address) {
        return InetAddresses.toAddrString(address);
    }

    /**
     * Writes the dotted quad of an IPv4 address's 4 bytes (its {@link #format canonical text})
     * into {@code into} at {@code at}, which has room for 15 chars, and returns its length: for
     * writers that need no String, such as the stored record and the REST service's listings.
     */
    public static int formatIpv4(byte[] bytes, char[] into, int at) {
        int length = at;
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                into[length++] = '.';
            }
            int octet = bytes[i] & 0xff;
            if (octet >= 100) {
                into[length++] = (char) ('0' + octet / 100);
            }
            if (octet >= 10) {
                into[length++] = (char) ('0' + octet / 10 % 10);
            }
            into[length++] = (char) ('0' + octet % 10);
        }
        return length - at;
    }

    /** The address as an unsigned number. */
    public static BigInteger toNumber(InetAddress address) {
        return new BigInteger(1, address.getAddress());
    }

    /** The address of the given family with the given number. */
    public static InetAddress fromNumber(BigInteger number, boolean ipv6) {
        int length = ipv6 ? 16 : 4;
        if (number.signum() < 0 || number.bitLength() > length * 8) {
            throw new InvalidInputException("address number out of range: " + number);
        }
        if (!ipv6) {
            // on every allocation: no intermediate byte arrays
            int value = number.intValue();
            return ofBytes(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
        }
        byte[] raw = number.toByteArray();
        byte[] bytes = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, bytes, length - copy, copy);
        return ofBytes(bytes);
    }

    /** The address of 4 or 16 bytes (no lookup: {@code getByAddress} never resolves). */
    private static InetAddress ofBytes(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible); // only for a length other than 4 or 16
        }
    }

    /** Whether the address is IPv6. */
    public static boolean isIpv6(InetAddress address) {
        return address instanceof Inet6Address;
    }

    /** The number of bits of the address's family: 32 or 128. */
    public static int bits(InetAddress address) {
        return address instanceof Inet4Address ? 32 : 128;
    }

    /**
     * A fixed-width lowercase hex form of the address (8 digits for IPv4, 32 for IPv6), so that
     * keys of one family sort in numeric order.
     */
    public static String toKey(InetAddress address) {
        return keyAfter("", address);
    }

    /**
     * {@code prefix} (ASCII) followed by {@link #toKey(InetAddress)}, built in one buffer: on
     * every allocation and release.
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for ASCII, and copies nothing else
    static String keyAfter(String prefix, InetAddress address) {
        byte[] bytes = address.getAddress();
        int at = prefix.length();
        byte[] key = new byte[at + 2 * bytes.length];
        prefix.getBytes(0, at, key, 0); // ASCII, so one byte per char
        for (byte b : bytes) {
            key[at++] = HEX_DIGITS[(b >> 4) & 0xf];
            key[at++] = HEX_DIGITS[b & 0xf];
        }
        return new String(key, StandardCharsets.ISO_8859_1);
    }

    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** See {@link #toKey(InetAddress)}. */
    public static String toKey(BigInteger number, boolean ipv6) {
        if (!ipv6) {
            // on every allocation: skip BigInteger's general radix conversion
            String hex = Long.toHexString(number.longValue());
            return "00000000".substring(hex.length()) + hex;
        }
        String hex = number.toString(16);
        int width = ipv6 ? 32 : 8;
        return "0".repeat(width - hex.length()) + hex;
    }

    /** The inverse of {@link #toKey}. */
    public static InetAddress fromKey(String key) {
        if (key.length() != 8 && key.length() != 32) {
            throw new IllegalArgumentException("not an address key: " + key);
        }
        return fromNumber(new BigInteger(key, 16), key.length() == 32);
    }

    /** Whether address number {@code a} is {@code b} + 1; without allocating for the usual sizes. */
    static boolean isSuccessor(BigInteger a, BigInteger b) {
        if (a.bitLength() < 64 && b.bitLength() < 64) { // both below 2^63: the difference fits a long
            return a.longValue() - b.longValue() == 1;
        }
        return a.subtract(b).equals(BigInteger.ONE);
    }

    /** The mask of a prefix length for a family, as a number. */
    static BigInteger hostMask(int prefixLength, int bits) {
        return BigInteger.ONE.shiftLeft(bits - prefixLength).subtract(BigInteger.ONE);
    }

    /**
     * Parses a netmask given as a prefix length ({@code "16"}) or, for IPv4, dotted ({@code
     * "255.255.0.0"}).
     */
    public static int parsePrefixLength(String netmask, boolean ipv6) {
        if (netmask == null || netmask.isBlank()) {
            throw new InvalidInputException("netmask is missing");
        }
        String text = netmask.strip();
        if (text.startsWith("/")) {
            text = text.substring(1);
        }
        int bits = ipv6 ? 128 : 32;
        if (!text.isEmpty() && text.length() <= 3 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int prefix = Integer.parseInt(text);
            if (prefix > bits) {
                throw new InvalidInputException("netmask /" + prefix + " is longer than " + bits + " bits");
            }
            return prefix;
        }
        if (!ipv6 && text.indexOf('.') > 0 && InetAddresses.isInetAddress(text)) {
            BigInteger mask = toNumber(InetAddresses.forString(text));
            int prefix = mask.bitCount();
            BigInteger expected = hostMask(prefix, 32).xor(hostMask(0, 32));
            if (mask.equals(expected)) {
                return prefix;
            }
            throw new InvalidInputException("netmask " + UserText.quote(netmask) + " is not contiguous");
        }
        throw new InvalidInputException("netmask " + UserText.quote(netmask) + " is neither a prefix length nor a dotted mask");
    }
}
