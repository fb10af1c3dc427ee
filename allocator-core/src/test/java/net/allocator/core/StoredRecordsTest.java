package net.allocator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StoredRecordsTest {

    @Test
    @DisplayName("an address record round-trips, whatever characters its owner holds")
    void roundTrip() {
        Owner owner = new Owner("clu\"ster\\ \u00fc \u2713", "node/../ {}");
        Instant at = Instant.parse("2026-11-25T17:55:48.597462095Z");
        String json = StoredRecords.encodeAddress(IpAddresses.parse("10.0.0.5", "a"), owner, at);
        AddressState back = StoredRecords.decodeAddress(json, "k");
        assertThat(back).isEqualTo(AddressState.used(IpAddresses.parse("10.0.0.5", "a"), owner, at));
    }

    @Test
    @DisplayName("an address record is the JSON that data binding writes, for any owner, address and time")
    void sameAsDataBinding() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String escaped = "\"\\".repeat(126) + "x"; // 252 characters that need escaping: more than the buffer holds
        for (Owner owner : List.of(new Owner("c", "n"), new Owner("clu\"ster", "\u00fc \u2713 \ud83d\ude00"),
                new Owner(escaped, escaped), new Owner("a".repeat(253), "b".repeat(253)))) {
            for (String address : List.of("10.0.0.5", "255.255.255.255", "0.0.0.0", "2001:db8::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")) {
                for (Instant at : List.of(Instant.parse("2026-11-25T17:55:48Z"), Instant.parse("2026-11-25T17:55:48.597462095Z"),
                        Instant.MAX, Instant.MIN)) {
                    java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
                    fields.put("address", address);
                    fields.put("cluster", owner.cluster());
                    fields.put("node", owner.node());
                    fields.put("claimedAt", at.toString());
                    assertThat(StoredRecords.encodeAddress(IpAddresses.parse(address, "a"), owner, at))
                            .isEqualTo(json.writeValueAsString(fields));
                }
            }
        }
    }

    @Test
    @DisplayName("a record written by others is read whatever its field order, spacing and escapes")
    void otherForms() {
        Instant at = Instant.parse("2026-11-25T17:55:48.597Z");
        AddressState expected = AddressState.used(IpAddresses.parse("10.0.0.5", "a"), new Owner("c\"1", "n"), at);
        for (String json : List.of(
                "{\"node\":\"n\",\"claimedAt\":\"2026-11-25T17:55:48.597Z\",\"cluster\":\"c\\\"1\",\"address\":\"10.0.0.5\"}",
                "{ \"address\" : \"10.0.0.5\", \"cluster\": \"c\\u00221\", \"node\": \"n\", \"claimedAt\": \"2026-11-25T17:55:48.597Z\", \"x\": [1] }")) {
            assertThat(StoredRecords.decodeAddress(json, "k")).as(json).isEqualTo(expected);
        }
        assertThatThrownBy(() -> StoredRecords.decodeAddress(
                "{\"address\":\"10.0.0.x\",\"cluster\":\"c\",\"node\":\"n\",\"claimedAt\":\"2026-11-25T17:55:48Z\"}", "k"))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("unreadable record at k");
    }

    @Test
    @DisplayName("an unreadable record is reported as corrupt, neither as bad input nor as a store to retry")
    void corrupt() {
        assertThatThrownBy(() -> StoredRecords.decodeAddress("not json", "k")).isInstanceOf(CorruptRecordException.class)
                .isNotInstanceOf(StoreUnavailableException.class).hasMessageContaining("unreadable record at k");
        assertThatThrownBy(() -> StoredRecords.decodeAddress("{\"address\":\"10.0.0.1\"}", "k"))
                .isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> StoredRecords.decodeAddress("[1]", "k")).isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> StoredRecords.readNetwork("{\"name\":[", "n")).isInstanceOf(CorruptRecordException.class);
    }

    @Test
    @DisplayName("on 20,000 generated records, the hand-written encoder writes what Jackson writes, and both decoding paths read what Jackson reads")
    void generatedRecordsAgreeWithJackson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Random random = new Random(20261206L); // fixed, so that a failure can be repeated
        for (int i = 0; i < 20_000; i++) {
            InetAddress address = randomAddress(random);
            Owner owner = new Owner(randomPart(random), randomPart(random));
            Instant at = randomInstant(random);
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("address", InetAddresses.toAddrString(address));
            fields.put("cluster", owner.cluster());
            fields.put("node", owner.node());
            fields.put("claimedAt", at.toString());

            String written = StoredRecords.encodeAddress(address, owner, at);
            assertThat(written).as("record %d", i).isEqualTo(json.writeValueAsString(fields));

            Map<String, String> read = json.readValue(written, new TypeReference<Map<String, String>>() {});
            AddressState readByJackson = AddressState.used(InetAddresses.forString(read.get("address")),
                    new Owner(read.get("cluster"), read.get("node")), Instant.parse(read.get("claimedAt")));
            assertThat(StoredRecords.decodeAddress(written, "k")).as("record %d: %s", i, written).isEqualTo(readByJackson);

            Map<String, String> reordered = new LinkedHashMap<>();
            List.of("claimedAt", "node", "address", "cluster").forEach(field -> reordered.put(field, fields.get(field)));
            String otherForm = json.writeValueAsString(reordered); // not the allocator's own form: the general path
            assertThat(StoredRecords.decodeAddress(otherForm, "k")).as("record %d: %s", i, otherForm).isEqualTo(readByJackson);
        }
    }

    private static InetAddress randomAddress(Random random) throws UnknownHostException {
        byte[] raw = new byte[random.nextInt(4) == 0 ? 16 : 4];
        random.nextBytes(raw);
        if (raw.length == 16 && random.nextBoolean()) {
            java.util.Arrays.fill(raw, 2, 2 + random.nextInt(12), (byte) 0); // runs of zeros, written as ::
        }
        return InetAddress.getByAddress(raw); // from bytes: no name lookup
    }

    /** Owner text: plain names mostly, and now and then every kind of character JSON escapes or not. */
    private static String randomPart(Random random) {
        String[] pieces = {"a", "Z", "7", "-", ".", "_", " ", "/", "\"", "\\", "{", "}", ":", ",", "\u00fc", "\u2713",
            "\ud83d\ude00", "\u2028"};
        int length = random.nextInt(10) == 0 ? 100 + random.nextInt(40) : 1 + random.nextInt(20);
        StringBuilder out = new StringBuilder();
        boolean plain = random.nextBoolean();
        while (out.length() < length) {
            out.append(plain ? pieces[random.nextInt(6)] : pieces[random.nextInt(pieces.length)]);
        }
        return out.toString(); // at most 141 characters
    }

    private static Instant randomInstant(Random random) {
        long seconds = random.nextInt(5) == 0
                ? random.nextLong(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond())
                : random.nextLong(0, 4_102_444_800L); // 1970 to 2100, where claims are made
        int[] precision = {1_000_000_000, 1_000_000, 1_000, 1};
        int step = precision[random.nextInt(precision.length)];
        return Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000 / step) * (long) step % 1_000_000_000);
    }
}
