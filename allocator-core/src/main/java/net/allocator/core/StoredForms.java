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
        out.append(ADDRESS_FIELD).append(IpAddresses.format(address));
        appendQuoted(out.append(CLUSTER_FIELD), owner.cluster());
        appendQuoted(out.append(NODE_FIELD), owner.node());
        out.append(CLAIMED_AT_FIELD);
        appendInstant(out, claimedAt);
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
                        parseInstant(fields[3]));
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

    /**
     * Appends exactly what {@link Instant#toString()} writes (fraction in groups of three
     * digits, as {@code DateTimeFormatter.ISO_INSTANT}), without the general formatter, which
     * costs more than the rest of an allocation.
     */
    static void appendInstant(StringBuilder out, Instant instant) {
        long seconds = instant.getEpochSecond();
        long days = Math.floorDiv(seconds, 86_400);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400);
        if (days < MIN_FOUR_DIGIT_YEAR_DAY || days > MAX_FOUR_DIGIT_YEAR_DAY) {
            out.append(instant);
            return;
        }
        java.time.LocalDate date = java.time.LocalDate.ofEpochDay(days);
        appendDigits(out, date.getYear(), 4).append('-');
        appendDigits(out, date.getMonthValue(), 2).append('-');
        appendDigits(out, date.getDayOfMonth(), 2).append('T');
        appendDigits(out, secondOfDay / 3_600, 2).append(':');
        appendDigits(out, secondOfDay / 60 % 60, 2).append(':');
        appendDigits(out, secondOfDay % 60, 2);
        int nanos = instant.getNano();
        if (nanos != 0) {
            out.append('.');
            if (nanos % 1_000_000 == 0) {
                appendDigits(out, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                appendDigits(out, nanos / 1_000, 6);
            } else {
                appendDigits(out, nanos, 9);
            }
        }
        out.append('Z');
    }

    private static final long MIN_FOUR_DIGIT_YEAR_DAY = java.time.LocalDate.of(0, 1, 1).toEpochDay();
    private static final long MAX_FOUR_DIGIT_YEAR_DAY = java.time.LocalDate.of(9999, 12, 31).toEpochDay();

    private static StringBuilder appendDigits(StringBuilder out, int value, int width) {
        for (int divisor = pow10(width - 1); divisor > 0; divisor /= 10) {
            out.append((char) ('0' + value / divisor % 10));
        }
        return out;
    }

    private static int pow10(int exponent) {
        int out = 1;
        for (int i = 0; i < exponent; i++) {
            out *= 10;
        }
        return out;
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
