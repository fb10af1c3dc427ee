package net.allocator.consul;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * A scripted stand-in for Consul's HTTP API, for the answers a healthy test server never gives
 * (no leader, permission denied, an index going back) and for checking what the store sends.
 */
final class FakeConsul implements AutoCloseable {
    /** What the store sent. */
    record Request(String method, String uri, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    /** What to answer; {@code index} &gt; 0 adds X-Consul-Index. */
    record Reply(int status, String body, long index) {
        static Reply ok(String body) {
            return new Reply(200, body, 0);
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "fake-consul");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Function<Request, Reply> handler;
    private final String scheme;

    FakeConsul(Function<Request, Reply> handler) throws IOException {
        this(handler, null);
    }

    /** Over https with {@code tls} when not null. */
    FakeConsul(Function<Request, Reply> handler, SSLContext tls) throws IOException {
        this.handler = handler;
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls != null) {
            HttpsServer https = HttpsServer.create(address, 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
            scheme = "https";
        } else {
            server = HttpServer.create(address, 0);
            scheme = "http";
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort();
    }

    void handler(Function<Request, Reply> next) {
        this.handler = next;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    Map.copyOf(exchange.getRequestHeaders()), body);
            requests.add(request);
            Reply reply = handler.apply(request);
            if (reply == null) {
                return; // hang up without an answer
            }
            if (reply.index() > 0) {
                exchange.getResponseHeaders().add("X-Consul-Index", Long.toString(reply.index()));
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
