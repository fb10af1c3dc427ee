package net.allocator.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/** The JSON written to the store for networks and used addresses, and back. */
final class StoredRecords {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    private static final JsonStringEncoder QUOTER = JsonStringEncoder.getInstance();

    /**
     * A network as stored; {@code state} is {@code open}, {@code removing} during a removal, or
     * {@code changing} while a change that shrinks the pool checks the addresses it takes away,
     * which {@code pendingPool} holds (null otherwise).
     */
    record StoredNetwork(String name, String description, String bridge, String network, int prefix, String gateway,
            List<String> pool, String state, List<String> pendingPool) {}

    static final String OPEN = "open";
    static final String REMOVING = "removing";
    static final String CHANGING = "changing";

    private StoredRecords() {}

    static String encodeNetwork(Network network, String state) {
        return write(new StoredNetwork(network.name(), network.description(), network.bridge(),
                IpAddresses.format(network.address()), network.prefixLength(),
                network.gateway().map(IpAddresses::format).orElse(null), network.pool().toSpecs(), state, null));
    }

    /** {@code current}, marked as changing to {@code next}'s pool. */
    static String encodeChanging(Network current, Network next) {
        return write(new StoredNetwork(current.name(), current.description(), current.bridge(),
                IpAddresses.format(current.address()), current.prefixLength(),
                current.gateway().map(IpAddresses::format).orElse(null), current.pool().toSpecs(), CHANGING,
                next.pool().toSpecs()));
    }

    /**
     * The network that allocation works with: the stored one, except that while its pool is
     * changing only the addresses of both the old and the new pool are handed out, so that an
     * allocation racing the change lands in both.
     */
    static Network decodeEffective(StoredNetwork stored) {
        Network current = decodeNetwork(stored);
        if (!CHANGING.equals(stored.state()) || stored.pendingPool() == null) {
            return current;
        }
        AddressPool pending = Network.builder().name(current.name()).network(stored.network())
                .netmask(Integer.toString(stored.prefix())).addresses(stored.pendingPool()).build().pool();
        return new Network(current.name(), current.description(), current.bridge(), current.address(),
                current.prefixLength(), current.gateway(), current.pool().intersection(pending));
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
     * quoting and streaming parser) rather than through data binding; the JSON is the same. The
     * text is put together in a per-thread buffer, so that making it costs one copy.
     */
    static String encodeAddress(InetAddress address, Owner owner, Instant claimedAt) {
        int bound = FIXED_LENGTH + 2 * (owner.cluster().length() + owner.node().length()); // owners hold no control characters: only " and \\ are escaped
        char[] buffer = RECORD_BUFFER.get();
        if (buffer.length < bound) {
            buffer = new char[bound]; // long owner names that need escaping: not kept
        }
        int at = write(buffer, 0, ADDRESS_FIELD);
        if (address instanceof Inet4Address) {
            at += IpAddresses.formatIpv4(address.getAddress(), buffer, at);
        } else {
            at = write(buffer, at, IpAddresses.format(address));
        }
        at = writeQuoted(buffer, write(buffer, at, CLUSTER_FIELD), owner.cluster());
        at = writeQuoted(buffer, write(buffer, at, NODE_FIELD), owner.node());
        at = InstantText.write(buffer, write(buffer, at, CLAIMED_AT_FIELD), claimedAt);
        at = write(buffer, at, RECORD_END);
        return new String(buffer, 0, at);
    }

    private static int write(char[] into, int at, String text) {
        text.getChars(0, text.length(), into, at);
        return at + text.length();
    }

    private static int writeQuoted(char[] into, int at, String value) {
        int end = write(into, at, value);
        for (int i = at; i < end; i++) {
            char c = into[i];
            if (c == '"' || c == '\\' || c < 0x20) {
                char[] quoted = QUOTER.quoteAsString(value);
                System.arraycopy(quoted, 0, into, at, quoted.length);
                return at + quoted.length;
            }
        }
        return end; // the usual name needs no escaping: skip the encoder's copies
    }

    private static final ThreadLocal<char[]> RECORD_BUFFER = ThreadLocal.withInitial(() -> new char[512]);
    private static final String ADDRESS_FIELD = "{\"address\":\"";
    private static final String CLUSTER_FIELD = "\",\"cluster\":\"";
    private static final String NODE_FIELD = "\",\"node\":\"";
    private static final String CLAIMED_AT_FIELD = "\",\"claimedAt\":\"";
    private static final String RECORD_END = "\"}";
    /** The record's length without its owner: the fields' names, an IPv6 address and the longest time. */
    private static final int FIXED_LENGTH = ADDRESS_FIELD.length() + CLUSTER_FIELD.length() + NODE_FIELD.length()
            + CLAIMED_AT_FIELD.length() + RECORD_END.length() + 45 + InstantText.MAX_LENGTH;

    static AddressState decodeAddress(String json, String key) {
        String[] fields = splitOwnForm(json);
        if (fields != null) {
            try {
                return AddressState.used(IpAddresses.parse(fields[0], "stored address"), new Owner(fields[1], fields[2]),
                        InstantText.parse(fields[3]));
            } catch (RuntimeException e) {
                throw CorruptRecordException.at(key, e);
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
                throw CorruptRecordException.at(key, new IllegalArgumentException("not a JSON object"));
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
            throw CorruptRecordException.at(key, e);
        }
        try {
            return AddressState.used(IpAddresses.parse(address, "stored address"), new Owner(cluster, node),
                    claimedAt == null ? Instant.EPOCH : InstantText.parse(claimedAt));
        } catch (RuntimeException e) {
            throw CorruptRecordException.at(key, e);
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
            throw CorruptRecordException.at(key, e);
        }
    }
}
