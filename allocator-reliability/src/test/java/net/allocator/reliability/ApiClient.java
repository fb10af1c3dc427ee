package net.allocator.reliability;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client for the tests' own requests to a service, with or without its bearer token, that
 * returns every answer whole (status, headers, body, and the body as JSON when it is JSON) for
 * the security and hostile-input tests to inspect. Unlike the load's {@link ServiceClient}, it
 * fails the test when a set-up request (register, allocate) is refused.
 */
final class ApiClient {
    /** Matches text that only a stack trace or an exception's class name would put in an answer. */
    private static final Pattern STACK_TRACE = Pattern.compile(
            "(\\tat |\\n\\s*at [\\w$.]+\\(|Caused by:|\\.java:\\d+\\)|\\b(java|javax|sun|jdk|com|org|net|io)\\.[\\w$.]*(Exception|Error)\\b"
                    + "|Exception in thread|\\w+Exception:)");

    /** Whether the text holds anything that looks like a stack trace or an exception class name. */
    static Optional<String> stackTraceIn(String text) {
        Matcher matcher = STACK_TRACE.matcher(text);
        return matcher.find() ? Optional.of(matcher.group()) : Optional.empty();
    }

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final URI base;
    private final Optional<String> token;

    ApiClient(URI base, Optional<String> token) {
        this.base = base;
        this.token = token;
    }

    /** An answer: status, headers, body text and the body as JSON when it is JSON. */
    record Reply(int status, Map<String, List<String>> headers, String body, JsonNode json) {
        Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        String text(String field) {
            return json == null || json.get(field) == null || json.get(field).isNull() ? null : json.get(field).asText();
        }

        @Override
        public String toString() {
            return status + " " + (body.length() > 500 ? body.substring(0, 500) + "…" : body);
        }
    }

    Reply send(String method, String path, String contentType, String body) {
        return send(method, path, contentType, body, token.map(t -> "Bearer " + t).orElse(null));
    }

    Reply send(String method, String path, String contentType, String body, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request.build());
    }

    Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode json = null;
            try {
                json = response.body().isEmpty() ? null : ServiceClient.JSON.readTree(response.body());
            } catch (IOException notJson) {
                // left null: the caller asserts what it expects
            }
            return new Reply(response.statusCode(), response.headers().map(), response.body(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Reply get(String path) {
        return send("GET", path, null, null);
    }

    Reply postJson(String path, String json) {
        return send("POST", path, "application/json", json);
    }

    Reply putJson(String path, String json) {
        return send("PUT", path, "application/json", json);
    }

    Reply delete(String path) {
        return send("DELETE", path, null, null);
    }

    /** Registers a network and fails the test unless it is created. */
    void register(String json) {
        Reply reply = postJson("/v1/networks", json);
        if (reply.status() != 201) {
            fail("registering " + json + " answered " + reply);
        }
    }

    /** Allocates for (cluster, node) and returns the address; fails the test on anything but 200. */
    String allocate(String network, String cluster, String node) {
        com.fasterxml.jackson.databind.node.ObjectNode body = ServiceClient.JSON.createObjectNode().put("cluster", cluster).put("node", node);
        Reply reply = postJson("/v1/networks/" + network, body.toString());
        if (reply.status() != 200 || reply.text("address") == null) {
            fail("allocating in " + network + " for " + body + " answered " + reply);
        }
        return reply.text("address");
    }
}
