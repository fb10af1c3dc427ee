package net.allocator.consul;

import com.ecwid.consul.UrlParameters;
import com.ecwid.consul.transport.HttpResponse;
import com.ecwid.consul.transport.TransportException;
import com.ecwid.consul.v1.ConsulRawClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import net.allocator.core.InvalidInputException;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.StoreOutcomeUnknownException;
import org.apache.http.Header;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.config.SocketConfig;
import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.conn.ConnectionPoolTimeoutException;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.message.BasicHeader;

/**
 * Consul's HTTP API through consul-api's raw client, over an Apache HttpClient of our own so
 * that every request is bounded by the configured timeouts (consul-api's shared default client
 * waits up to 10 minutes for an answer) and carries the ACL token. Turns every transport failure
 * and error status into a {@link StoreUnavailableException} that names the call and the URL.
 */
final class ConsulHttp implements AutoCloseable {

    /** One answer of Consul's. */
    record Answer(int status, String body, long index) {
        boolean ok() {
            return status == 200;
        }
    }

    private final CloseableHttpClient httpClient;
    private final ConsulRawClient raw;
    private final String baseUrl;
    private final Optional<String> datacenter;
    private final Duration timeout;

    private ConsulHttp(CloseableHttpClient httpClient, ConsulRawClient raw, String baseUrl, Optional<String> datacenter, Duration timeout) {
        this.httpClient = httpClient;
        this.raw = raw;
        this.baseUrl = baseUrl;
        this.datacenter = datacenter;
        this.timeout = timeout;
    }

