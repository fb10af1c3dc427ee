package net.allocator.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The REST baseline: a bare JDK {@link HttpServer} whose one handler reads the request body and
 * answers a fixed small JSON body, with a fixed thread pool and TCP_NODELAY, the fastest
 * configuration of the same server the REST service is built on.
 *
 * <pre>java -Dsun.net.httpserver.nodelay=true -cp benchmarks.jar net.allocator.benchmarks.BareHttpServer --port 0 [--threads 8]</pre>
 *
 * Prints {@code listening on <port>} once it accepts connections.
 */
public final class BareHttpServer {
    private static final byte[] BODY = "{\"address\":\"10.0.0.2\"}\n".getBytes(StandardCharsets.UTF_8);

    private BareHttpServer() {}

    public static void main(String[] args) throws IOException {
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        int port = 0;
        int threads = Runtime.getRuntime().availableProcessors() * 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
                in.transferTo(OutputStream.nullOutputStream());
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, BODY.length);
                out.write(BODY);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.start();
        System.out.println("listening on " + server.getAddress().getPort() + " with " + threads + " threads");
        System.out.flush();
    }
}
