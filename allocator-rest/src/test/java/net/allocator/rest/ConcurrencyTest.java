package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import net.allocator.core.ConcurrentHarness;
import net.allocator.rest.ApiServer.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Many HTTP clients at once: every answer is checked, no address is ever handed out twice. */
class ConcurrencyTest {
    private static final int CLIENTS = 32;
    @AutoClose
    private final ApiServer api = new ApiServer();

    @Test
    @DisplayName("32 clients allocating at once each get a distinct address, and the store holds exactly those")
    void distinct() throws Exception {
        api.register("lan", "10.0.0.0", "24", "10.0.0.1", "10.0.0.0/24");
        Map<Integer, String> addresses = new ConcurrentHashMap<>();

        List<Throwable> failures = ConcurrentHarness.run(CLIENTS, i -> {
            for (int round = 0; round < 3; round++) {
                Reply reply = api.allocate("lan", "cluster", "node" + i);
                assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
                String previous = addresses.putIfAbsent(i, reply.text("address"));
                assertThat(previous == null || previous.equals(reply.text("address"))).as("idempotent per owner").isTrue();
            }
        });

        assertThat(failures).isEmpty();
        assertThat(Set.copyOf(addresses.values())).hasSize(CLIENTS);
        Reply used = api.get("/v1/networks/lan/addresses?used&full");
        assertThat(used.json.get("number").asInt()).isEqualTo(CLIENTS);
        used.json.get("addresses").forEach(entry ->
                assertThat(addresses.get(Integer.parseInt(entry.get("node").asText().substring(4)))).isEqualTo(entry.get("address").asText()));
    }

    @Test
    @DisplayName("32 clients racing for a pool of 10: exactly 10 win distinct addresses, the rest get 409")
    void exhaustion() throws Exception {
        api.register("small", "10.0.0.0", "24", null, "10.0.0.10-10.0.0.19");
        List<String> won = new CopyOnWriteArrayList<>();
        AtomicInteger conflicts = new AtomicInteger();

        List<Throwable> failures = ConcurrentHarness.run(CLIENTS, i -> {
            Reply reply = api.allocate("small", "c", "n" + i);
            if (reply.status() == 200) {
                won.add(reply.text("address"));
            } else {
                assertThat(reply.status()).as(reply.toString()).isEqualTo(409);
                conflicts.incrementAndGet();
            }
        });

        assertThat(failures).isEmpty();
        assertThat(won).hasSize(10).doesNotHaveDuplicates();
        assertThat(conflicts).hasValue(CLIENTS - 10);
    }

    @Test
    @DisplayName("16 clients allocating for the same owner all get the one same address")
    void sameOwner() throws Exception {
        api.registerSeedNetwork();
        Set<String> seen = ConcurrentHashMap.newKeySet();

        List<Throwable> failures = ConcurrentHarness.run(16, i -> seen.add(api.allocate("admin", "c", "same").text("address")));

        assertThat(failures).isEmpty();
        assertThat(seen).hasSize(1);
        assertThat(api.get("/v1/networks/admin/addresses?used").json.get("addresses")).hasSize(1);
    }

    @Test
    @DisplayName("two service instances on one store, 32 clients spread over both: no address twice")
    void twoInstances() throws Exception {
        api.register("lan", "10.0.0.0", "24", null, "10.0.0.0/24");
        RestServer second = api.secondInstance();
        try {
            URI[] bases = {api.base, second.uri()};
            Map<String, Integer> owners = new ConcurrentHashMap<>();
            List<Throwable> failures = ConcurrentHarness.run(CLIENTS, i -> {
                for (int round = 0; round < 4; round++) {
                    int owner = i * 4 + round;
                    Reply reply = api.send(api.request("/").uri(bases[owner % 2].resolve("/v1/networks/lan"))
                            .header("Content-Type", "application/json")
                            .POST(ApiServer.body("{\"cluster\":\"c\",\"node\":\"n" + owner + "\"}")).build());
                    assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
                    Integer holder = owners.putIfAbsent(reply.text("address"), owner);
                    assertThat(holder).as("address " + reply.text("address") + " handed out twice").isNull();
                }
            });

            assertThat(failures).isEmpty();
            assertThat(owners).hasSize(CLIENTS * 4);
            assertThat(api.get("/v1/networks/lan/addresses?used&full").json.get("number").asInt()).isEqualTo(CLIENTS * 4);
        } finally {
            second.stop(java.time.Duration.ZERO);
        }
    }

    @Test
    @DisplayName("allocations and releases interleaved by many clients leave the store consistent")
    void churn() throws Exception {
        api.register("churn", "10.0.0.0", "24", null, "10.0.0.1-10.0.0.20");

        List<Throwable> failures = ConcurrentHarness.run(CLIENTS, i -> {
            for (int round = 0; round < 5; round++) {
                Reply reply = api.allocate("churn", "c", "n" + i);
                if (reply.status() == 409) {
                    continue;
                }
                assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
                Reply released = api.putJson("/v1/networks/churn/addresses/" + reply.text("address"),
                        "{\"cluster\":\"c\",\"node\":\"n" + i + "\",\"status\":\"free\"}");
                assertThat(released.status()).as(released.toString()).isEqualTo(200);
            }
        });

        assertThat(failures).isEmpty();
        assertThat(api.get("/v1/networks/churn/addresses?used").json.get("addresses")).isEmpty();
        assertThat(api.get("/v1/networks/churn/addresses?free").json.get("addresses")).hasSize(20);
    }
}
