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
    @DisplayName("claim times read back exactly, at every precision Instant writes")
    void instants() {
        for (String text : List.of("2026-11-25T17:55:48Z", "2026-11-25T17:55:48.500Z", "2026-11-25T17:55:48.123456Z",
                "1970-01-01T00:00:00.000000001Z", "2400-02-29T23:59:59.999999999Z", "+12026-01-01T00:00:00Z")) {
            assertThat(StoredForms.parseInstant(text)).as(text).isEqualTo(Instant.parse(text));
        }
        Instant now = Instant.now();
        assertThat(StoredForms.parseInstant(now.toString())).isEqualTo(now);
    }

    @Test
    @DisplayName("claim times are written exactly as Instant.toString writes them")
    void instantsWritten() {
        java.util.Random random = new java.util.Random(7);
        List<Instant> samples = new java.util.ArrayList<>(List.of(Instant.EPOCH, Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-12-31T23:59:59.5Z"), Instant.parse("1969-12-31T23:59:59.000001Z"), Instant.now()));
        for (int i = 0; i < 10_000; i++) {
            long seconds = random.nextLong(-70_000_000_000L, 300_000_000_000L);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            samples.add(Instant.ofEpochSecond(seconds, nanos));
        }
        for (Instant instant : samples) {
            StringBuilder out = new StringBuilder();
            StoredForms.appendInstant(out, instant);
            assertThat(out.toString()).isEqualTo(instant.toString());
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
