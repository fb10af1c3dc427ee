package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.Map;
import net.allocator.rest.ApiServer.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The optional bearer token: required on every write when configured, never on reads. */
class AuthTest {
    private static final String TOKEN = "s3cret-token";
    @AutoClose
    private final ApiServer api = new ApiServer(ServerOptions.defaults().withToken(TOKEN));

    private Reply send(String method, String path, String body, String authorization) {
        HttpRequest.Builder request = api.request(path).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : ApiServer.body(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return api.send(request.build());
    }

    @Test
    @DisplayName("every write without a token is a 401 with a Bearer challenge, and changes nothing")
    void missingToken() {
        Map<String, String> before = api.dump();

        for (Reply reply : new Reply[] {
                send("POST", "/v1/networks", ApiServer.SEED_NETWORK, null),
                send("POST", "/v1/networks/admin", "{\"cluster\":\"c\",\"node\":\"n\"}", null),
                send("PUT", "/v1/networks/admin/addresses/10.112.1.101", "{\"status\":\"free\"}", null),
                send("DELETE", "/v1/networks/admin?force", null, null),
                send("POST", "/v1/networks", ApiServer.SEED_NETWORK, "Basic dXNlcjpwYXNz"),
                send("POST", "/v1/networks", ApiServer.SEED_NETWORK, "Bearer")}) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
            assertThat(reply.header("WWW-Authenticate")).startsWith("Bearer");
            assertThat(reply.text("error")).isEqualTo("Unauthorized");
        }
        assertThat(api.dump()).isEqualTo(before);
    }

    @Test
    @DisplayName("a wrong token is a 403 and changes nothing")
    void wrongToken() {
        Map<String, String> before = api.dump();

        for (String wrong : new String[] {"Bearer wrong", "Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1), "Bearer  x"}) {
            Reply reply = send("POST", "/v1/networks", ApiServer.SEED_NETWORK, wrong);
            assertThat(reply.status()).as(wrong).isEqualTo(403);
            assertThat(reply.text("error")).isEqualTo("Forbidden");
            assertThat(reply.text("message")).doesNotContain(TOKEN);
        }
        assertThat(api.dump()).isEqualTo(before);
    }

    @Test
    @DisplayName("the right token lets every write through; the scheme is case-insensitive")
    void rightToken() {
        assertThat(send("POST", "/v1/networks", ApiServer.SEED_NETWORK, "Bearer " + TOKEN).status()).isEqualTo(201);
        assertThat(send("POST", "/v1/networks/admin", "{\"cluster\":\"c\",\"node\":\"n\"}", "bearer " + TOKEN).status()).isEqualTo(200);
        assertThat(send("PUT", "/v1/networks/admin/addresses/10.112.1.101", "{\"status\":\"free\"}", "Bearer " + TOKEN).status())
                .isEqualTo(200);
        assertThat(send("DELETE", "/v1/networks/admin", null, "Bearer " + TOKEN).status()).isEqualTo(200);
    }

    @Test
    @DisplayName("reads and health need no token")
    void readsAreOpen() {
        send("POST", "/v1/networks", ApiServer.SEED_NETWORK, "Bearer " + TOKEN);

        assertThat(api.get("/v1/networks").status()).isEqualTo(200);
        assertThat(api.get("/v1/networks/admin").status()).isEqualTo(200);
        assertThat(api.get("/v1/networks/admin/addresses?full").status()).isEqualTo(200);
        assertThat(api.get("/v1/networks/admin/addresses/10.112.1.101").status()).isEqualTo(200);
        assertThat(api.get("/v1/health").status()).isEqualTo(200);
    }

    @Test
    @DisplayName("the token is checked before the body is read: an oversize body without a token is a 401")
    void tokenBeforeBody() {
        Reply reply = send("POST", "/v1/networks", "{\"name\":\"" + "x".repeat(2 << 20) + "\"}", null);

        assertThat(reply.status()).isEqualTo(401);
    }

    @Test
    @DisplayName("unknown paths and wrong methods are still 404 and 405 without a token")
    void routingFirst() {
        assertThat(send("POST", "/v1/nowhere", "{}", null).status()).isEqualTo(404);
        assertThat(send("PATCH", "/v1/networks", "{}", null).status()).isEqualTo(405);
    }
}
