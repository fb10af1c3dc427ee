package net.allocator.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST service on the JDK's {@link HttpServer}: one context, one dispatcher that routes by
 * method and path template ({@link AllocatorApi#routes()}), the checks a request passes before
 * its handler ({@link RequestGuards}), one place that maps failures to answers ({@link
 * ErrorMapper}), a response that always is JSON, and a request log line per request.
 *
 * <pre>{@code
 * RestServer server = RestServer.start(AllocatorService.of(allocator, allocator::checkStore, "inmemory"),
 *         ServerOptions.defaults().withPort(0));
 * int port = server.port();
 * ...
 * server.stop();
 * }</pre>
 */
public final class RestServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestServer.class);
    private static final Logger REQUESTS = LoggerFactory.getLogger(ServiceLogging.REQUESTS);

    static {
        // The JDK server leaves Nagle's algorithm on unless told otherwise, which costs each
        // small response a delayed-ACK round trip (measured: 724 vs 31,776 POSTs a second).
        // It reads the property once, when the first server is made.
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        // Without these the JDK server waits forever for a client that sends half a request, so a
        // few stalled connections hold every worker thread (seconds).
        setIfAbsent("sun.net.httpserver.maxReqTime", "20");
        setIfAbsent("sun.net.httpserver.maxRspTime", "60");
    }

    private static void setIfAbsent(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final ServerOptions options;
    private final Router router;
    private final ObjectMapper mapper;
    private final RequestGuards guards;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean stopping;
    private boolean stopped;

    private RestServer(HttpServer server, ThreadPoolExecutor executor, ServerOptions options, Router router, ObjectMapper mapper) {
        this.server = server;
        this.executor = executor;
        this.options = options;
        this.router = router;
        this.mapper = mapper;
        this.guards = new RequestGuards(options.bind(), options.token());
    }

    /**
     * Starts serving {@code service} as {@code options} say.
     *
     * @throws IOException when the address cannot be bound (port in use, address not local)
     */
    public static RestServer start(AllocatorService service, ServerOptions options) throws IOException {
        ObjectMapper mapper = mapper();
        Router router = new AllocatorApi(service, mapper, options.pageLimit(), version()).routes();
        HttpServer server = HttpServer.create(new InetSocketAddress(options.bind(), options.port()), 1024);
        ThreadPoolExecutor executor = new ThreadPoolExecutor(options.threads(), options.threads(),
                60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), workerThreads());
        executor.allowCoreThreadTimeOut(true);
        RestServer rest = new RestServer(server, executor, options, router, mapper);
        server.createContext("/", rest::handle);
        server.setExecutor(rest::execute);
        server.start();
        return rest;
    }

    /** The port the server listens on: the chosen one when started on port 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The address the server listens on. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The base URI, such as {@code http://127.0.0.1:5000}. */
    public URI uri() {
        InetSocketAddress address = server.getAddress();
        String host = address.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            int zone = host.indexOf('%');
            host = "[" + (zone >= 0 ? host.substring(0, zone) : host) + "]";
        }
        return URI.create("http://" + host + ":" + address.getPort());
    }

    /** The version of this build, such as {@code 0.1.0}. */
    public static String version() {
        try (InputStream in = RestServer.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "");
                if (!version.isBlank() && !version.startsWith("${")) {
                    return version;
                }
            }
        } catch (IOException e) {
            // fall through to the unknown version
        }
        return "unknown";
    }

    /**
     * Stops gracefully: stops accepting connections, lets requests in flight finish for up to the
     * configured grace, then closes every connection. Idempotent. Does not close the service's
     * store, which belongs to the caller.
     */
    public void stop() {
        stop(options.shutdownGrace());
    }

    /** {@link #stop()} with another grace. */
    public synchronized void stop(Duration grace) {
        if (stopped) {
            return;
        }
        stopped = true;
        stopping = true;
        if (grace.isZero() || inFlight.get() == 0) {
            server.stop(0);
            shutdownExecutor();
            return;
        }
        // HttpServer.stop(n) closes the listener at once but then, on JDK 17, waits the whole n
        // seconds even when idle; so let it close the listener on a side thread, wait for our own
        // count of requests in flight, and end it with stop(0).
        int graceSeconds = (int) Math.min(Integer.MAX_VALUE, Math.max(1, grace.toSeconds() + 1));
        Thread closer = new Thread(() -> server.stop(graceSeconds), "allocator-http-stop");
        closer.setDaemon(true);
        closer.start();
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int abandoned = inFlight.get();
        server.stop(0);
        try {
            closer.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdownExecutor();
        if (abandoned > 0) {
            LOG.warn("stopped with {} request(s) still in flight after the grace of {}", abandoned, grace);
        }
    }

    private void shutdownExecutor() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Counts each exchange from the moment the server hands it over, so stop() can wait for it. */
    private void execute(Runnable task) {
        inFlight.incrementAndGet();
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } finally {
                    inFlight.decrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            throw e;
        }
    }

    private void handle(HttpExchange exchange) {
        long started = System.nanoTime();
        String method = exchange.getRequestMethod();
        String target = Messages.forLog(String.valueOf(exchange.getRequestURI().getRawPath())
                + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()), 300);
        String requestLine = Messages.forLog(method, 16) + " " + target;
        int status = 500;
        try {
            Response response;
            ByteArrayOutputStream body;
            Request request = null;
            try {
                request = new Request(exchange, options.maxBodyBytes());
                response = dispatch(exchange, request);
                body = render(response);
            } catch (Exception failure) {
                response = ErrorMapper.toResponse(failure, requestLine);
                body = render(response);
            }
            if (request != null && !request.discardUnreadBody()) {
                response = response.withHeader("Connection", "close");
            }
            status = response.status();
            write(exchange, response, body);
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("{}: could not answer: {}", requestLine, e.toString());
        } catch (RuntimeException e) {
            LOG.error("{}: could not write the answer", requestLine, e);
        } finally {
            exchange.close();
            logRequest(exchange, requestLine, status, started);
        }
    }

    /**
     * The request log: {@code 127.0.0.1 POST /v1/networks/admin 200 3ms}, at INFO; a request the
     * guards refused (401, 403) at WARN, so that it shows at {@code --log-level warn} too.
     */
    private static void logRequest(HttpExchange exchange, String requestLine, int status, long started) {
        boolean refused = status == 401 || status == 403;
        if (!(refused ? REQUESTS.isWarnEnabled() : REQUESTS.isInfoEnabled())) {
            return;
        }
        InetSocketAddress remote = exchange.getRemoteAddress();
        String client = remote == null || remote.getAddress() == null ? "-" : remote.getAddress().getHostAddress();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (refused) {
            REQUESTS.warn("{} {} {} {}ms", client, requestLine, status, millis);
        } else {
            REQUESTS.info("{} {} {} {}ms", client, requestLine, status, millis);
        }
    }

    private Response dispatch(HttpExchange exchange, Request request) throws IOException {
        Router.Match match = router.match(exchange.getRequestMethod(), segments(exchange.getRequestURI().getRawPath()));
        if (match instanceof Router.NotFound) {
            throw HttpError.notFound("no such endpoint: " + Messages.quote(String.valueOf(exchange.getRequestURI().getRawPath()))
                    + "; the API is under /v1/networks and /v1/health");
        }
        if (match instanceof Router.MethodNotAllowed notAllowed) {
            String allow = String.join(", ", notAllowed.allowed());
            throw new HttpError(405, "method " + Messages.quote(exchange.getRequestMethod()) + " is not allowed here; allowed: " + allow,
                    Map.of("Allow", allow));
        }
        Router.Found found = (Router.Found) match;
        guards.check(request, found.route().writes());
        request.bind(found.parameters());
        return found.route().handler().handle(request);
    }

    /** The decoded segments of a raw path; one trailing slash is ignored. */
    private static List<String> segments(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return List.of("\u0000");
        }
        String path = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(1, rawPath.length() - 1) : rawPath.substring(1);
        String[] raw = path.split("/", -1);
        List<String> out = new ArrayList<>(raw.length);
        for (String segment : raw) {
            out.add(Request.decodePathSegment(segment));
        }
        return out;
    }

    /** The response's body as JSON and a newline, written straight from the handler's data. */
    private ByteArrayOutputStream render(Response response) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator json = mapper.createGenerator(out)) {
            response.body().write(json);
        }
        out.write('\n');
        return out;
    }

    private void write(HttpExchange exchange, Response response, ByteArrayOutputStream body) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "application/json; charset=utf-8");
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        response.headers().forEach(headers::set);
        if (stopping) {
            headers.set("Connection", "close");
        }
        exchange.sendResponseHeaders(response.status(), body.size());
        try (OutputStream out = exchange.getResponseBody()) {
            // one write: the JDK server sends every write of a fixed-length body as its own segment
            body.writeTo(out);
        }
    }

    static ObjectMapper mapper() {
        return JsonMapper.builder(JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    private static java.util.concurrent.ThreadFactory workerThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "allocator-http-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
