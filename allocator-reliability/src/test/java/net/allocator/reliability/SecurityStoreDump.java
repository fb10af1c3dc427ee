package net.allocator.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads every key and value a store holds, straight from the store's own HTTP API (etcd's JSON
 * gateway {@code POST /v3/kv/range}, Consul's {@code GET /v1/kv/?recurse}), never through the
 * allocator, so that a test can compare the store before and after what it did.
 */
abstract class SecurityStoreDump {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Every key starting with {@code keyPrefix} (as text: {@code p} also covers {@code p-other}), with its value. */
    abstract SortedMap<String, String> under(String keyPrefix);

    /** Every key in the store, with its value. */
    abstract SortedMap<String, String> everything();

    /** What the store is, for messages. */
    abstract String describe();

    static SecurityStoreDump etcd(String endpoints) {
        return new Etcd(URI.create(endpoints.split(",")[0].strip()));
    }

    static SecurityStoreDump consul(String url) {
        return new Consul(URI.create(url.strip()));
    }

    /** A readable list of what changed from {@code before} to {@code after}, at most {@code max} lines. */
    static String diff(Map<String, String> before, Map<String, String> after, int max) {
        List<String> lines = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String key : keys) {
            String was = before.get(key);
            String now = after.get(key);
            if (Objects.equals(was, now)) {
                continue;
            }
            if (was == null) {
                lines.add("  + " + key + " = " + shorten(now));
            } else if (now == null) {
                lines.add("  - " + key + " (was " + shorten(was) + ")");
            } else {
                lines.add("  ~ " + key + ": " + shorten(was) + " -> " + shorten(now));
            }
        }
        if (lines.size() > max) {
            int more = lines.size() - max;
            lines = new ArrayList<>(lines.subList(0, max));
            lines.add("  … and " + more + " more");
        }
        return String.join("\n", lines);
    }

    /** The keys that differ between two dumps. */
    static TreeSet<String> changedKeys(Map<String, String> before, Map<String, String> after) {
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        keys.removeIf(key -> Objects.equals(before.get(key), after.get(key)));
        return keys;
    }

    private static String shorten(String text) {
        return text.length() > 160 ? text.substring(0, 160) + "…" : text;
    }

    static JsonNode send(HttpRequest request, int... accepted) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            for (int status : accepted) {
                if (response.statusCode() == status) {
                    return response.body().isEmpty() ? null : SecurityServices.JSON.readTree(response.body());
                }
            }
            throw new IllegalStateException(request.method() + " " + request.uri() + " answered " + response.statusCode()
                    + ": " + shorten(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final class Etcd extends SecurityStoreDump {
        private final URI endpoint;

        Etcd(URI endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        SortedMap<String, String> under(String keyPrefix) {
            byte[] start = keyPrefix.getBytes(StandardCharsets.UTF_8);
            return range(start, prefixEnd(start));
        }

        @Override
        SortedMap<String, String> everything() {
            // key "\0" with range_end "\0": every key (etcd's convention)
            return range(new byte[] {0}, new byte[] {0});
        }

        @Override
        String describe() {
            return "etcd " + endpoint;
        }

        private SortedMap<String, String> range(byte[] key, byte[] rangeEnd) {
            String body = SecurityServices.JSON.createObjectNode()
                    .put("key", Base64.getEncoder().encodeToString(key))
                    .put("range_end", Base64.getEncoder().encodeToString(rangeEnd))
                    .toString();
            JsonNode answer = send(HttpRequest.newBuilder(endpoint.resolve("/v3/kv/range")).timeout(Duration.ofSeconds(15))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), 200);
            SortedMap<String, String> out = new TreeMap<>();
            JsonNode kvs = answer == null ? null : answer.get("kvs");
            if (kvs != null) {
                for (JsonNode kv : kvs) {
                    String k = new String(Base64.getDecoder().decode(kv.get("key").asText()), StandardCharsets.UTF_8);
                    String v = kv.hasNonNull("value")
                            ? new String(Base64.getDecoder().decode(kv.get("value").asText()), StandardCharsets.UTF_8) : "";
                    out.put(k, v);
                }
            }
            if (answer != null && answer.path("more").asBoolean(false)) {
                throw new IllegalStateException("etcd answered a partial range; the dump would be incomplete");
            }
            return out;
        }

        private static byte[] prefixEnd(byte[] prefix) {
            byte[] end = prefix.clone();
            for (int i = end.length - 1; i >= 0; i--) {
                if ((end[i] & 0xff) != 0xff) {
                    end[i]++;
                    return java.util.Arrays.copyOf(end, i + 1);
                }
            }
            return new byte[] {0};
        }
    }

    private static final class Consul extends SecurityStoreDump {
        private final URI base;

        Consul(URI base) {
            this.base = base;
        }

        @Override
        SortedMap<String, String> under(String keyPrefix) {
            return read("/v1/kv/" + keyPrefix + "?recurse=true&consistent=");
        }

        @Override
        SortedMap<String, String> everything() {
            return read("/v1/kv/?recurse=true&consistent=");
        }

        @Override
        String describe() {
            return "consul " + base;
        }

        private SortedMap<String, String> read(String path) {
            String root = base.toString().endsWith("/") ? base.toString().substring(0, base.toString().length() - 1) : base.toString();
            JsonNode answer = send(HttpRequest.newBuilder(URI.create(root + path)).timeout(Duration.ofSeconds(15)).GET().build(), 200, 404);
            SortedMap<String, String> out = new TreeMap<>();
            if (answer != null) {
                for (JsonNode entry : answer) {
                    JsonNode value = entry.get("Value");
                    out.put(entry.get("Key").asText(), value == null || value.isNull() ? ""
                            : new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8));
                }
            }
            return out;
        }
    }
}
