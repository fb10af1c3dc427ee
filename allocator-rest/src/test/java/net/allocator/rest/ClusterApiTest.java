package net.allocator.rest;

import static net.allocator.rest.SeedApiTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.allocator.rest.ApiServer.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The whole-cluster routes over real HTTP: bulk allocation, holdings, teardown, usage, PATCH, unknown parameters. */
class ClusterApiTest {
    private ApiServer api;

    @BeforeEach
    void start() {
        api = new ApiServer();
        api.register("admin", "10.0.0.0", "24", "10.0.0.1", "10.0.0.10-10.0.0.20");
        api.register("storage", "10.1.0.0", "24", "10.1.0.1", "10.1.0.0/24");
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private Reply patchJson(String path, String json) {
        return api.send(api.request(path).header("Content-Type", "application/json").method("PATCH", ApiServer.body(json)).build());
    }

    private static String nodesJson(String cluster, int count) {
        return IntStream.range(0, count).mapToObj(i -> "\"n" + i + "\"")
                .collect(Collectors.joining(",", "{\"cluster\":\"" + cluster + "\",\"nodes\":[", "]}"));
    }

    @Test
    @DisplayName("nodes get their addresses in one call, in node order; a node already holding one keeps it; the single form is unchanged")
    void bulkAllocation() {
        assertThat(api.allocate("admin", "c", "n1").text("address")).isEqualTo("10.0.0.10");
        Reply bulk = api.postJson("/v1/networks/admin", "{\"cluster\":\"c\",\"nodes\":[\"n2\",\"n0\",\"n1\"]}");
        assertThat(bulk.status()).isEqualTo(200);
        assertThat(bulk.body.strip()).isEqualTo("{\"addresses\":{\"n2\":\"10.0.0.11\",\"n0\":\"10.0.0.12\",\"n1\":\"10.0.0.10\"}}");
        Reply form = api.postForm("/v1/networks/storage", "cluster=c&node=a&node=b");
        assertThat(form.body.strip()).isEqualTo("{\"addresses\":{\"a\":\"10.1.0.2\",\"b\":\"10.1.0.3\"}}");
        assertThat(api.postForm("/v1/networks/storage", "cluster=d&node=a").body.strip()).isEqualTo("{\"address\":\"10.1.0.4\"}");
    }

    @Test
    @DisplayName("a cluster the network cannot hold is a 409 and nothing is written; duplicates, too many nodes or node with nodes are a 400")
    void bulkRefusals() {
        Map<String, String> before = api.dump();
        Reply full = api.postJson("/v1/networks/admin", nodesJson("c", 12));
        assertThat(full.status()).isEqualTo(409);
        assertThat(full.text("message")).contains("admin");
        Reply twice = api.postJson("/v1/networks/admin", "{\"cluster\":\"c\",\"nodes\":[\"a\",\"b\",\"a\"]}");
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.text("message")).contains("'a'");
        assertThat(api.postJson("/v1/networks/storage", nodesJson("c", 1025)).status()).isEqualTo(400);
        assertThat(api.postJson("/v1/networks/storage", "{\"cluster\":\"c\",\"node\":\"x\",\"nodes\":[\"a\"]}").status()).isEqualTo(400);
        assertThat(api.dump()).isEqualTo(before);
        api.register("big", "10.8.0.0", "16", "10.8.0.1", "10.8.0.0/16");
        assertThat(api.postJson("/v1/networks/big", nodesJson("c", 1024)).json.get("addresses").size()).isEqualTo(1024);
    }

    @Test
    @DisplayName("what a cluster holds is listed across networks, and one network's listing filters by cluster and node")
    void holdings() {
        api.postJson("/v1/networks/storage", nodesJson("c", 2));
        api.postJson("/v1/networks/admin", nodesJson("c", 1));
        api.allocate("admin", "other", "n0");
        Reply held = api.get("/v1/clusters/c");
        assertThat(held.status()).isEqualTo(200);
        assertThat(held.text("cluster")).isEqualTo("c");
        assertThat(held.json.get("number").asInt()).isEqualTo(3);
        assertThat(held.json.get("addresses").findValuesAsText("network")).containsExactly("admin", "storage", "storage");
        assertThat(held.json.get("addresses").findValuesAsText("address")).containsExactly("10.0.0.10", "10.1.0.2", "10.1.0.3");
        assertThat(held.json.get("addresses").findValuesAsText("node")).containsExactly("n0", "n0", "n1");
        assertThat(held.json.get("addresses").get(0).has("claimed_at")).isTrue();
        assertThat(api.get("/v1/clusters/nobody").json.get("number").asInt()).isZero();
        Reply filtered = api.get("/v1/networks/storage/addresses?used&full&cluster=c&node=n1");
        assertThat(filtered.json.get("number").asInt()).isEqualTo(1);
        assertThat(filtered.json.get("addresses").get(0).get("address").asText()).isEqualTo("10.1.0.3");
        assertThat(texts(api.get("/v1/networks/admin/addresses?used&cluster=other").json.get("addresses"))).containsExactly("10.0.0.11");
        assertThat(api.get("/v1/networks/nope/addresses?used&cluster=c").status()).isEqualTo(404);
    }

