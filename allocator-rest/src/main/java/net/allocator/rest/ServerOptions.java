package net.allocator.rest;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import net.allocator.core.AddressQuery;

/**
 * How the REST server runs. Immutable; start from {@link #defaults()} and change what you need
 * with the {@code with…} methods.
 *
 * @param bind the address to listen on; loopback by default, so nothing is exposed unless asked
 * @param port the TCP port, 0 for any free port
 * @param threads how many requests are handled at once
 * @param maxBodyBytes the largest request body accepted; larger ones get a 413
 * @param pageLimit how many addresses a listing returns when the request gives no {@code limit}
 * @param token when present, the bearer token every write request (POST, PUT, DELETE) must carry
 * @param shutdownGrace how long {@link RestServer#stop()} waits for requests in flight
 */
public record ServerOptions(
        InetAddress bind,
        int port,
        int threads,
        long maxBodyBytes,
        int pageLimit,
        Optional<String> token,
        Duration shutdownGrace) {

    /** The default port, as in the original service. */
    public static final int DEFAULT_PORT = 5000;
    /** The default body limit: 1 MiB. */
    public static final long DEFAULT_MAX_BODY_BYTES = 1L << 20;
    /** The default page of address listings: a /24, a /20 and the seed's pools come back whole. */
    public static final int DEFAULT_PAGE_LIMIT = 10_000;
    /** The default number of request threads. */
    public static final int DEFAULT_THREADS = 64;
    /** The default grace for requests in flight at shutdown. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

    public ServerOptions {
        requireNonNull(bind, "bind");
        requireNonNull(token, "token");
        requireNonNull(shutdownGrace, "shutdownGrace");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 1: " + maxBodyBytes);
        }
        if (pageLimit < 1 || pageLimit > AddressQuery.MAX_LIMIT) {
            throw new IllegalArgumentException("pageLimit must be between 1 and " + AddressQuery.MAX_LIMIT + ": " + pageLimit);
        }
        if (token.isPresent() && token.get().isEmpty()) {
            token = Optional.empty();
        }
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must not be negative: " + shutdownGrace);
        }
    }

    /** Loopback, port 5000, 64 threads, 1 MiB bodies, pages of 10,000, no token, 10 s grace. */
    public static ServerOptions defaults() {
        return new ServerOptions(InetAddress.getLoopbackAddress(), DEFAULT_PORT, DEFAULT_THREADS,
                DEFAULT_MAX_BODY_BYTES, DEFAULT_PAGE_LIMIT, Optional.empty(), DEFAULT_SHUTDOWN_GRACE);
    }

    public ServerOptions withBind(InetAddress bind) {
        return new ServerOptions(bind, port, threads, maxBodyBytes, pageLimit, token, shutdownGrace);
    }

    public ServerOptions withPort(int port) {
        return new ServerOptions(bind, port, threads, maxBodyBytes, pageLimit, token, shutdownGrace);
    }

    public ServerOptions withThreads(int threads) {
        return new ServerOptions(bind, port, threads, maxBodyBytes, pageLimit, token, shutdownGrace);
    }

    public ServerOptions withMaxBodyBytes(long maxBodyBytes) {
        return new ServerOptions(bind, port, threads, maxBodyBytes, pageLimit, token, shutdownGrace);
    }

    public ServerOptions withPageLimit(int pageLimit) {
        return new ServerOptions(bind, port, threads, maxBodyBytes, pageLimit, token, shutdownGrace);
    }

    /** Requires {@code Authorization: Bearer <token>} on every write; empty or null turns it off. */
    public ServerOptions withToken(String token) {
        return new ServerOptions(bind, port, threads, maxBodyBytes, pageLimit, Optional.ofNullable(token), shutdownGrace);
    }

    public ServerOptions withShutdownGrace(Duration shutdownGrace) {
        return new ServerOptions(bind, port, threads, maxBodyBytes, pageLimit, token, shutdownGrace);
    }

    /** Hides the token, which must never reach a log. */
    @Override
    public String toString() {
        return "ServerOptions[bind=" + bind.getHostAddress() + ", port=" + port + ", threads=" + threads
                + ", maxBodyBytes=" + maxBodyBytes + ", pageLimit=" + pageLimit
                + ", token=" + (token.isPresent() ? "(set)" : "(none)") + ", shutdownGrace=" + shutdownGrace + "]";
    }
}
