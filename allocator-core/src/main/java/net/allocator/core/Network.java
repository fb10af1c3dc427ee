package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A registered network: immutable and valid by construction. Build one from user input with
 * {@link #builder()}, which validates every field and explains what is wrong; the canonical
 * constructor checks the invariants the allocator relies on (a valid name, a network address
 * without host bits, a gateway inside the network and outside the pool, a pool inside the
 * network and of its family).
 *
 * @param name the unique name, 1 to 64 characters of {@code A-Z a-z 0-9 . _ -}, starting with a
 *     letter or digit
 * @param description free text
 * @param bridge the host bridge the network runs on, may be empty
 * @param address the network address (host bits zero)
 * @param prefixLength the netmask as a prefix length
 * @param gateway the gateway, inside the network, never handed out
 * @param pool the addresses this network hands out
 */
public record Network(
        String name,
        String description,
        String bridge,
        InetAddress address,
        int prefixLength,
        Optional<InetAddress> gateway,
        AddressPool pool) {

    private static final Pattern BRIDGE = Pattern.compile("[A-Za-z0-9._:@-]{0,64}");
    private static final int MAX_DESCRIPTION = 1024;
    // Keeps a network's stored definition well under Consul's 512 KiB value limit (an IPv6
    // literal is up to 39 characters); larger pools are ranges or CIDR blocks.
    private static final int MAX_POOL_ENTRIES = 10_000;

    public Network {
        requireNonNull(name, "name");
        requireNonNull(description, "description");
        requireNonNull(bridge, "bridge");
        requireNonNull(address, "address");
        requireNonNull(gateway, "gateway");
        requireNonNull(pool, "pool");
        checkName(name);
        int bits = IpAddresses.bits(address);
        BigInteger hostMask = IpAddresses.hostMask(Math.max(0, Math.min(prefixLength, bits)), bits);
        BigInteger first = IpAddresses.toNumber(address);
        BigInteger last = first.or(hostMask);
        if (prefixLength < 0 || prefixLength > bits || first.and(hostMask).signum() != 0) {
            throw new InvalidInputException(IpAddresses.format(address) + "/" + prefixLength + " is not a network address");
        }
        boolean v6 = IpAddresses.isIpv6(address);
        BigInteger gatewayNumber = gateway.map(IpAddresses::toNumber).orElse(null);
        if (gatewayNumber != null && (IpAddresses.isIpv6(gateway.get()) != v6 || gatewayNumber.compareTo(first) < 0
                || gatewayNumber.compareTo(last) > 0 || pool.contains(gatewayNumber))) {
            throw new InvalidInputException("gateway " + IpAddresses.format(gateway.get()) + " is outside the network or in the pool");
        }
        for (AddressRange range : pool.ranges()) {
            if (range.ipv6() != v6 || range.first().compareTo(first) < 0 || range.last().compareTo(last) > 0) {
                throw new InvalidInputException("pool range " + range + " is outside the network " + IpAddresses.format(address) + "/" + prefixLength);
            }
        }
    }

    /** Whether this is an IPv6 network. */
    public boolean ipv6() {
        return IpAddresses.isIpv6(address);
    }

    /** The netmask as the original service wrote it: the prefix length as text ({@code "16"}). */
    public String netmask() {
        return Integer.toString(prefixLength);
    }

    /** Whether {@code candidate} is inside the network's CIDR block and of its family. */
    public boolean encloses(InetAddress candidate) {
        if (IpAddresses.isIpv6(candidate) != ipv6()) {
            return false;
        }
        int bits = IpAddresses.bits(address);
        BigInteger hostMask = IpAddresses.hostMask(prefixLength, bits);
        return IpAddresses.toNumber(candidate).andNot(hostMask).equals(IpAddresses.toNumber(address));
    }

    /**
     * Checks a network name.
     *
     * @throws InvalidInputException when it is not a valid name
     */
    public static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("network name is missing");
        }
        if (!isValidName(name)) {
            throw new InvalidInputException("network name " + UserText.quote(name)
                    + " must be 1 to 64 characters of A-Z a-z 0-9 . _ - and start with a letter or digit");
        }
        return name;
    }

    // Checked on every call of the allocator, so without a regex.
    private static boolean isValidName(String name) {
        if (name.length() > 64 || !Character.isLetterOrDigit(name.charAt(0)) || name.charAt(0) > 'z') {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** A builder that validates user input. */
    public static Builder builder() {
        return new Builder();
    }

    /** Collects a network's fields as text, as users give them, and validates them in {@link #build()}. */
    public static final class Builder {
        private String name;
        private String description = "";
        private String bridge = "";
        private String network;
        private String netmask;
        private String gateway;
        private List<String> addresses = List.of();

        private Builder() {}

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder description(String description) {
            this.description = description == null ? "" : description;
            return this;
        }

        public Builder bridge(String bridge) {
            this.bridge = bridge == null ? "" : bridge;
            return this;
        }

        /** The network address, such as {@code 10.112.0.0}, or CIDR such as {@code 10.112.0.0/16}. */
        public Builder network(String network) {
            this.network = network;
            return this;
        }

        /** A prefix length ({@code "16"}) or a dotted mask ({@code "255.255.0.0"}). */
        public Builder netmask(String netmask) {
            this.netmask = netmask;
            return this;
        }

        public Builder gateway(String gateway) {
            this.gateway = gateway;
            return this;
        }

        /**
         * The pool: single addresses ({@code 10.112.1.101}), inclusive ranges ({@code
         * 10.112.243.1-10.112.243.254}) or CIDR blocks ({@code 10.112.243.0/24}), in any mix.
         */
        public Builder addresses(List<String> addresses) {
            this.addresses = addresses == null ? List.of() : List.copyOf(addresses);
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws InvalidInputException naming the first problem found
         */
        public Network build() {
            checkName(name);
            if (description.length() > MAX_DESCRIPTION || description.chars().anyMatch(c -> c < 0x20 && c != '\t')
                    || Owner.hasUnpairedSurrogate(description)) {
                throw new InvalidInputException("description must be at most " + MAX_DESCRIPTION
                        + " characters without control characters");
            }
            if (!BRIDGE.matcher(bridge).matches()) {
                throw new InvalidInputException("bridge " + UserText.quote(bridge)
                        + " must be at most 64 characters of A-Z a-z 0-9 . _ : @ -");
            }
            if (network == null || network.isBlank()) {
                throw new InvalidInputException("network is missing");
            }
            String networkText = network.strip();
            String maskText = netmask;
            int slash = networkText.indexOf('/');
            if (slash >= 0) {
                if (maskText != null && !maskText.isBlank()) {
                    throw new InvalidInputException("give the netmask either in network or in netmask, not both");
                }
                maskText = networkText.substring(slash + 1);
                networkText = networkText.substring(0, slash);
            }
            InetAddress base = IpAddresses.parse(networkText, "network");
            boolean ipv6 = IpAddresses.isIpv6(base);
            int prefix = IpAddresses.parsePrefixLength(maskText, ipv6);
            int bits = IpAddresses.bits(base);
            BigInteger hostMask = IpAddresses.hostMask(prefix, bits);
            BigInteger baseNumber = IpAddresses.toNumber(base);
            if (!baseNumber.and(hostMask).equals(BigInteger.ZERO)) {
                throw new InvalidInputException("network " + IpAddresses.format(base) + "/" + prefix
                        + " has host bits set; the network address is "
                        + IpAddresses.format(IpAddresses.fromNumber(baseNumber.andNot(hostMask), ipv6)));
            }
            Network shape = new Network(name, description, bridge, base, prefix, Optional.empty(),
                    AddressPool.of(List.of(), List.of()));

            List<BigInteger> reserved = new ArrayList<>();
            // /31 and /32 (RFC 3021) and IPv6 /127, /128 have no network or broadcast address to skip
            if (prefix < bits - 1) {
                reserved.add(baseNumber);
                if (!ipv6) {
                    reserved.add(baseNumber.or(hostMask));
                }
            }
            Optional<InetAddress> gatewayAddress = Optional.empty();
            if (gateway != null && !gateway.isBlank()) {
                InetAddress parsed = IpAddresses.parse(gateway, "gateway");
                if (!shape.encloses(parsed)) {
                    throw new InvalidInputException("gateway " + IpAddresses.format(parsed) + " is outside the network "
                            + IpAddresses.format(base) + "/" + prefix);
                }
                gatewayAddress = Optional.of(parsed);
                reserved.add(IpAddresses.toNumber(parsed));
            }

            if (addresses.isEmpty()) {
                throw new InvalidInputException("addresses is empty: give the pool as addresses, ranges (a-b) or CIDR blocks");
            }
            if (addresses.size() > MAX_POOL_ENTRIES) {
                throw new InvalidInputException("addresses has " + addresses.size() + " entries; at most "
                        + MAX_POOL_ENTRIES + " (use ranges or CIDR blocks for large pools)");
            }
            List<AddressRange> ranges = new ArrayList<>(addresses.size());
            for (String spec : addresses) {
                AddressRange range = AddressRange.parse(spec, shape);
                if (range.first().equals(range.last()) && reserved.contains(range.first())) {
                    throw new InvalidInputException("address " + spec.strip()
                            + " is the network, broadcast or gateway address and is never handed out");
                }
                ranges.add(range);
            }
            AddressPool pool = AddressPool.of(ranges, reserved);
            if (pool.size().signum() == 0) {
                throw new InvalidInputException("the pool has no address to hand out once the network, broadcast and gateway addresses are left out");
            }
            return new Network(name, description, bridge, base, prefix, gatewayAddress, pool);
        }
    }
}
