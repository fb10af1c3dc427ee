package net.allocator.core;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * What {@link NetworkRegistry#update} changes in a network: each present field replaces the
 * network's, each empty one keeps it. The name, the network address and the netmask cannot change.
 *
 * @param description a new description
 * @param bridge a new bridge
 * @param gateway a new gateway; an empty text removes the gateway
 * @param addresses a new pool, in the forms {@link Network.Builder#addresses} accepts
 */
public record NetworkChange(Optional<String> description, Optional<String> bridge, Optional<String> gateway,
        Optional<List<String>> addresses) {
    public NetworkChange {
        requireNonNull(description, "description");
        requireNonNull(bridge, "bridge");
        requireNonNull(gateway, "gateway");
        addresses = requireNonNull(addresses, "addresses").map(List::copyOf);
    }

    /** A change of nothing, to add fields to with the {@code with…} methods. */
    public static NetworkChange none() {
        return new NetworkChange(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public NetworkChange withDescription(String text) {
        return new NetworkChange(Optional.of(text), bridge, gateway, addresses);
    }

    public NetworkChange withBridge(String text) {
        return new NetworkChange(description, Optional.of(text), gateway, addresses);
    }

    public NetworkChange withGateway(String text) {
        return new NetworkChange(description, bridge, Optional.of(text), addresses);
    }

    public NetworkChange withAddresses(List<String> pool) {
        return new NetworkChange(description, bridge, gateway, Optional.of(pool));
    }

    /**
     * {@code current} with this change applied, validated as a registration is.
     *
     * @throws InvalidInputException naming the first problem found
     */
    Network applyTo(Network current) {
        return Network.builder()
                .name(current.name())
                .description(description.orElse(current.description()))
                .bridge(bridge.orElse(current.bridge()))
                .network(IpAddresses.format(current.address()))
                .netmask(current.netmask())
                .gateway(gateway.orElseGet(() -> current.gateway().map(IpAddresses::format).orElse(null)))
                .addresses(addresses.orElseGet(() -> current.pool().toSpecs()))
                .build();
    }
}
