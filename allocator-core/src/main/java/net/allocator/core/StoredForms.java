package net.allocator.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/** The JSON written to the store for networks and used addresses, and back. */
final class StoredForms {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    private static final JsonStringEncoder QUOTER = JsonStringEncoder.getInstance();

    /** A network as stored; {@code state} is {@code open}, or {@code removing} during a removal. */
    record StoredNetwork(String name, String description, String bridge, String network, int prefix, String gateway,
            List<String> pool, String state) {}


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

    /**
     * Written and read on every allocation and release, so by hand (with Jackson's string
     * quoting and streaming parser) rather than through data binding; the JSON is the same.
     */
    static String encodeAddress(InetAddress address, Owner owner, Instant claimedAt) {
        StringBuilder out = new StringBuilder(128);
        IpAddresses.appendFormatted(out.append(ADDRESS_FIELD), address);
        appendQuoted(out.append(CLUSTER_FIELD), owner.cluster());
        appendQuoted(out.append(NODE_FIELD), owner.node());
        out.append(CLAIMED_AT_FIELD);
        InstantText.append(out, claimedAt);
        return out.append(RECORD_END).toString();
    }

    private static void appendQuoted(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) {
                out.append(QUOTER.quoteAsString(value));
                return;
            }
        }
        out.append(value); // the usual name needs no escaping: skip the encoder's copies
    }

    private static final String ADDRESS_FIELD = "{\"address\":\"";
    private static final String CLUSTER_FIELD = "\",\"cluster\":\"";
    private static final String NODE_FIELD = "\",\"node\":\"";
    private static final String CLAIMED_AT_FIELD = "\",\"claimedAt\":\"";
    private static final String RECORD_END = "\"}";

    static AddressState decodeAddress(String json, String key) {
        String[] fields = splitOwnForm(json);
        if (fields != null) {
            try {
                return AddressState.used(IpAddresses.parse(fields[0], "stored address"), new Owner(fields[1], fields[2]),
                        InstantText.parse(fields[3]));
            } catch (RuntimeException e) {
                throw new CorruptRecordException(key, e);
            }
        }
        return decodeAnyForm(json, key);
    }

    /**
     * The four values of a record exactly as {@link #encodeAddress} writes it when nothing in it
     * needed escaping (no backslash, hence no quote inside a value), or null for any other JSON,
     * which the general parser reads. On every release, where a JSON parser costs more than the
     * rest of the release.
     */
    private static String[] splitOwnForm(String json) {
        if (!json.startsWith(ADDRESS_FIELD) || !json.endsWith(RECORD_END) || json.indexOf('\\') >= 0) {
            return null;
        }
        String[] separators = {CLUSTER_FIELD, NODE_FIELD, CLAIMED_AT_FIELD, RECORD_END};
        String[] values = new String[4];
        int start = ADDRESS_FIELD.length();
        for (int i = 0; i < 4; i++) {
            int end = json.indexOf('"', start);
            if (end < 0 || !json.startsWith(separators[i], end)) {
                return null;
            }
            values[i] = json.substring(start, end);
            start = end + separators[i].length();
        }
        return start == json.length() ? values : null;
    }

    private static AddressState decodeAnyForm(String json, String key) {
        String address = null;
        String cluster = null;
        String node = null;
        String claimedAt = null;
        try (JsonParser parser = JSON.getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new CorruptRecordException(key, new IllegalArgumentException("not a JSON object"));
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                String text = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                switch (field) {
                    case "address" -> address = text;
                    case "cluster" -> cluster = text;
                    case "node" -> node = text;
                    case "claimedAt" -> claimedAt = text;
                    default -> parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new CorruptRecordException(key, e);
        }
        try {
            return AddressState.used(IpAddresses.parse(address, "stored address"), new Owner(cluster, node),
                    claimedAt == null ? Instant.EPOCH : InstantText.parse(claimedAt));
        } catch (RuntimeException e) {
            throw new CorruptRecordException(key, e);
        }
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
