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
        out.append("{\"address\":\"").append(IpAddresses.format(address));
        out.append("\",\"cluster\":\"").append(QUOTER.quoteAsString(owner.cluster()));
        out.append("\",\"node\":\"").append(QUOTER.quoteAsString(owner.node()));
        out.append("\",\"claimedAt\":\"").append(claimedAt).append("\"}");
        return out.toString();
    }

    static AddressState decodeAddress(String json, String key) {
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
                    claimedAt == null ? Instant.EPOCH : parseInstant(claimedAt));
        } catch (RuntimeException e) {
            throw new CorruptRecordException(key, e);
        }
    }

    /**
     * Reads what {@link Instant#toString()} wrote ({@code 2026-11-25T17:55:48.597462095Z})
     * without the general formatter, which costs more than the rest of a release; anything else
     * goes to {@link Instant#parse}.
     */
    static Instant parseInstant(String text) {
        int length = text.length();
        if (length < 20 || length > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(length - 1) != 'Z') {
            return Instant.parse(text);
        }
        try {
            int year = Integer.parseInt(text, 0, 4, 10);
            int month = Integer.parseInt(text, 5, 7, 10);
            int day = Integer.parseInt(text, 8, 10, 10);
            int hour = Integer.parseInt(text, 11, 13, 10);
            int minute = Integer.parseInt(text, 14, 16, 10);
            int second = Integer.parseInt(text, 17, 19, 10);
            int nanos = 0;
            if (length > 20) {
                if (text.charAt(19) != '.' || length - 21 > 9) {
                    return Instant.parse(text);
                }
                int digits = length - 21;
                nanos = Integer.parseInt(text, 20, length - 1, 10);
                for (int i = digits; i < 9; i++) {
                    nanos *= 10;
                }
            }
            long days = java.time.LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return Instant.parse(text);
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
