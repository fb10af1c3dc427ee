package net.allocator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import net.allocator.core.Allocator;
import net.allocator.core.FaultyStore;
import net.allocator.inmemory.InMemoryKeyValueStore;

/**
 * A real server on a free port over a real in-memory store (behind a {@link FaultyStore} switch),
 * and a real HTTP client to talk to it. A test class holds one as
 * {@code @AutoClose private final ApiServer api = new ApiServer();}: JUnit makes a new instance of
 * the class for each test, so each test gets a fresh server, closed after it.
 */
final class ApiServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SEED_NETWORK = """
            {
                "name": "admin",
                "description": "Internal administration network using virbrPRIVATE",
                "bridge": "virbrPRIVATE",
                "network": "10.112.0.0",
                "netmask": "16",
                "gateway": "10.112.0.1",
                "addresses": ["10.112.1.101", "10.112.1.102", "10.112.1.103"]
            }""";

    final InMemoryKeyValueStore memory = new InMemoryKeyValueStore();
    final FaultyStore store = new FaultyStore(memory);
    final Allocator allocator = Allocator.create(store);
    final RestServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    final URI base;

    ApiServer() {
        this(ServerOptions.defaults());
    }

    ApiServer(ServerOptions options) {
        try {
            server = RestServer.start(AllocatorService.of(allocator, allocator::checkStore, "inmemory"),
                    options.withPort(0).withShutdownGrace(Duration.ofSeconds(2)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        base = server.uri();
    }

    /** Another allocator and server on the same store: a second service instance. */
    RestServer secondInstance() throws IOException {
        Allocator other = Allocator.create(store);
        return RestServer.start(AllocatorService.of(other, other::checkStore, "inmemory"), ServerOptions.defaults().withPort(0));
    }

    /** Every key and value of the store, to compare before and after a rejected request. */
    Map<String, String> dump() {
        return memory.dump();
    }

    Reply get(String path) {
        return send(request(path).GET().build());
    }

    Reply delete(String path) {
        return send(request(path).DELETE().build());
    }

    Reply postJson(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(body(json)).build());
    }

    Reply putJson(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").PUT(body(json)).build());
    }

    Reply postForm(String path, String form) {
        return send(request(path).header("Content-Type", "application/x-www-form-urlencoded").POST(body(form)).build());
    }

    Reply putForm(String path, String form) {
        return send(request(path).header("Content-Type", "application/x-www-form-urlencoded").PUT(body(form)).build());
    }

    /** Registers the seed's admin network. */
    Reply registerSeedNetwork() {
        return postJson("/v1/networks", SEED_NETWORK);
    }

    Reply register(String name, String network, String netmask, String gateway, String... addresses) {
        StringBuilder json = new StringBuilder("{\"name\":\"").append(name).append("\",\"network\":\"").append(network)
                .append("\",\"netmask\":\"").append(netmask).append('"');
        if (gateway != null) {
            json.append(",\"gateway\":\"").append(gateway).append('"');
        }
        json.append(",\"addresses\":[");
        for (int i = 0; i < addresses.length; i++) {
            json.append(i == 0 ? "" : ",").append('"').append(addresses[i]).append('"');
        }
        return postJson("/v1/networks", json.append("]}").toString());
    }

    Reply allocate(String network, String cluster, String node) {
        return postJson("/v1/networks/" + network, "{\"cluster\":\"" + cluster + "\",\"node\":\"" + node + "\"}");
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    }

    static HttpRequest.BodyPublisher body(String text) {
        return HttpRequest.BodyPublishers.ofString(text);
    }

    Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(Duration.ZERO);
        allocator.close();
        store.close();
    }

    /**
     * Sends bytes as they are over a plain socket, for requests no HTTP client would send
     * (malformed escapes, lying Content-Lengths). Asks the server to close the connection.
     */
    Reply raw(String requestHead, byte[] body, boolean json) {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(requestHead.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            socket.shutdownOutput();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (answer.isEmpty()) {
                return new Reply(0, Map.of(), "", false);
            }
            int headEnd = answer.indexOf("\r\n\r\n");
            String[] lines = answer.substring(0, headEnd).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip());
            }
            return new Reply(status, headers, answer.substring(headEnd + 4), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A response with its body parsed as JSON. */
    static final class Reply {
        private final int status;
        private final Map<String, String> headers;
        final String body;
        final JsonNode json;

        Reply(HttpResponse<String> response) {
            this(response.statusCode(), firstValues(response), response.body(), true);
        }

        Reply(int status, Map<String, String> headers, String body, boolean parse) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            try {
                this.json = body.isEmpty() || !parse ? null : JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        private static Map<String, String> firstValues(HttpResponse<String> response) {
            Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            response.headers().map().forEach((name, values) -> out.put(name, values.get(0)));
            return out;
        }

        int status() {
            return status;
        }

        String header(String name) {
            return headers.get(name);
        }

        String text(String field) {
            JsonNode value = json.get(field);
            return value == null || value.isNull() ? null : value.asText();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
