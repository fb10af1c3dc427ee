package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.stream.Stream;
import net.allocator.rest.ApiServer.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every error code, each as a JSON body {status, error, message} without internals, and each
 * leaving the store exactly as it was.
 */
class ErrorsTest {
    @AutoClose
    private final ApiServer api = new ApiServer(ServerOptions.defaults().withMaxBodyBytes(64 * 1024));
    private Map<String, String> before;

    @BeforeEach
    void start() {
        assertThat(api.registerSeedNetwork().status()).isEqualTo(201);
        assertThat(api.allocate("admin", "c", "holder").text("address")).isEqualTo("10.112.1.101");
        before = api.dump();
    }

    /** Asserts the error shape, that nothing leaked and that the store did not change. */
    private Reply assertRejected(Reply reply, int status) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(reply.json.get("status").asInt()).isEqualTo(status);
        assertThat(reply.text("error")).isEqualTo(Response.reasonPhrase(status));
        assertThat(reply.text("message")).isNotBlank().doesNotContain("Exception", "\tat ", "net.allocator", "com.fasterxml");
        assertThat(api.dump()).as("the store after a rejected request").isEqualTo(before);
        return reply;
    }

    private Reply post(String path, String contentType, String body) {
        return api.send(api.request(path).header("Content-Type", contentType).POST(ApiServer.body(body)).build());
    }

    @Nested
    @DisplayName("400")
    class BadRequest {

        @ParameterizedTest(name = "[{index}]")
        @ValueSource(strings = {"{", "{\"cluster\": }", "{\"cluster\": \"c\", \"node\": \"n\"} trailing", "[1, 2]", "\"text\"",
                "null", "", "   ", "{\"cluster\": \"c\", \"cluster\": \"d\", \"node\": \"n\"}", "{'cluster': 'c'}",
                "{\"cluster\": \"c\", \"node\": \"n\"", "\u0000\u0001"})
        @DisplayName("malformed JSON")
        void malformedJson(String body) {
            Reply reply = assertRejected(post("/v1/networks/admin", "application/json", body), 400);

            assertThat(reply.text("message")).containsAnyOf("JSON", "empty", "must be a JSON object");
        }

        @Test
        @DisplayName("JSON nested past the parser's limit")
        void deepJson() {
            assertRejected(post("/v1/networks/admin", "application/json", "[".repeat(5000) + "]".repeat(5000)), 400);
        }

        @Test
        @DisplayName("a body that is not UTF-8")
        void notUtf8() {
            Reply reply = api.send(api.request("/v1/networks/admin").header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'n', 'o', 'd', 'e', '=', (byte) 0xC3, (byte) 0x28}))
                    .build());
            assertRejected(reply, 400);
        }

        static Stream<Arguments> wrongTypes() {
            return Stream.of(
                    Arguments.of("/v1/networks/admin", "{\"cluster\": 5, \"node\": \"n\"}", "cluster must be a string"),
                    Arguments.of("/v1/networks/admin", "{\"cluster\": \"c\", \"node\": true}", "node must be a string"),
                    Arguments.of("/v1/networks/admin", "{\"cluster\": [\"c\"], \"node\": \"n\"}", "cluster must be a string"),
                    Arguments.of("/v1/networks/admin", "{\"cluster\": {}, \"node\": \"n\"}", "cluster must be a string"),
                    Arguments.of("/v1/networks", "{\"name\": 7, \"network\": \"10.0.0.0\", \"netmask\": \"24\", \"addresses\": [\"10.0.0.5\"]}",
                            "name must be a string"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": \"10.0.0.0\", \"netmask\": true, \"addresses\": [\"10.0.0.5\"]}",
                            "netmask must be a string or a whole number"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": \"10.0.0.0\", \"netmask\": 1e400, \"addresses\": [\"10.0.0.5\"]}",
                            "netmask must be a string or a whole number"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": \"10.0.0.0\", \"netmask\": 99999999999999999999999, \"addresses\": [\"10.0.0.5\"]}",
                            "netmask must be a string or a whole number"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": \"10.0.0.0\", \"netmask\": \"24\", \"addresses\": 5}",
                            "addresses must be an array of strings"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": \"10.0.0.0\", \"netmask\": \"24\", \"addresses\": [5]}",
                            "addresses must be an array of strings"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": [\"10.0.0.0\"], \"netmask\": \"24\", \"addresses\": [\"10.0.0.5\"]}",
                            "network must be a string"));
        }

        @ParameterizedTest(name = "{2}")
        @MethodSource("wrongTypes")
        @DisplayName("wrong-typed fields")
        void wrongTypes(String path, String body, String message) {
            Reply reply = assertRejected(api.postJson(path, body), 400);

            assertThat(reply.text("message")).contains(message);
        }

        static Stream<Arguments> missingOrInvalid() {
            return Stream.of(
                    Arguments.of("/v1/networks/admin", "{\"cluster\": \"c\"}", "node is missing"),
                    Arguments.of("/v1/networks/admin", "{\"node\": \"n\"}", "cluster is missing"),
                    Arguments.of("/v1/networks/admin", "{}", "is missing"),
                    Arguments.of("/v1/networks/admin", "{\"cluster\": \"\", \"node\": \"n\"}", "cluster is missing"),
                    Arguments.of("/v1/networks/admin", "{\"cluster\": \"_\", \"node\": \"_\"}", "any owner"),
                    Arguments.of("/v1/networks/admin", "{\"cluster\": \"c\\u0000\", \"node\": \"n\"}", "control characters"),
                    Arguments.of("/v1/networks/admin", "{\"cluster\": \"" + "c".repeat(300) + "\", \"node\": \"n\"}", "longer than"),
                    Arguments.of("/v1/networks", "{\"network\": \"10.0.0.0\", \"netmask\": \"24\", \"addresses\": [\"10.0.0.5\"]}",
                            "name is missing"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"netmask\": \"24\", \"addresses\": [\"10.0.0.5\"]}", "network is missing"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": \"10.0.0.0\", \"netmask\": \"24\"}", "addresses is empty"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": \"10.0.0.300\", \"netmask\": \"24\", \"addresses\": [\"10.0.0.5\"]}",
                            "not an IP address"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": \"example.com\", \"netmask\": \"24\", \"addresses\": [\"10.0.0.5\"]}",
                            "not an IP address"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": \"10.0.0.0\", \"netmask\": \"24\", \"addresses\": [\"10.9.0.5\"]}",
                            "outside the network"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": \"10.0.0.0\", \"netmask\": \"24\", \"gateway\": \"10.1.0.1\", \"addresses\": [\"10.0.0.5\"]}",
                            "outside the network"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": \"10.0.0.0\", \"netmask\": \"33\", \"addresses\": [\"10.0.0.5\"]}",
                            "netmask"),
                    Arguments.of("/v1/networks", "{\"name\": \"../etc\", \"network\": \"10.0.0.0\", \"netmask\": \"24\", \"addresses\": [\"10.0.0.5\"]}",
                            "network name"),
                    Arguments.of("/v1/networks", "{\"name\": \"a/b\", \"network\": \"10.0.0.0\", \"netmask\": \"24\", \"addresses\": [\"10.0.0.5\"]}",
                            "network name"),
                    Arguments.of("/v1/networks", "{\"name\": \"" + "n".repeat(65) + "\", \"network\": \"10.0.0.0\", \"netmask\": \"24\", \"addresses\": [\"10.0.0.5\"]}",
                            "network name"),
                    Arguments.of("/v1/networks", "{\"name\": \"x\", \"network\": \"fe80::%eth0\", \"netmask\": \"64\", \"addresses\": [\"fe80::5\"]}",
                            "not an IP address"));
        }

        @ParameterizedTest(name = "{2}")
        @MethodSource("missingOrInvalid")
        @DisplayName("missing or invalid fields")
        void missingOrInvalid(String path, String body, String message) {
            Reply reply = assertRejected(api.postJson(path, body), 400);

            assertThat(reply.text("message")).contains(message);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"/v1/networks/admin/addresses/not-an-ip", "/v1/networks/admin/addresses/10.112.1.300",
                "/v1/networks/admin/addresses/fe80::1%25eth0", "/v1/networks/admin/addresses/10.112.1",
                "/v1/networks/admin/addresses/10.113.0.5", "/v1/networks/admin/addresses/2001:db8::5",
                "/v1/networks/admin/addresses/%2E%2E%2F%2E%2E%2Fetc"})
        @DisplayName("invalid addresses, or addresses outside the network, in the path of GET")
        void invalidAddressInPath(String path) {
            assertRejected(api.get(path), 400);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"not-an-ip", "10.112.1.300", "10.113.0.5", "..%2F..%2Fetc", "fe80::1%25eth0"})
        @DisplayName("invalid addresses, or addresses outside the network, in the path of PUT")
        void invalidAddressInPut(String address) {
            assertRejected(api.putJson("/v1/networks/admin/addresses/" + address, "{\"cluster\":\"c\",\"node\":\"x\",\"status\":\"used\"}"), 400);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"..%2F..%2Fetc", "%2E%2E", "a%2Fb", "a%20b", "-leading-dash", "%C3%BC", "%00", "a%25"})
        @DisplayName("bad network names in the path, including ../ escapes")
        void badNames(String name) {
            assertRejected(api.get("/v1/networks/" + name), 400);
            assertRejected(api.allocate(name, "c", "n"), 400);
            assertRejected(api.delete("/v1/networks/" + name + "?force"), 400);
            assertRejected(api.get("/v1/networks/" + name + "/addresses"), 400);
            assertRejected(api.putForm("/v1/networks/" + name + "/addresses/10.112.1.102", "status=free"), 400);
        }

        @Test
        @DisplayName("a raw .. segment is a bad name, not a way to another route")
        void rawDotDot() {
            Reply reply = api.send(HttpRequest.newBuilder(URI.create(api.base + "/v1/networks/..")).GET().build());

            assertRejected(reply, 400);
        }

        @Test
        @DisplayName("percent-escapes that are not UTF-8")
        void escapesNotUtf8() {
            Reply reply = assertRejected(api.get("/v1/networks/ad%C3%28min"), 400);

            assertThat(reply.text("message")).contains("not valid UTF-8");
        }

        @Test
        @DisplayName("a malformed percent-escape is refused by the JDK's request parser before routing (400, not JSON)")
        void malformedEscape() {
            Reply reply = api.raw("GET /v1/networks/ad%zzmin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", new byte[0], false);

            assertThat(reply.status()).isEqualTo(400);
            assertThat(api.dump()).isEqualTo(before);
        }

        @Test
        @DisplayName("a body cut short of its Content-Length")
        void truncatedBody() {
            Reply reply = api.raw("POST /v1/networks/admin HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\nConnection: close\r\n\r\n", "{\"cluster\":\"c\",\"node\":\"cut\"}".getBytes(), true);

            assertRejected(reply, 400);
            assertThat(api.get("/v1/health").status()).isEqualTo(200);
        }

        @Test
        @DisplayName("a Content-Length with a sign, which the JDK's server frames as a number, on a request whose body is otherwise fine")
        void signedContentLength() {
            Reply reply = api.raw(postWithLength("+28"), BODY.getBytes(), true);

            assertRejected(reply, 400);
            assertThat(reply.text("message")).contains("Content-Length");
            assertThat(reply.header("Connection")).isEqualTo("close");
        }

        @ParameterizedTest(name = "Content-Length: {0}")
        @ValueSource(strings = {"-0", "+0"})
        @DisplayName("a signed zero Content-Length before a body is refused; the stray body may cost the answer a reset, never a write")
        void signedZeroContentLength(String length) {
            try {
                Reply reply = api.raw(postWithLength(length), BODY.getBytes(), true);
                assertRejected(reply, 400);
            } catch (java.io.UncheckedIOException reset) {
                // the server closed with the unframed body unread: TCP may reset before the 400 arrives
                assertThat(reset).hasRootCauseInstanceOf(java.net.SocketException.class);
            }
            assertThat(api.dump()).isEqualTo(before);
        }

        @ParameterizedTest(name = "Content-Length: {0}")
        @ValueSource(strings = {"0x1c", "28 28", "1234567890123456789012"})
        @DisplayName("a Content-Length that is no number at all is refused by the JDK's request parser before routing (400, not JSON)")
        void nonNumericContentLength(String length) {
            Reply reply = api.raw(postWithLength(length), BODY.getBytes(), false);

            assertThat(reply.status()).isEqualTo(400);
            assertThat(api.dump()).isEqualTo(before);
        }

        private static final String BODY = "{\"cluster\":\"c\",\"node\":\"len\"}";

        private static String postWithLength(String length) {
            return "POST /v1/networks/admin HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + length + "\r\nConnection: close\r\n\r\n";
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"{\"cluster\":\"c\",\"node\":\"x\"}", "{\"cluster\":\"c\",\"node\":\"x\",\"status\":\"taken\"}",
                "{\"cluster\":\"c\",\"node\":\"x\",\"status\":5}", "{\"cluster\":\"c\",\"status\":\"free\"}",
                "{\"cluster\":\"_\",\"node\":\"x\",\"status\":\"free\"}", "{\"cluster\":\"_\",\"node\":\"_\",\"status\":\"used\"}",
                "{\"node\":\"x\",\"status\":\"used\"}"})
        @DisplayName("PUT with a missing or wrong status or owner")
        void badPut(String body) {
            assertRejected(api.putJson("/v1/networks/admin/addresses/10.112.1.102", body), 400);
        }

        @Test
        @DisplayName("a form field given twice")
        void formFieldTwice() {
            assertRejected(api.putForm("/v1/networks/admin/addresses/10.112.1.102", "status=used&status=free&cluster=c&node=n"), 400);
        }

        @Test
        @DisplayName("a query flag with a value that is not a boolean")
        void badFlag() {
            assertRejected(api.get("/v1/networks/admin/addresses?free=maybe"), 400);
            assertRejected(api.delete("/v1/networks/admin?force=perhaps"), 400);
        }
    }

    @Nested
    @DisplayName("404")
    class NotFound {

        @Test
        @DisplayName("an unknown network, for every route that names one")
        void unknownNetwork() {
            assertRejected(api.get("/v1/networks/nope"), 404);
            assertRejected(api.allocate("nope", "c", "n"), 404);
            assertRejected(api.delete("/v1/networks/nope"), 404);
            assertRejected(api.get("/v1/networks/nope/addresses"), 404);
            assertRejected(api.get("/v1/networks/nope/addresses/10.0.0.1"), 404);
            assertRejected(api.putForm("/v1/networks/nope/addresses/10.0.0.1", "status=free"), 404);
            Reply reply = api.get("/v1/networks/nope");
            assertThat(reply.text("message")).isEqualTo("network 'nope' is not registered");
        }

        @Test
        @DisplayName("an unknown network is a 404 before a malformed address or after is a 400, as it always was")
        void unknownNetworkBeforeMalformedAddress() {
            assertThat(assertRejected(api.get("/v1/networks/nope/addresses/not-an-address"), 404).text("message"))
                    .isEqualTo("network 'nope' is not registered");
            assertThat(assertRejected(api.get("/v1/networks/nope/addresses?after=not-an-address"), 404).text("message"))
                    .isEqualTo("network 'nope' is not registered");
            assertRejected(api.get("/v1/networks/admin/addresses/not-an-address"), 400);
            assertRejected(api.get("/v1/networks/admin/addresses?after=not-an-address"), 400);
        }

        @Test
        @DisplayName("an address inside the network but outside its pool")
        void addressNotInPool() {
            assertRejected(api.get("/v1/networks/admin/addresses/10.112.1.104"), 404);
            assertRejected(api.putJson("/v1/networks/admin/addresses/10.112.1.104", "{\"cluster\":\"c\",\"node\":\"x\",\"status\":\"used\"}"), 404);
            assertRejected(api.putForm("/v1/networks/admin/addresses/10.112.0.1", "status=free"), 404);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"/", "/v1", "/v2/networks", "/v1/network", "/v1/networks/admin/addresses/10.112.1.101/extra",
                "/v1//networks", "/v1/networks/admin/address", "/V1/networks"})
        @DisplayName("an unknown path")
        void unknownPath(String path) {
            assertRejected(api.get(path), 404);
        }
    }

    @Nested
    @DisplayName("405")
    class MethodNotAllowed {

        @Test
        @DisplayName("a wrong method, with an Allow header listing the right ones")
        void wrongMethod() {
            Reply patch = assertRejected(api.send(api.request("/v1/networks").method("PATCH", ApiServer.body("{}")).build()), 405);
            assertThat(patch.header("Allow")).isEqualTo("GET, POST");

            Reply put = assertRejected(api.putJson("/v1/networks/admin", "{}"), 405);
            assertThat(put.header("Allow")).isEqualTo("DELETE, GET, PATCH, POST");

            Reply delete = assertRejected(api.delete("/v1/networks/admin/addresses/10.112.1.101"), 405);
            assertThat(delete.header("Allow")).isEqualTo("GET, PUT");

            Reply post = assertRejected(api.postJson("/v1/networks/admin/addresses", "{}"), 405);
            assertThat(post.header("Allow")).isEqualTo("GET");

            assertRejected(api.postJson("/v1/health", "{}"), 405);
        }
    }

    @Nested
    @DisplayName("409")
    class Conflict {

        @Test
        @DisplayName("claiming an address another owner holds, releasing it as another owner, deleting a used network")
        void conflicts() {
            assertRejected(api.putJson("/v1/networks/admin/addresses/10.112.1.101", "{\"cluster\":\"c\",\"node\":\"x\",\"status\":\"used\"}"), 409);
            assertRejected(api.putJson("/v1/networks/admin/addresses/10.112.1.101", "{\"cluster\":\"c\",\"node\":\"x\",\"status\":\"free\"}"), 409);
            assertRejected(api.delete("/v1/networks/admin"), 409);
            assertRejected(api.registerSeedNetwork(), 409);
        }
    }

    @Nested
    @DisplayName("413")
    class TooLarge {

        @Test
        @DisplayName("a body over the limit with a Content-Length")
        void declaredLength() {
            String padding = " ".repeat(64 * 1024);
            Reply reply = assertRejected(api.postJson("/v1/networks/admin", "{\"cluster\":\"c\",\"node\":\"big\"}" + padding), 413);

            assertThat(reply.text("message")).contains("65536");
        }

        @Test
        @DisplayName("a chunked body over the limit, without a Content-Length")
        void chunked() {
            byte[] body = ("{\"cluster\":\"c\",\"node\":\"big\"}" + " ".repeat(200 * 1024)).getBytes();
            Reply reply = api.send(api.request("/v1/networks/admin").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());

            assertRejected(reply, 413);
        }

        @Test
        @DisplayName("a body of exactly the limit is accepted")
        void atLimit() {
            String json = "{\"cluster\":\"c\",\"node\":\"exact\"}";
            Reply reply = api.postJson("/v1/networks/admin", json + " ".repeat(64 * 1024 - json.length()));

            assertThat(reply.status()).isEqualTo(200);
        }

        @Test
        @DisplayName("a 2 MiB body against the default 1 MiB limit")
        void defaultLimit() {
            try (ApiServer defaults = new ApiServer()) {
                Reply reply = defaults.postJson("/v1/networks", "{\"name\":\"x\",\"description\":\"" + "d".repeat(2 << 20) + "\"}");

                assertThat(reply.status()).isEqualTo(413);
                assertThat(reply.text("message")).contains("1048576");
                assertThat(defaults.dump()).isEmpty();
            }
        }
    }

    @Nested
    @DisplayName("415")
    class UnsupportedMediaType {

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"text/plain", "application/xml", "multipart/form-data; boundary=x", "application/jsonx"})
        @DisplayName("a body of another type")
        void otherTypes(String type) {
            Reply reply = assertRejected(post("/v1/networks/admin", type, "{\"cluster\":\"c\",\"node\":\"n\"}"), 415);

            assertThat(reply.text("message")).contains("application/json");
        }
    }

    @Test
    @DisplayName("none of the rejected requests above reached the store: a final check of the whole state")
    void stateUnchanged() {
        assertRejected(api.allocate("admin", "_", "_"), 400);
        assertThat(api.get("/v1/networks/admin/addresses?used&full").json.get("number").asInt()).isEqualTo(1);
    }
}
