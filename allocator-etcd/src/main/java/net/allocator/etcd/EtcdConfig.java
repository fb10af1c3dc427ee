package net.allocator.etcd;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.allocator.core.InvalidInputException;
import net.allocator.core.store.Settings;

/**
 * The settings of the etcd store, as data: typed getters with defaults over any {@link
 * Settings} source (flags, environment, a map). Each getter reads and checks its setting when
 * called and throws {@link InvalidInputException} naming the setting when its text is malformed;
 * {@link #validate()} also checks the settings that only make sense together.
 *
 * <pre>{@code
 * EtcdConfig config = EtcdConfig.from(Settings.of(Map.of("etcd-endpoints", "https://etcd-1:2379,https://etcd-2:2379",
 *                                                      "etcd-tls-ca", "/etc/allocator/etcd-ca.pem")));
 * }</pre>
 */
@FunctionalInterface
public interface EtcdConfig extends Settings {

    /** Comma-separated client URLs of the etcd cluster, all {@code http://} or all {@code https://}. */
    String ENDPOINTS = "etcd-endpoints";
    /** How long one store call may take before it fails. */
    String TIMEOUT = "etcd-timeout";
    /** How long opening a TCP connection to one endpoint may take. */
    String CONNECT_TIMEOUT = "etcd-connect-timeout";
    /** The etcd user, for clusters with authentication enabled. */
    String USER = "etcd-user";
    /** The etcd user's password. */
    String PASSWORD = "etcd-password";
    /** A PEM file of the certificate authorities that sign the etcd server certificates. */
    String TLS_CA = "etcd-tls-ca";
    /** A PEM file with this client's certificate (chain), for clusters that require client certificates. */
    String TLS_CERT = "etcd-tls-cert";
    /** A PEM file with the PKCS#8 private key of {@link #TLS_CERT}. */
    String TLS_KEY = "etcd-tls-key";
    /** The host name to expect in the server certificates, when it differs from the endpoints' hosts. */
    String AUTHORITY = "etcd-authority";

    /** The most compares, or operations, etcd accepts in one transaction: the server's {@code --max-txn-ops}. */
    String MAX_TXN_OPS = "etcd-max-txn-ops";

    /** etcd's own default of {@code --max-txn-ops}, used when {@value #MAX_TXN_OPS} is not set. */
    int DEFAULT_MAX_TXN_OPS = 128;

    /** The endpoint used when {@value #ENDPOINTS} is not set. */
    String DEFAULT_ENDPOINTS = "http://127.0.0.1:2379";
    /** The timeout used when {@value #TIMEOUT} is not set. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** The connect timeout used when {@value #CONNECT_TIMEOUT} is not set. */
    Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** Nothing set: a local etcd on its default port, without authentication or TLS. */
    EtcdConfig DEFAULT = name -> Optional.empty();

    /** The etcd settings among {@code settings}. */
    static EtcdConfig from(Settings settings) {
        requireNonNull(settings, "settings");
        return settings::get;
    }

