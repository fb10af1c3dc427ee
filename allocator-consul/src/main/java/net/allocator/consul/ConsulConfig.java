package net.allocator.consul;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import net.allocator.core.InvalidInputException;
import net.allocator.core.store.Settings;

/**
 * Configuration of the Consul store, as data: typed, defaulted getters over a {@link Settings}
 * lookup, so flags, environment variables or a map can all feed it.
 *
 * <pre>{@code
 * ConsulConfig config = ConsulConfig.from(Settings.of(Map.of("consul-url", "https://consul:8501")));
 * try (ConsulKeyValueStore store = new ConsulKeyValueStore(config)) { ... }
 * }</pre>
 *
 * <p>Every getter throws {@link InvalidInputException} naming the setting when its text is
 * malformed; {@link #validate()} checks them all at once.
 */
@FunctionalInterface
public interface ConsulConfig extends Settings {

    /** Name of the setting for the agent's HTTP API address. */
    String URL = "consul-url";
    /** Name of the setting for the ACL token. */
    String TOKEN = "consul-token";
    /** Name of the setting for the timeout of one request. */
    String TIMEOUT = "consul-timeout";
    /** Name of the setting for the timeout of opening a connection. */
    String CONNECT_TIMEOUT = "consul-connect-timeout";
    /** Name of the setting for the datacenter. */
    String DATACENTER = "consul-datacenter";
    /** Name of the setting for the minimum time between two reads of a watch. */
    String WATCH_INTERVAL = "consul-watch-interval";
    /** Name of the setting for how long a watch's blocking query waits for a change. */
    String WATCH_WAIT = "consul-watch-wait";
    /** Name of the setting for the CA certificate file trusted for https. */
    String TLS_CA = "consul-tls-ca";

    /** The default agent address, a local agent's plain HTTP port. */
    String DEFAULT_URL = "http://127.0.0.1:8500";
    /** The default timeout of one request. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** The default timeout of opening a connection. */
    Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** The default minimum time between two reads of a watch. */
    Duration DEFAULT_WATCH_INTERVAL = Duration.ofMillis(200);
    /** The default time a watch's blocking query waits for a change. */
    Duration DEFAULT_WATCH_WAIT = Duration.ofSeconds(60);

    /** Consul refuses blocking queries that wait longer than this. */
    Duration MAX_WATCH_WAIT = Duration.ofMinutes(10);

    /** A config with nothing set: every getter returns its default. */
    ConsulConfig DEFAULT = name -> Optional.empty();

    /** A config reading from {@code settings}. */
    static ConsulConfig from(Settings settings) {
        return settings::get;
    }

    /**
     * The agent's HTTP API address ({@value #URL}, default {@value #DEFAULT_URL}): {@code
     * http://} or {@code https://}, host, optional port (the scheme's default when absent) and
     * optional path prefix (for a reverse proxy). A bare {@code host:port}, as in Consul's own
     * {@code CONSUL_HTTP_ADDR}, means {@code http://host:port}.
     */
    default URI url() {
        String text = string(URL, DEFAULT_URL).strip();
        if (!text.contains("://")) {
            text = "http://" + text;
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidInputException("setting " + URL + " must be a URL such as " + DEFAULT_URL + ": " + text, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidInputException("setting " + URL + " must use http or https: " + text);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidInputException("setting " + URL + " must name a host, as in " + DEFAULT_URL + ": " + text);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new InvalidInputException("setting " + URL + " must have no user, query or fragment (set the ACL token with " + TOKEN + "): " + text);
        }
        return uri;
    }

    /** The ACL token sent as {@code X-Consul-Token} ({@value #TOKEN}); none by default. */
    default Optional<String> token() {
        Optional<String> token = get(TOKEN).map(String::strip).filter(t -> !t.isEmpty());
        if (token.isPresent() && token.get().chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            // A header value with a line break or a space would be a malformed request, or worse.
            throw new InvalidInputException("setting " + TOKEN + " must be printable ASCII without spaces");
        }
        return token;
    }

    /**
     * The longest a request may wait for an answer once connected ({@value #TIMEOUT}, default
     * 5s); the store's calls fail with {@link net.allocator.core.StoreUnavailableException}
     * after about this long plus {@link #connectTimeout()}.
     */
    default Duration timeout() {
        return positive(TIMEOUT, duration(TIMEOUT, DEFAULT_TIMEOUT));
    }

    /** The longest opening a connection may take ({@value #CONNECT_TIMEOUT}, default 2s). */
    default Duration connectTimeout() {
        return positive(CONNECT_TIMEOUT, duration(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT));
    }

    /** The datacenter to use ({@value #DATACENTER}); the agent's own by default. */
    default Optional<String> datacenter() {
        return get(DATACENTER).map(String::strip).filter(t -> !t.isEmpty());
    }

    /**
     * The minimum time between two reads of one watch ({@value #WATCH_INTERVAL}, default
     * 200ms). Every change under a watched prefix makes Consul send the whole prefix again, so
     * this bounds the cost of a watch on a busy prefix: changes within one interval arrive
     * together. A large prefix is read less often still: at most once per 20 µs per key it held
     * at the last read, up to 30 s (a network of 50,000 used addresses: once a second).
     */
    default Duration watchInterval() {
        Duration interval = duration(WATCH_INTERVAL, DEFAULT_WATCH_INTERVAL);
        if (interval.isNegative()) {
            throw new InvalidInputException("setting " + WATCH_INTERVAL + " must not be negative: " + interval);
        }
        return interval;
    }

    /**
     * How long a watch's blocking query waits for a change before asking again ({@value
     * #WATCH_WAIT}, default 60s, at least 1s, at most 10m). Each wait that ends without change
     * still returns the whole prefix, and a silently dead connection is noticed only after it.
     */
    default Duration watchWait() {
        Duration wait = duration(WATCH_WAIT, DEFAULT_WATCH_WAIT);
        if (wait.compareTo(Duration.ofSeconds(1)) < 0 || wait.compareTo(MAX_WATCH_WAIT) > 0) {
            throw new InvalidInputException("setting " + WATCH_WAIT + " must be between 1s and 10m: " + wait);
        }
        return wait;
    }

    /**
     * A PEM file of CA certificates to trust for an https {@link #url()} ({@value #TLS_CA});
     * the JVM's trust store by default.
     */
    default Optional<Path> tlsCa() {
        Optional<Path> file = get(TLS_CA).map(String::strip).filter(t -> !t.isEmpty()).map(Path::of);
        if (file.isPresent() && !Files.isReadable(file.get())) {
            throw new InvalidInputException("setting " + TLS_CA + " must name a readable PEM file: " + file.get());
        }
        return file;
    }

    /**
     * Checks every setting at once.
     *
     * @throws InvalidInputException naming the first malformed setting
     */
    default void validate() {
        URI url = url();
        token();
        timeout();
        connectTimeout();
        datacenter();
        watchInterval();
        watchWait();
        if (tlsCa().isPresent() && !url.getScheme().equalsIgnoreCase("https")) {
            throw new InvalidInputException("setting " + TLS_CA + " needs an https " + URL + ", not " + url);
        }
    }

    private static Duration positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new InvalidInputException("setting " + name + " must be positive: " + value);
        }
        return value;
    }
}
