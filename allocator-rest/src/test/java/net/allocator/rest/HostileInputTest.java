package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.allocator.rest.ApiServer.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A generated corpus of malformed requests against every endpoint: never a 5xx, never a
 * non-JSON answer, and every rejected request leaves the store as it was.
 */
class HostileInputTest {
    private static final int REQUESTS = 3000;
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    private static final List<String> TYPES = List.of("application/json", "application/x-www-form-urlencoded", "text/plain",
            "application/json; charset=latin1", "", "application/problem+json", "multipart/form-data");
    private static final List<String> NAMES = List.of("admin", "nope", "..", "..%2F..%2Fetc", "a%2Fb", "%00", "%C3%BC", "%FF",
            "x".repeat(70), "admin%20", "_", "-x", "admin.", "%2E", "a%0Ab");
    private static final List<String> ADDRESSES = List.of("10.112.1.101", "10.112.1.102", "10.112.1.104", "999.1.1.1",
            "10.112.1", "::1", "fe80::1%25eth0", "10.112.1.101%2F24", "", "0x0a700165", "10.112.01.101", "%2E%2E",
            "2001:db8::1", "1.2.3.4.5", "10.113.0.1");
    private static final List<String> VALUES = List.of("\"c\"", "\"\"", "\"_\"", "null", "true", "1e999", "-1", "123456789012345678901234567890",
            "[]", "{}", "[\"a\"]", "\"\\u0000\"", "\"\\ud800\"", "\"" + "y".repeat(300) + "\"", "\"used\"", "\"free\"", "\"USED\"",
            "\"10.112.1.101\"", "\"../../etc\"", "\"a/b\"", "{\"$ne\": 1}");
    private static final List<String> FIELDS = List.of("cluster", "node", "status", "name", "network", "netmask", "gateway",
            "addresses", "description", "bridge", "__proto__", "");

    @AutoClose
    private final ApiServer api = new ApiServer(ServerOptions.defaults().withMaxBodyBytes(16 * 1024));

    @BeforeEach
    void start() {
        api.registerSeedNetwork();
        api.allocate("admin", "c", "holder");
    }

    @Test
    @DisplayName("3,000 malformed requests: no 5xx, always JSON, nothing changed by any rejected one, the service still up")
    void corpus() {
        Random random = new Random(20240607L);
        int rejected = 0;
        for (int i = 0; i < REQUESTS; i++) {
            String method = pick(random, METHODS);
            String path = path(random);
            String type = pick(random, TYPES);
            byte[] body = body(random);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.base + path)).method(method,
                    body.length == 0 && random.nextBoolean() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            if (!type.isEmpty()) {
                request.header("Content-Type", type);
            }
            Map<String, String> before = api.dump();

            Reply reply = api.send(request.build());

            String described = method + " " + path + " [" + type + "] " + new String(body, StandardCharsets.UTF_8);
            assertThat(reply.status()).as(described + " -> " + reply).isBetween(200, 499);
            assertThat(reply.json).as(described).isNotNull();
            if (reply.status() >= 400) {
                rejected++;
                assertThat(reply.json.get("status").asInt()).isEqualTo(reply.status());
                assertThat(reply.text("message")).as(described).doesNotContain("Exception", "\tat ");
                assertThat(api.dump()).as("store after rejected " + described).isEqualTo(before);
            }
        }
        assertThat(rejected).isGreaterThan(REQUESTS / 2);
        assertThat(api.get("/v1/health").status()).isEqualTo(200);
        assertThat(api.get("/v1/networks").status()).isEqualTo(200);
    }

    private static String path(Random random) {
        String name = pick(random, NAMES);
        String address = pick(random, ADDRESSES);
        String path = switch (random.nextInt(6)) {
            case 0 -> "/v1/networks";
            case 1 -> "/v1/networks/" + name;
            case 2 -> "/v1/networks/" + name + "/addresses";
            case 3 -> "/v1/networks/" + name + "/addresses/" + address;
            case 4 -> "/v1/health";
            default -> "/v1/" + name + "/" + address;
        };
        return switch (random.nextInt(5)) {
            case 0 -> path + "?free&used&full&limit=" + (random.nextInt(200_000) - 50_000);
            case 1 -> path + "?after=" + address + "&force=" + pick(random, List.of("", "1", "maybe", "%00"));
            default -> path;
        };
    }

    private static byte[] body(Random random) {
        switch (random.nextInt(7)) {
            case 0:
                return new byte[0];
            case 1: {
                byte[] junk = new byte[random.nextInt(64)];
                random.nextBytes(junk);
                return junk;
            }
            case 2:
                return ("{".repeat(random.nextInt(3000))).getBytes(StandardCharsets.UTF_8);
            case 3:
                return (pick(random, FIELDS) + "=" + pick(random, List.of("c", "%00", "%ZZ", "_", "used", "free", "%C3"))
                        + "&" + pick(random, FIELDS) + "=x").getBytes(StandardCharsets.UTF_8);
            case 4:
                return ("{\"cluster\":\"c\",\"node\":\"n\"}" + " ".repeat(20 * 1024)).getBytes(StandardCharsets.UTF_8);
            default: {
                StringBuilder json = new StringBuilder("{");
                int fields = random.nextInt(4);
                for (int i = 0; i < fields; i++) {
                    json.append(i == 0 ? "" : ",").append('"').append(pick(random, FIELDS)).append("\":").append(pick(random, VALUES));
                }
                String text = json.append('}').toString();
                if (random.nextInt(4) == 0) {
                    text = text.substring(0, random.nextInt(text.length()));
                }
                return text.getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    private static <T> T pick(Random random, List<T> options) {
        return options.get(random.nextInt(options.size()));
    }
}
