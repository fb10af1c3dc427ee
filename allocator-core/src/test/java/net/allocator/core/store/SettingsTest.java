package net.allocator.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    @DisplayName("a duration's text uses its largest whole unit, and reads back as the same duration")
    void durationText() {
        assertThat(Settings.text(Duration.ofMinutes(2))).isEqualTo("2m");
        assertThat(Settings.text(Duration.ofSeconds(60))).isEqualTo("1m");
        assertThat(Settings.text(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(Settings.text(Duration.ofMillis(200))).isEqualTo("200ms");
        assertThat(Settings.text(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Settings.text(Duration.ZERO)).isEqualTo("0s");
        for (Duration duration : new Duration[] {Duration.ofMinutes(3), Duration.ofSeconds(61), Duration.ofMillis(7), Duration.ZERO}) {
            assertThat(Settings.of(Map.of("d", Settings.text(duration))).duration("d", Duration.ofDays(1))).isEqualTo(duration);
        }
    }
}
