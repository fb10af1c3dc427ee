package net.allocator.core.store;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import net.allocator.core.InvalidInputException;

/**
 * Configuration as data: a lookup from a setting's name ({@code etcd-endpoints}, {@code
 * consul-url}, …) to its text. Command-line flags, environment variables and maps can all
 * feed it; backends read their settings through typed, defaulted getters of their own config
 * type.
 */
@FunctionalInterface
public interface Settings {

    /** Settings with nothing set: every getter returns its default. */
    Settings DEFAULT = name -> Optional.empty();

    /** The text of a setting, if set. */
    Optional<String> get(String name);

    /** Settings read from a map. */
    static Settings of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return name -> Optional.ofNullable(copy.get(name));
    }

    /** A string setting, or {@code fallback}. */
    default String string(String name, String fallback) {
        return get(name).filter(v -> !v.isBlank()).orElse(fallback);
    }

    /** An integer setting, or {@code fallback}. */
    default int integer(String name, int fallback) {
        Optional<String> value = get(name).filter(v -> !v.isBlank());
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.get().strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("setting " + name + " must be an integer: " + value.get());
        }
    }

    /**
     * A duration setting, or {@code fallback}: ISO-8601 ({@code PT5S}) or a number with a unit
     * ({@code 500ms}, {@code 5s}, {@code 2m}).
     */
    default Duration duration(String name, Duration fallback) {
        Optional<String> value = get(name).filter(v -> !v.isBlank());
        if (value.isEmpty()) {
            return fallback;
        }
        String text = value.get().strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            }
            if (text.endsWith("s") && !text.startsWith("p")) {
                return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            if (text.endsWith("m") && !text.startsWith("p")) {
                return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
            }
            return Duration.parse(text.toUpperCase(java.util.Locale.ROOT));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new InvalidInputException("setting " + name + " must be a duration such as 500ms, 5s or PT5S: " + value.get());
        }
    }

    /**
     * The text that {@link #duration} reads back as {@code duration}, with the largest whole unit:
     * {@code 2m}, {@code 5s}, {@code 200ms}. For a store's listed defaults, written once from its
     * config's constants.
     */
    static String text(Duration duration) {
        if (duration.toMillis() % 60_000 == 0 && !duration.isZero()) {
            return duration.toMinutes() + "m";
        }
        if (duration.toMillis() % 1000 == 0) {
            return duration.toSeconds() + "s";
        }
        return duration.toMillis() + "ms";
    }
}