    /**
     * The endpoints, normalized to {@code scheme://host:port} (port 2379 when omitted).
     *
     * @throws InvalidInputException when one is not an {@code http} or {@code https} URL with a
     *     host, or when they mix the two schemes
     */
    default List<URI> endpoints() {
        String text = string(ENDPOINTS, DEFAULT_ENDPOINTS);
        List<URI> endpoints = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String endpoint = part.strip();
            if (endpoint.isEmpty()) {
                throw new InvalidInputException("setting " + ENDPOINTS + " has an empty entry: '" + text + "'");
            }
            endpoints.add(parseEndpoint(endpoint));
        }
        if (endpoints.stream().map(URI::getScheme).distinct().count() > 1) {
            throw new InvalidInputException(
                    "setting " + ENDPOINTS + " mixes http and https endpoints: '" + text + "'; use one scheme for all");
        }
        return List.copyOf(endpoints);
    }

    /** Whether the endpoints use {@code https}, so that connections use TLS. */
    default boolean tls() {
        return endpoints().get(0).getScheme().equals("https");
    }

    /**
     * The longest one store call may take (default 5s), retries inside the client included.
     *
     * @throws InvalidInputException when it is not a positive duration
     */
    default Duration timeout() {
        return positive(TIMEOUT, duration(TIMEOUT, DEFAULT_TIMEOUT));
    }

    /**
     * The longest opening a connection to one endpoint may take (default 2s).
     *
     * @throws InvalidInputException when it is not a positive duration of at most a day
     */
    default Duration connectTimeout() {
        Duration connectTimeout = positive(CONNECT_TIMEOUT, duration(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT));
        // Netty takes the connect timeout as an int of milliseconds.
        if (connectTimeout.compareTo(Duration.ofDays(1)) > 0) {
            throw new InvalidInputException("setting " + CONNECT_TIMEOUT + " must be at most a day: " + connectTimeout);
        }
        return connectTimeout;
    }

    /** The etcd user, when the cluster has authentication enabled. */
    default Optional<String> user() {
        return get(USER).filter(v -> !v.isBlank()).map(String::strip);
    }

    /** The password of {@link #user()}. Not stripped: a password may start or end with a space. */
    default Optional<String> password() {
        return get(PASSWORD).filter(v -> !v.isEmpty());
    }

    /** The PEM file of trusted certificate authorities; without it, TLS trusts the JVM's default ones. */
    default Optional<Path> tlsCa() {
        return path(TLS_CA);
    }

    /** The PEM file of the client certificate (chain). */
    default Optional<Path> tlsCert() {
        return path(TLS_CERT);
    }

    /** The PEM file of the client's PKCS#8 private key. */
    default Optional<Path> tlsKey() {
        return path(TLS_KEY);
    }

    /** The authority (host name) to send and to check the server certificates against, if not the endpoints' hosts. */
    default Optional<String> authority() {
        Optional<String> authority = get(AUTHORITY).filter(v -> !v.isBlank()).map(String::strip);
        if (authority.isPresent() && authority.get().chars().anyMatch(c -> Character.isWhitespace(c) || c == '/')) {
            throw new InvalidInputException("setting " + AUTHORITY + " must be a host name (and port), without spaces or '/': " + authority.get());
        }
        return authority;
    }

    /**
     * The most compares, or operations, one transaction may carry (default 128, etcd's default
     * {@code --max-txn-ops}): set it to the server's value, and the allocator splits a cluster's
     * claims and teardowns into transactions of that size.
     *
     * @throws InvalidInputException when it is not an integer from 8 to 100,000
     */
    default int maxTxnOps() {
        int most = integer(MAX_TXN_OPS, DEFAULT_MAX_TXN_OPS);
        if (most < 8 || most > 100_000) {
            throw new InvalidInputException("setting " + MAX_TXN_OPS + " must be from 8 to 100000: " + most);
        }
        return most;
    }

    /**
     * Reads every setting and checks those that only make sense together: user and password
     * both or neither, client certificate and key both or neither, TLS files only with {@code
     * https} endpoints, TLS files readable.
     *
     * @throws InvalidInputException naming the first setting that is wrong
     */
    default void validate() {
        endpoints();
        timeout();
        connectTimeout();
        maxTxnOps();
        authority();
        if (user().isPresent() != password().isPresent()) {
            throw new InvalidInputException(user().isPresent()
                    ? "setting " + USER + " is set but " + PASSWORD + " is not; set both or neither"
                    : "setting " + PASSWORD + " is set but " + USER + " is not; set both or neither");
        }
        if (tlsCert().isPresent() != tlsKey().isPresent()) {
            throw new InvalidInputException(tlsCert().isPresent()
                    ? "setting " + TLS_CERT + " is set but " + TLS_KEY + " is not; a client certificate needs its key"
                    : "setting " + TLS_KEY + " is set but " + TLS_CERT + " is not; a client key needs its certificate");
        }
        if (!tls()) {
            for (String name : List.of(TLS_CA, TLS_CERT, TLS_KEY)) {
                if (path(name).isPresent()) {
                    throw new InvalidInputException(
                            "setting " + name + " is set but " + ENDPOINTS + " are not https:// URLs; use https:// endpoints for TLS");
                }
            }
        }
        for (String name : List.of(TLS_CA, TLS_CERT, TLS_KEY)) {
            Optional<Path> file = path(name);
            if (file.isPresent() && !Files.isReadable(file.get())) {
                throw new InvalidInputException("setting " + name + " names a file that does not exist or cannot be read: " + file.get());
            }
        }
    }

    private Optional<Path> path(String name) {
        Optional<String> text = get(name).filter(v -> !v.isBlank()).map(String::strip);
        try {
            return text.map(Path::of);
        } catch (InvalidPathException e) {
            throw new InvalidInputException("setting " + name + " is not a file path: " + text.get(), e);
        }
    }

    private static Duration positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new InvalidInputException("setting " + name + " must be a positive duration: " + value);
        }
        return value;
    }

    private static URI parseEndpoint(String endpoint) {
        String example = "; expected a URL such as " + DEFAULT_ENDPOINTS;
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw new InvalidInputException("setting " + ENDPOINTS + " has a malformed URL '" + endpoint + "'" + example, e);
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new InvalidInputException("setting " + ENDPOINTS + " has '" + endpoint + "', which is not an http:// or https:// URL" + example);
        }
        if (uri.getHost() == null) {
            throw new InvalidInputException("setting " + ENDPOINTS + " has '" + endpoint + "', which has no host" + example);
        }
        if (uri.getUserInfo() != null) {
            throw new InvalidInputException("setting " + ENDPOINTS + " has credentials in '" + endpoint.replace(uri.getRawUserInfo(), "…")
                    + "'; use " + USER + " and " + PASSWORD + " instead");
        }
        boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                && uri.getRawQuery() == null
                && uri.getRawFragment() == null;
        if (!bare) {
            throw new InvalidInputException("setting " + ENDPOINTS + " has '" + endpoint + "', which has a path, query or fragment" + example);
        }
        int port = uri.getPort() == -1 ? 2379 : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new InvalidInputException("setting " + ENDPOINTS + " has '" + endpoint + "', whose port is not between 1 and 65535");
        }
        return URI.create(scheme + "://" + uri.getHost() + ":" + port);
    }
}