    @Test
    @DisplayName("a teardown releases the cluster everywhere or in one network, and a second one releases nothing")
    void teardown() {
        api.postJson("/v1/networks/storage", nodesJson("c", 2));
        api.postJson("/v1/networks/admin", nodesJson("c", 2));
        Reply inOne = api.delete("/v1/networks/admin/clusters/c");
        assertThat(inOne.status()).isEqualTo(200);
        assertThat(inOne.json.get("number").asInt()).isEqualTo(2);
        assertThat(inOne.json.get("released").findValuesAsText("address")).containsExactly("10.0.0.10", "10.0.0.11");
        Reply everywhere = api.delete("/v1/clusters/c");
        assertThat(everywhere.json.get("released").findValuesAsText("network")).containsExactly("storage", "storage");
        assertThat(everywhere.json.get("released").findValuesAsText("node")).containsExactly("n0", "n1");
        Reply again = api.delete("/v1/clusters/c");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body.strip()).isEqualTo("{\"cluster\":\"c\",\"released\":[],\"number\":0}");
        assertThat(api.delete("/v1/networks/nope/clusters/c").status()).isEqualTo(404);
    }

    @Test
    @DisplayName("usage is JSON numbers, exact for an IPv6 /64, per network and for every network")
    void usage() {
        api.register("v6", "fd00::", "64", "fd00::1", "fd00::/64");
        api.postJson("/v1/networks/admin", nodesJson("c", 3));
        api.allocate("v6", "c", "n0");
        assertThat(api.get("/v1/networks/admin/usage").body.strip())
                .isEqualTo("{\"network\":\"admin\",\"size\":11,\"used\":3,\"free\":8}");
        Reply all = api.get("/v1/networks?usage");
        BigInteger v6Size = BigInteger.TWO.pow(64).subtract(BigInteger.TWO);
        assertThat(all.json.get("v6").get("size").bigIntegerValue()).isEqualTo(v6Size);
        assertThat(all.json.get("v6").get("free").bigIntegerValue()).isEqualTo(v6Size.subtract(BigInteger.ONE));
        assertThat(all.body).contains("\"size\":" + v6Size).contains("\"storage\":{\"size\":253,\"used\":0,\"free\":253}");
        assertThat(api.get("/v1/networks/nope/usage").status()).isEqualTo(404);
    }

    @Test
    @DisplayName("PATCH grows a pool and changes the description; shrinking away a used address is a 409; name, network and netmask are a 400")
    void changeNetwork() {
        api.postJson("/v1/networks/admin", nodesJson("c", 11));
        Reply grown = patchJson("/v1/networks/admin", "{\"description\":\"grown\",\"addresses\":[\"10.0.0.10-10.0.0.30\"]}");
        assertThat(grown.status()).isEqualTo(200);
        assertThat(grown.text("description")).isEqualTo("grown");
        assertThat(grown.json.get("size").asInt()).isEqualTo(21);
        assertThat(api.allocate("admin", "d", "n0").text("address")).isEqualTo("10.0.0.21");
        Map<String, String> before = api.dump();
        Reply shrink = patchJson("/v1/networks/admin", "{\"addresses\":[\"10.0.0.12-10.0.0.30\"]}");
        assertThat(shrink.status()).isEqualTo(409);
        assertThat(shrink.text("message")).contains("10.0.0.10", "10.0.0.11");
        assertThat(patchJson("/v1/networks/admin", "{\"netmask\":\"16\"}").status()).isEqualTo(400);
        assertThat(patchJson("/v1/networks/admin", "{\"name\":\"other\"}").status()).isEqualTo(400);
        assertThat(patchJson("/v1/networks/nope", "{\"description\":\"x\"}").status()).isEqualTo(404);
        assertThat(api.dump()).isEqualTo(before);
    }

    @Test
    @DisplayName("an unknown query parameter or body field is a 400 naming it and the known ones, and nothing is written")
    void unknownParameters() {
        Map<String, String> before = api.dump();
        Reply field = api.postJson("/v1/networks/admin", "{\"cluster\":\"c\",\"node\":\"n0\",\"count\":5}");
        assertThat(field.status()).isEqualTo(400);
        assertThat(field.text("message")).contains("'count'", "cluster, node, nodes");
        Reply query = api.get("/v1/networks?cluster=c");
        assertThat(query.status()).isEqualTo(400);
        assertThat(query.text("message")).contains("'cluster'", "usage");
        assertThat(api.get("/v1/networks/admin/addresses?used&bogus=1").text("message")).contains("'bogus'", "after, cluster, free, full, limit, node, used");
        assertThat(api.get("/v1/health?x").status()).isEqualTo(400);
        assertThat(patchJson("/v1/networks/admin", "{\"pool\":[\"10.0.0.0/24\"]}").text("message")).contains("'pool'", "addresses");
        assertThat(api.putJson("/v1/networks/admin/addresses/10.0.0.10", "{\"status\":\"used\",\"cluster\":\"c\",\"node\":\"n\",\"force\":true}").status())
                .isEqualTo(400);
        assertThat(api.dump()).isEqualTo(before);
    }
}
