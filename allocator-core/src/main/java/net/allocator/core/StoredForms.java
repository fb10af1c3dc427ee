package net.allocator.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The JSON written to the store for networks and used addresses, and back. */
final class StoredForms {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** A network as stored; {@code state} is {@code open}, or {@code removing} during a removal. */
    record StoredNetwork(String name, String description, String bridge, String network, int prefix, String gateway,
            List<String> pool, String state) {}

    /** A used address as stored. */
    record StoredAddress(String address, String cluster, String node, String claimedAt) {}

    static final String OPEN = "open";
    static final String REMOVING = "removing";

    private StoredForms() {}

    static String encodeNetwork(Network network, String state) {
        return write(new StoredNetwork(network.name(), network.description(), network.bridge(),
                IpAddresses.format(network.address()), network.prefixLength(),
                network.gateway().map(IpAddresses::format).orElse(null), network.pool().toSpecs(), state));
    }

    static StoredNetwork readNetwork(String json, String key) {
        return read(json, StoredNetwork.class, key);
    }

    static Network decodeNetwork(StoredNetwork stored) {
        return Network.builder()
                .name(stored.name())
                .description(stored.description())
                .bridge(stored.bridge())
                .network(stored.network())
                .netmask(Integer.toString(stored.prefix()))
                .gateway(stored.gateway())
                .addresses(stored.pool())
                .build();
    }

    static String encodeAddress(InetAddress address, Owner owner, Instant claimedAt) {
        return write(new StoredAddress(IpAddresses.format(address), owner.cluster(), owner.node(), claimedAt.toString()));
    }

    static AddressState decodeAddress(String json, String key) {
        StoredAddress stored = read(json, StoredAddress.class, key);
        try {
            return AddressState.used(IpAddresses.parse(stored.address(), "stored address"),
                    new Owner(stored.cluster(), stored.node()),
                    stored.claimedAt() == null ? Instant.EPOCH : Instant.parse(stored.claimedAt()));
        } catch (RuntimeException e) {
            throw new CorruptRecordException(key, e);
        }
    }

    static Optional<Owner> ownerOf(String json, String key) {
        return Optional.of(decodeAddress(json, key).owner().orElseThrow());
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value, e);
        }
    }

    private static <T> T read(String json, Class<T> type, String key) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new CorruptRecordException(key, e);
        }
    }

    /** A record in the store that this allocator did not write and cannot read. */
    static final class CorruptRecordException extends StoreUnavailableException {
        private static final long serialVersionUID = 1L;

        CorruptRecordException(String key, Throwable cause) {
            super("the store holds an unreadable record at " + key + ": " + cause.getMessage(), cause);
        }
    }
}
