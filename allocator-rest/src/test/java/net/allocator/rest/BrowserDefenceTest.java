package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.allocator.rest.ApiServer.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Without a token, a web page must not be able to change anything through an operator's browser. */
class BrowserDefenceTest {
    @AutoClose
    private final ApiServer api = new ApiServer();

    @BeforeEach
    void start() {
        assertThat(api.postJson("/v1/networks", ApiServer.SEED_NETWORK).status()).isEqualTo(201);
    }

    private Reply allocateWith(String header, String value) {
        return api.send(api.request("/v1/networks/admin").header("Content-Type", "application/x-www-form-urlencoded")
                .header(header, value).POST(ApiServer.body("cluster=evil&node=csrf")).build());
    }

    @Test
    @DisplayName("a write from a page of another site is a 403 and changes nothing")
    void crossSiteWrites() {
        Map<String, String> before = api.dump();
        for (Reply reply : new Reply[] {
                allocateWith("Origin", "http://evil.example"),
                allocateWith("Origin", "null"),
                allocateWith("Sec-Fetch-Site", "cross-site"),
                allocateWith("Sec-Fetch-Site", "same-site")}) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(403);
            assertThat(reply.text("error")).isEqualTo("Forbidden");
        }
        assertThat(api.dump()).isEqualTo(before);
    }

    @Test
    @DisplayName("a page served by the service's own origin, and clients without Origin, may write")
    void sameOriginWrites() {
        String self = api.base.getHost() + ":" + api.base.getPort();
        assertThat(allocateWith("Origin", "http://" + self).status()).isEqualTo(200);
        assertThat(allocateWith("Sec-Fetch-Site", "same-origin").status()).isEqualTo(200);
        assertThat(api.postForm("/v1/networks/admin", "cluster=c&node=n2").status()).isEqualTo(200);
    }

    @Test
    @DisplayName("bound to loopback, requests for another host name (DNS rebinding) are a 403, reads included")
    void foreignHost() {
        Map<String, String> before = api.dump();
        byte[] body = "cluster=evil&node=rebind".getBytes(StandardCharsets.UTF_8);
        Reply write = api.raw("POST /v1/networks/admin HTTP/1.1\r\nHost: evil.example:" + api.base.getPort()
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n",
                body, true);
        assertThat(write.status()).isEqualTo(403);
        Reply read = api.raw("GET /v1/networks/admin/addresses?full HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
                new byte[0], true);
        assertThat(read.status()).isEqualTo(403);
        assertThat(api.dump()).isEqualTo(before);
        for (String host : new String[] {"localhost", "localhost:5000", "127.0.0.1:1234", "[::1]:80", "LOCALHOST"}) {
            Reply ok = api.raw("GET /v1/networks HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n", new byte[0], true);
            assertThat(ok.status()).as(host).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("a slow client's unfinished request does not hold a worker for ever: the JDK server's limits are set")
    void requestTimeLimits() {
        assertThat(System.getProperty("sun.net.httpserver.maxReqTime")).isNotNull();
        assertThat(System.getProperty("sun.net.httpserver.maxRspTime")).isNotNull();
        assertThat(System.getProperty("sun.net.httpserver.nodelay")).isEqualTo("true");
    }
}
