package net.allocator.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InstantTextTest {

    @Test
    @DisplayName("claim times are written exactly as Instant.toString writes them, and read back")
    void roundTrip() {
        Random random = new Random(7);
        List<Instant> samples = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-12-31T23:59:59.5Z"), Instant.parse("1969-12-31T23:59:59.000001Z"), Instant.now(), Instant.MAX, Instant.MIN));
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(-70_000_000_000L, 300_000_000_000L);
            if (i % 2 == 0) {
                seconds = 1_790_000_000L + random.nextInt(86_400 * 3); // a few days: the cached day, and its change
            }
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            samples.add(Instant.ofEpochSecond(seconds, nanos));
        }
        for (Instant instant : samples) {
            char[] into = new char[2 + InstantText.MAX_LENGTH];
            int end = InstantText.write(into, 2, instant);
            String text = new String(into, 2, end - 2);
            assertThat(text).isEqualTo(instant.toString());
            assertThat(InstantText.parse(text)).isEqualTo(instant);
        }
    }

    @Test
    @DisplayName("any other text is read, or refused, exactly as Instant.parse does")
    void otherTexts() {
        for (String text : List.of("2026-11-25T17:55:48Z", "2026-11-25T17:55:48.5Z", "2026-11-25T17:55:48.12345Z",
                "1970-01-01T00:00:00.000000001Z", "2400-02-29T23:59:59.999999999Z", "+12026-01-01T00:00:00Z",
                "2026-11-25T23:59:60Z", "2026-11-25T24:00:00Z", "2026-11-25T17:55:48.Z")) {
            assertThat(InstantText.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
        for (String text : List.of("2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "+026-11-25T17:55:48Z",
                "2026-11-25T17:60:00Z", "2026-11-25T1:-5:48Z",
                "2026-11-25T17:55:48.+12Z", "2026-11-25T17:55:48.1234567890Z", "2026-11-25 17:55:48Z")) {
            assertThatThrownBy(() -> Instant.parse(text)).as(text).isInstanceOf(DateTimeException.class);
            assertThatThrownBy(() -> InstantText.parse(text)).as(text).isInstanceOf(DateTimeException.class);
        }
    }
}
