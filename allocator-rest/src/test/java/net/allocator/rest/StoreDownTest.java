package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import net.allocator.rest.ApiServer.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** An unreachable store: 503 with a JSON body on every route that needs it, and recovery without a restart. */
class StoreDownTest {
    @AutoClose
    private final ApiServer api = new ApiServer();

    @BeforeEach
    void start() {
        api.registerSeedNetwork();
        api.allocate("admin", "c", "a");
    }

    private static void assertUnavailable(Reply reply) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(503);
        assertThat(reply.json.get("status").asInt()).isEqualTo(503);
        assertThat(reply.text("error")).isEqualTo("Service Unavailable");
        assertThat(reply.text("message")).isNotBlank().doesNotContain("Exception", "\tat ");
        assertThat(reply.header("Retry-After")).isEqualTo("1");
    }

    @Test
    @DisplayName("health says down with 503 while the store is down, and up again after")
    void health() {
        api.store.down(true);
        Reply down = api.get("/v1/health");
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.text("status")).isEqualTo("down");
        assertThat(down.text("store")).isEqualTo("inmemory");
        assertThat(down.text("message")).isNotBlank();

        api.store.down(false);
        assertThat(api.get("/v1/health").text("status")).isEqualTo("up");
    }

    @Test
    @DisplayName("every route that touches the store answers 503 with a JSON body")
    void everyRoute() {
        api.store.down(true);

        assertUnavailable(api.get("/v1/networks"));
        assertUnavailable(api.postJson("/v1/networks", ApiServer.SEED_NETWORK.replace("admin", "other")));
        assertUnavailable(api.get("/v1/networks/admin"));
        assertUnavailable(api.allocate("admin", "c", "b"));
        assertUnavailable(api.allocate("admin", "c", "a"));
        assertUnavailable(api.get("/v1/networks/admin/addresses?full"));
        assertUnavailable(api.get("/v1/networks/admin/addresses/10.112.1.101"));
        assertUnavailable(api.putForm("/v1/networks/admin/addresses/10.112.1.101", "status=free"));
        assertUnavailable(api.delete("/v1/networks/admin?force"));
    }

    @Test
    @DisplayName("bad input is still a 400 while the store is down: it is rejected before the store is asked")
    void badInputFirst() {
        api.store.down(true);

        assertThat(api.allocate("admin", "", "n").status()).isEqualTo(400);
        assertThat(api.postJson("/v1/networks/admin", "{").status()).isEqualTo(400);
    }

    @Test
    @DisplayName("after the store returns, allocation resumes with no address lost or handed out twice")
    void recovers() {
        api.store.down(true);
        assertUnavailable(api.allocate("admin", "c", "b"));
        api.store.down(false);

        assertThat(api.allocate("admin", "c", "a").text("address")).isEqualTo("10.112.1.101");
        assertThat(api.allocate("admin", "c", "b").text("address")).isEqualTo("10.112.1.102");
    }

    @Test
    @DisplayName("a commit whose answer is lost is resolved by the core: the retry gets the same address")
    void lostAnswer() {
        api.store.loseNextCommitAnswers(1);
        Reply first = api.allocate("admin", "c", "b");
        Reply retry = api.allocate("admin", "c", "b");

        assertThat(retry.status()).isEqualTo(200);
        if (first.status() == 200) {
            assertThat(retry.text("address")).isEqualTo(first.text("address"));
        } else {
            assertUnavailable(first);
        }
        assertThat(api.get("/v1/networks/admin/addresses?used").json.get("addresses")).hasSize(2);
    }
}
