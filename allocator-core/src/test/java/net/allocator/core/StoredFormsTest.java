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
    @DisplayName("an unreadable record is reported as such, not as bad input")
    void corrupt() {
        assertThatThrownBy(() -> StoredForms.decodeAddress("not json", "k")).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("unreadable record at k");
        assertThatThrownBy(() -> StoredForms.decodeAddress("{\"address\":\"10.0.0.1\"}", "k"))
                .isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> StoredForms.decodeAddress("[1]", "k")).isInstanceOf(StoreUnavailableException.class);
    }
}
