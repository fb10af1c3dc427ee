package net.allocator.rest;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.function.Function;
import net.allocator.core.InvalidInputException;
import net.allocator.core.store.Settings;
import net.allocator.rest.ServiceCommand.UsageException;

/**
 * Where the service's settings come from: a flag {@code --some-name} over its non-blank
 * environment twin {@code ALLOCATOR_SOME_NAME}, each value with its source, so that a bad value
 * is blamed on where it came from. Reads and checks the typed values the service's own flags need.
 */
final class SettingSources {
    private static final String ENV_PREFIX = "ALLOCATOR_";

    private final Function<String, String> flags;
    private final Map<String, String> env;

    /**
     * @param flags a setting's flag value by the setting's name, or null when the flag was not given
     * @param env the environment
     */
    SettingSources(Function<String, String> flags, Map<String, String> env) {
        this.flags = flags;
        this.env = env;
    }

    /** A setting's text and where it came from: the flag ({@code --port}) or its variable. */
    record Given(String text, String source) {
        boolean fromEnvironment() {
            return source.startsWith(ENV_PREFIX);
        }
    }

    /** The environment twin of the setting {@code setting}'s flag. */
    static String envName(String setting) {
        return ENV_PREFIX + setting.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    /** A warning for each {@code ALLOCATOR_} variable of {@code env} not among {@code known}, with the closest name. */
    static List<String> unknownVariables(Map<String, String> env, List<String> known) {
        List<String> warnings = new ArrayList<>();
        for (String variable : new TreeSet<>(env.keySet())) {
            if (variable.startsWith(ENV_PREFIX) && !known.contains(variable)) {
                warnings.add(Messages.forLog(variable, 64) + " names no setting and is ignored"
                        + Suggestions.closest(variable, known).map(name -> "; did you mean " + name + "?").orElse(""));
            }
        }
        return warnings;
    }

    Optional<Given> get(String name) {
        String flag = flags.apply(name);
        if (flag != null) {
            return Optional.of(new Given(flag, "--" + name));
        }
        String variable = envName(name);
        return Optional.ofNullable(env.get(variable)).filter(value -> !value.isBlank()).map(value -> new Given(value, variable));
    }

    /** A usage error blaming {@code given}'s source; a variable's also names its flag. */
    UsageException problem(Given given, String problem) {
        String twin = given.fromEnvironment()
                ? " (the environment twin of --" + given.source().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-') + ")"
                : "";
        return new UsageException(given.source() + problem + twin);
    }

    int integer(String name, int fallback, int min, int max) throws UsageException {
        Optional<Given> given = get(name);
        if (given.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(given.get().text().strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // not a number: the same message as out of range
        }
        throw problem(given.get(), " must be a whole number from " + min + " to " + max + ", not " + Messages.quote(given.get().text()));
    }

    Duration duration(String name, Duration fallback) throws UsageException {
        Optional<Given> given = get(name);
        if (given.isEmpty()) {
            return fallback;
        }
        Duration value;
        try {
            value = Settings.of(Map.of(name, given.get().text())).duration(name, fallback);
        } catch (InvalidInputException e) {
            throw problem(given.get(), " must be a duration such as 10s, 500ms or PT10S");
        }
        if (value.isNegative()) {
            throw problem(given.get(), " must not be negative");
        }
        return value;
    }

    InetAddress bindAddress() throws UsageException {
        Optional<Given> given = get("bind");
        if (given.isEmpty()) {
            return InetAddress.getLoopbackAddress();
        }
        String host = given.get().text().strip();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.equalsIgnoreCase("localhost")) {
            return InetAddress.getLoopbackAddress();
        }
        if (InetAddresses.isInetAddress(host)) {
            return InetAddresses.forString(host);
        }
        throw problem(given.get(), " must be an IP address such as 127.0.0.1, 0.0.0.0 or ::, not " + Messages.quote(given.get().text()));
    }

    /** A size in bytes: {@code 1048576}, {@code 512KiB}, {@code 1MiB}, {@code 1k}, {@code 2m}. */
    long bytes(String name, long fallback) throws UsageException {
        Optional<Given> given = get(name);
        if (given.isEmpty()) {
            return fallback;
        }
        OptionalLong bytes = size(given.get().text());
        if (bytes.isEmpty()) {
            throw problem(given.get(), " must be a size from 1 byte to 1GiB, such as 1048576, 512KiB or 1MiB, not "
                    + Messages.quote(given.get().text()));
        }
        return bytes.getAsLong();
    }

    /** A size from 1 byte to 1 GiB: {@code 1048576}, {@code 512KiB}, {@code 1MiB}, {@code 1k}, {@code 2m}. */
    static OptionalLong size(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        for (Map.Entry<String, Long> suffix : List.of(
                Map.entry("kib", 1L << 10), Map.entry("mib", 1L << 20), Map.entry("gib", 1L << 30),
                Map.entry("kb", 1L << 10), Map.entry("mb", 1L << 20), Map.entry("gb", 1L << 30),
                Map.entry("k", 1L << 10), Map.entry("m", 1L << 20), Map.entry("g", 1L << 30),
                Map.entry("b", 1L))) {
            if (value.endsWith(suffix.getKey())) {
                unit = suffix.getValue();
                value = value.substring(0, value.length() - suffix.getKey().length()).strip();
                break;
            }
        }
        try {
            long number = Long.parseLong(value);
            if (number >= 1 && number <= (1L << 30) / unit) {
                return OptionalLong.of(number * unit);
            }
        } catch (NumberFormatException e) {
            // not a number: no size
        }
        return OptionalLong.empty();
    }
}
