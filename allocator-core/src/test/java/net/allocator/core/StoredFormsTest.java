package net.allocator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StoredFormsTest {

    @Test
    @DisplayName("an address record round-trips, whatever characters its owner holds")
    void roundTrip() {
        Owner owner = new Owner("clu\"ster\\ \u00fc \u2713", "node/../ {}");
        Instant at = Instant.parse("2026-11-25T17:55:48.597462095Z");
        String json = StoredForms.encodeAddress(IpAddresses.parse("10.0.0.5", "a"), owner, at);
        AddressState back = StoredForms.decodeAddress(json, "k");
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
                    assertThat(StoredForms.encodeAddress(IpAddresses.parse(address, "a"), owner, at))
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
            assertThat(StoredForms.decodeAddress(json, "k")).as(json).isEqualTo(expected);
        }
        assertThatThrownBy(() -> StoredForms.decodeAddress(
                "{\"address\":\"10.0.0.x\",\"cluster\":\"c\",\"node\":\"n\",\"claimedAt\":\"2026-11-25T17:55:48Z\"}", "k"))
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("unreadable record at k");
    }

    @Test
    @DisplayName("an unreadable record is reported as such, not as bad input")
    void corrupt() {
        assertThatThrownBy(() -> StoredForms.decodeAddress("not json", "k")).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("unreadable record at k");
        assertThatThrownBy(() -> StoredForms.decodeAddress("{\"address\":\"10.0.0.1\"}", "k"))
                .isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> StoredForms.decodeAddress("[1]", "k")).isInstanceOf(StoreUnavailableException.class);
    }
}