    /**
     * A client whose requests wait at most {@code socketTimeout} for each read once connected:
     * the configured timeout for ordinary calls, longer for a watch's blocking queries.
     */
    static ConsulHttp open(ConsulConfig config, Duration socketTimeout) {
        URI url = config.url();
        boolean https = url.getScheme().equalsIgnoreCase("https");
        int port = url.getPort() != -1 ? url.getPort() : https ? 443 : 80;
        String path = url.getRawPath() == null ? "" : url.getRawPath().replaceAll("^/+|/+$", "");
        String host = url.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + url.getHost();
        String baseUrl = host + ":" + port + (path.isEmpty() ? "" : "/" + path);

        int connectMillis = millis(config.connectTimeout());
        int socketMillis = millis(socketTimeout);
        RegistryBuilder<ConnectionSocketFactory> sockets =
                RegistryBuilder.<ConnectionSocketFactory>create().register("http", PlainConnectionSocketFactory.getSocketFactory());
        if (https) {
            sockets.register("https", new SSLConnectionSocketFactory(sslContext(config.tlsCa())));
        }
        PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager(sockets.build());
        // Allocators run a few concurrent requests per process; more would only queue at Consul.
        connections.setMaxTotal(32);
        connections.setDefaultMaxPerRoute(32);
        // Also bounds the TLS handshake, which runs before the request's own socket timeout applies.
        connections.setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(socketMillis).setTcpNoDelay(true).build());
        RequestConfig requests = RequestConfig.custom()
                .setConnectTimeout(connectMillis)
                .setConnectionRequestTimeout(millis(config.timeout()))
                .setSocketTimeout(socketMillis)
                .build();
        List<Header> headers = new ArrayList<>();
        // A default header rather than consul-api's per-request token keeps the token out of
        // URLs and logs, and adds no empty X-Consul-Token header when there is no token.
        config.token().ifPresent(token -> headers.add(new BasicHeader("X-Consul-Token", token)));
        CloseableHttpClient httpClient = HttpClients.custom()
                .setConnectionManager(connections)
                .setDefaultRequestConfig(requests)
                .setDefaultHeaders(headers)
                .setUserAgent("allocator-consul")
                .disableCookieManagement()
                .disableRedirectHandling()
                .build();
        // The retry handler stays the default: it re-sends only requests that are idempotent or
        // were not sent at all, and never after a timeout or a refused connection.
        ConsulRawClient raw = new ConsulRawClient(httpClient, host, port, path);
        return new ConsulHttp(httpClient, raw, baseUrl, config.datacenter(), config.timeout());
    }

    /** The agent's address, for messages; never holds the token. */
    String baseUrl() {
        return baseUrl;
    }

    /** Sends a GET; {@code what} says what the call is for in error messages. */
    Answer get(String what, String endpoint, List<String> params) {
        HttpResponse response;
        try {
            response = raw.makeGetRequest(endpoint, urlParameters(params));
        } catch (TransportException e) {
            throw unavailable(what, e.getCause() == null ? e : e.getCause());
        } catch (IllegalStateException e) {
            throw closed(what, e);
        }
        return answer(response);
    }

    /**
     * Sends a PUT that may change data: a failure after the request may have reached Consul is
     * a {@link StoreOutcomeUnknownException}.
     */
    Answer put(String what, String endpoint, String body, List<String> params) {
        HttpResponse response;
        try {
            response = raw.makePutRequest(endpoint, body, urlParameters(params).toArray(new UrlParameters[0]));
        } catch (TransportException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (neverSent(cause)) {
                throw unavailable(what, cause);
            }
            throw new StoreOutcomeUnknownException(
                    "no answer from Consul at " + baseUrl + " to " + what + " within " + timeout.toMillis() + "ms (" + cause
                            + "); it may or may not have been applied",
                    cause);
        } catch (IllegalStateException e) {
            throw closed(what, e);
        }
        return answer(response);
    }

    /** The error for an answer that is neither success nor an expected outcome. */
    StoreUnavailableException failure(String what, Answer answer) {
        String body = answer.body() == null ? "" : answer.body().strip();
        if (body.length() > 500) {
            body = body.substring(0, 500) + "…";
        }
        String hint = switch (answer.status()) {
            case 401, 403 -> " (check " + ConsulConfig.TOKEN + ")";
            case 500 -> body.contains("datacenter") ? " (check " + ConsulConfig.DATACENTER + ")" : "";
            default -> "";
        };
        return new StoreUnavailableException("Consul at " + baseUrl + " answered " + what + " with HTTP " + answer.status() + ": " + body + hint);
    }

    /**
     * The error for a write's answer that is neither success nor an expected outcome. A server
     * error after Consul forwarded the write to the leader ("rpc error making call: EOF" when the
     * leader died, "leadership lost while committing log") may come after the write was
     * committed, so only the errors that mean it never reached the leader are plainly
     * unavailable; the others leave the outcome unknown.
     */
    StoreUnavailableException writeFailure(String what, Answer answer) {
        StoreUnavailableException failure = failure(what, answer);
        String body = answer.body() == null ? "" : answer.body();
        boolean neverApplied = answer.status() < 500
                || body.contains("No cluster leader")
                // the agent could not even connect to the leader (dead or not yet known)
                || body.contains("rpc error getting client")
                || body.contains("No path to datacenter")
                || body.contains("rate limit");
        if (neverApplied) {
            return failure;
        }
        return new StoreOutcomeUnknownException(failure.getMessage() + "; it may or may not have been applied");
    }

    @Override
    public void close() {
        try {
            httpClient.close();
        } catch (IOException e) {
            // Closing only releases sockets; nothing is lost when it fails.
        }
    }

    private List<UrlParameters> urlParameters(List<String> params) {
        List<UrlParameters> all = new ArrayList<>(params.size() + 1);
        for (String param : params) {
            all.add(() -> List.of(param));
        }
        datacenter.ifPresent(dc -> all.add(() -> List.of("dc=" + urlEncode(dc))));
        return all;
    }

    private static Answer answer(HttpResponse response) {
        Long index = response.getConsulIndex();
        return new Answer(response.getStatusCode(), response.getContent(), index == null ? 0 : index);
    }

    private StoreUnavailableException unavailable(String what, Throwable cause) {
        String reason;
        if (cause instanceof ConnectException || cause instanceof ConnectTimeoutException) {
            reason = "could not connect (" + cause.getMessage() + ")";
        } else if (cause instanceof UnknownHostException) {
            reason = "unknown host " + cause.getMessage();
        } else if (cause instanceof java.net.SocketTimeoutException) {
            reason = "no answer within " + timeout.toMillis() + "ms";
        } else {
            reason = String.valueOf(cause);
        }
        return new StoreUnavailableException("Consul at " + baseUrl + " unavailable for " + what + ": " + reason, cause);
    }

    private IllegalStateException closed(String what, IllegalStateException e) {
        // HttpClient says "Connection pool shut down" once closed; a closed store is a caller's bug.
        return new IllegalStateException("Consul store for " + baseUrl + " is closed; cannot " + what, e);
    }

    /** Failures that happen before a byte of the request leaves: the write surely did not happen. */
    private static boolean neverSent(Throwable cause) {
        return cause instanceof ConnectException
                || cause instanceof ConnectTimeoutException
                || cause instanceof UnknownHostException
                || cause instanceof SSLHandshakeException
                || cause instanceof ConnectionPoolTimeoutException;
    }

    private static SSLContext sslContext(Optional<Path> caFile) {
        try {
            if (caFile.isEmpty()) {
                return SSLContext.getDefault();
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            Collection<? extends Certificate> certificates;
            try (InputStream in = Files.newInputStream(caFile.get())) {
                certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certificates.isEmpty()) {
                throw new InvalidInputException("setting " + ConsulConfig.TLS_CA + " names a file without PEM certificates: " + caFile.get());
            }
            int n = 0;
            for (Certificate certificate : certificates) {
                trusted.setCertificateEntry("consul-ca-" + n++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new InvalidInputException("setting " + ConsulConfig.TLS_CA + " must name a PEM file of CA certificates: " + caFile.orElse(null) + ": " + e.getMessage(), e);
        }
    }

    /** Percent-encodes a key for a URL path, keeping its slashes: keys may hold ':' (IPv6), spaces, '%', '?' or '#'. */
    static String pathOf(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static String urlEncode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static int millis(Duration duration) {
        return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
    }
}
