package net.allocator.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * A client of one service process over {@link HttpClient} (HTTP/1.1, kept-alive connections).
 * Never throws for what the service answers, nor for a transport failure: every call returns a
 * {@link Reply} that says what happened and how long it took, for the load log.
 */
final class ServiceClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final Duration requestTimeout;

    /**
     * @param requestTimeout how long to wait for an answer before recording a hang; far above
     *     anything the service may take
     */
    ServiceClient(URI base, Duration requestTimeout) {
        this.base = base;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newCachedThreadPool(runnable -> {
                    Thread thread = new Thread(runnable, "http-" + base.getPort());
                    thread.setDaemon(true);
                    return thread;
                }))
                .build();
    }

    URI base() {
        return base;
    }

    /**
     * What one request got.
     *
     * @param status the HTTP status, or -1 when no answer came (the failure is in {@code transport})
     * @param body the parsed JSON body, or null when there was none or it was not JSON
     */
    record Reply(int status, JsonNode body, String raw, String transport, long sentNanos, long doneNanos) {
        long millis() {
            return (doneNanos - sentNanos) / 1_000_000;
        }

        String text(String field) {
            return body == null || body.get(field) == null || body.get(field).isNull() ? null : body.get(field).asText();
        }

        /** A 503 that carries the API's JSON error body. */
        boolean isJsonUnavailable() {
            return status == 503 && body != null && body.path("status").asInt() == 503
                    && "Service Unavailable".equals(text("error")) && text("message") != null && !text("message").isBlank();
        }

        @Override
        public String toString() {
            return status == -1 ? "no answer after " + millis() + " ms: " + transport
                    : status + " after " + millis() + " ms: " + (raw.length() > 300 ? raw.substring(0, 300) + "…" : raw);
        }
    }

    /**
     * Registers {@code network} as the /24 at {@code base} ("10.1.2.0") with the whole block as
     * its pool: 253 addresses once the network, broadcast and gateway (.1) addresses are left out.
     */
    Reply register(String network, String base) {
        ObjectNode body = JSON.createObjectNode();
        body.put("name", network);
        body.put("description", "reliability test network");
        body.put("bridge", "virbrTEST");
        body.put("network", base);
        body.put("netmask", "24");
        body.put("gateway", base.substring(0, base.lastIndexOf('.')) + ".1");
        body.putArray("addresses").add(base + "/24");
        return send("POST", "/v1/networks", body.toString());
    }

    Reply allocate(String network, String cluster, String node) {
        ObjectNode body = JSON.createObjectNode();
        body.put("cluster", cluster);
        body.put("node", node);
        return send("POST", "/v1/networks/" + network, body.toString());
    }

    /** Frees the address only if (cluster, node) holds it. */
    Reply release(String network, String address, String cluster, String node) {
        ObjectNode body = JSON.createObjectNode();
        body.put("cluster", cluster);
        body.put("node", node);
        body.put("status", "free");
        return send("PUT", "/v1/networks/" + network + "/addresses/" + address, body.toString());
    }

    Reply health() {
        return send("GET", "/v1/health", null);
    }

    Reply get(String path) {
        return send("GET", path, null);
    }

    /**
     * Every used address of the network and its owner ("cluster/node"), through {@code
     * GET ?used&full}, page by page.
     *
     * @throws AssertionError when a page cannot be read
     */
    Map<String, String> usedAddresses(String network) {
        Map<String, String> used = new TreeMap<>();
        String after = null;
        while (true) {
            String path = "/v1/networks/" + network + "/addresses?used&full&limit=100"
                    + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
            Reply page = get(path);
            if (page.status() != 200) {
                throw new AssertionError("GET " + path + " on " + base + ": " + page);
            }
            for (JsonNode entry : page.body().get("addresses")) {
                String previous = used.put(entry.get("address").asText(),
                        entry.get("clustername").asText() + "/" + entry.get("node").asText());
                if (previous != null) {
                    throw new AssertionError("address " + entry.get("address").asText() + " listed twice");
                }
                if (!"used".equals(entry.path("status").asText())) {
                    throw new AssertionError("?used listed a " + entry.path("status").asText() + " address: " + entry);
                }
            }
            after = page.text("next");
            if (after == null) {
                return used;
            }
        }
    }

    /**
     * Sends one request. A GET that finds its kept-alive connection closed by the server (which
     * closes idle connections; the pool may hold several such) is sent again, up to three times,
     * as HTTP allows for idempotent requests; other methods are not, so that the load's log
     * shows every missing answer.
     */
    Reply send(String method, String path, String json) {
        Reply reply = sendOnce(method, path, json);
        for (int again = 0; again < 3 && reply.status() == -1 && method.equals("GET") && !"interrupted".equals(reply.transport());
                again++) {
            reply = sendOnce(method, path, json);
        }
        return reply;
    }

    /** A client of the same service on connections of its own: none left idle by a load. */
    ServiceClient fresh() {
        return new ServiceClient(base, requestTimeout);
    }

    private Reply sendOnce(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout);
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        }
        long sent = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            long done = System.nanoTime();
            JsonNode body = null;
            try {
                body = response.body().isEmpty() ? null : JSON.readTree(response.body());
            } catch (IOException e) {
                // not JSON: left null, which the checks report
            }
            return new Reply(response.statusCode(), body, response.body(), null, sent, done);
        } catch (IOException e) {
            return new Reply(-1, null, "", e.toString(), sent, System.nanoTime());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(-1, null, "", "interrupted", sent, System.nanoTime());
        }
    }
}
