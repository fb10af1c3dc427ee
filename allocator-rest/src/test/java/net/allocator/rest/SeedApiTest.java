package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import net.allocator.rest.ApiServer.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The original service's API, shape by shape, over real HTTP. */
class SeedApiTest {
    @AutoClose
    private final ApiServer api = new ApiServer();

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    @Nested
    @DisplayName("networks")
    class Networks {

        @Test
        @DisplayName("registering the seed's body answers 201 with the network and its Location")
        void registerSeedBody() {
            Reply reply = api.registerSeedNetwork();

            assertThat(reply.status()).isEqualTo(201);
            assertThat(reply.header("Location")).isEqualTo("/v1/networks/admin");
            assertThat(reply.text("name")).isEqualTo("admin");
            assertThat(reply.text("netmask")).isEqualTo("16");
            assertThat(texts(reply.json.get("pool"))).containsExactly("10.112.1.101-10.112.1.103");
            assertThat(reply.json.get("size").asInt()).isEqualTo(3);
        }

        @Test
        @DisplayName("GET /v1/networks maps each name to its description, as the seed shows")
        void listNetworks() throws Exception {
            api.registerSeedNetwork();
            api.register("storage", "10.117.0.0", "16", "10.117.0.1", "10.117.243.1-10.117.243.254");

            Reply reply = api.get("/v1/networks");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json).isEqualTo(ApiServer.JSON.readTree(
                    "{\"admin\":\"Internal administration network using virbrPRIVATE\",\"storage\":\"\"}"));
        }

        @Test
        @DisplayName("GET /v1/networks with no network is an empty object")
        void listNoNetworks() {
            assertThat(api.get("/v1/networks").json.size()).isZero();
        }

        @Test
        @DisplayName("GET /v1/networks/<n> has the seed's fields with the netmask as a string")
        void showNetwork() {
            api.registerSeedNetwork();

            Reply reply = api.get("/v1/networks/admin");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text("name")).isEqualTo("admin");
            assertThat(reply.text("description")).isEqualTo("Internal administration network using virbrPRIVATE");
            assertThat(reply.text("bridge")).isEqualTo("virbrPRIVATE");
            assertThat(reply.text("network")).isEqualTo("10.112.0.0");
            assertThat(reply.json.get("netmask").isTextual()).isTrue();
            assertThat(reply.text("netmask")).isEqualTo("16");
            assertThat(reply.text("gateway")).isEqualTo("10.112.0.1");
        }

        @Test
        @DisplayName("a trailing slash is accepted")
        void trailingSlash() {
            api.registerSeedNetwork();

            assertThat(api.get("/v1/networks/").status()).isEqualTo(200);
            assertThat(api.get("/v1/networks/admin/").text("name")).isEqualTo("admin");
        }

        @Test
        @DisplayName("registering a name that exists is a 409 and changes nothing, allocations included")
        void registerTwice() {
            api.registerSeedNetwork();
            api.allocate("admin", "c", "n");
            var before = api.dump();

            Reply reply = api.register("admin", "10.0.0.0", "24", null, "10.0.0.5");

            assertThat(reply.status()).isEqualTo(409);
            assertThat(reply.text("error")).isEqualTo("Conflict");
            assertThat(api.dump()).isEqualTo(before);
            assertThat(api.get("/v1/networks/admin").text("network")).isEqualTo("10.112.0.0");
        }

        @Test
        @DisplayName("the pool may mix addresses, ranges a-b and CIDR blocks, listed in numeric order")
        void rangesAndBlocks() {
            Reply registered = api.register("mixed", "10.0.0.0", "24", "10.0.0.1",
                    "10.0.0.64/30", "10.0.0.10-10.0.0.12", "10.0.0.2");

            assertThat(registered.status()).isEqualTo(201);
            assertThat(texts(api.get("/v1/networks/mixed/addresses").json.get("addresses"))).containsExactly(
                    "10.0.0.2", "10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.64", "10.0.0.65", "10.0.0.66", "10.0.0.67");
        }

        @Test
        @DisplayName("the netmask may be a number, a string or a dotted mask, and the network may be CIDR")
        void netmaskForms() {
            assertThat(api.postJson("/v1/networks", "{\"name\":\"a\",\"network\":\"10.1.0.0\",\"netmask\":24,"
                    + "\"addresses\":[\"10.1.0.5\"]}").status()).isEqualTo(201);
            assertThat(api.postJson("/v1/networks", "{\"name\":\"b\",\"network\":\"10.2.0.0\",\"netmask\":\"255.255.255.0\","
                    + "\"addresses\":[\"10.2.0.5\"]}").status()).isEqualTo(201);
            assertThat(api.postJson("/v1/networks", "{\"name\":\"c\",\"network\":\"10.3.0.0/24\","
                    + "\"addresses\":[\"10.3.0.5\"]}").status()).isEqualTo(201);

            assertThat(api.get("/v1/networks/a").text("netmask")).isEqualTo("24");
            assertThat(api.get("/v1/networks/b").text("netmask")).isEqualTo("24");
            assertThat(api.get("/v1/networks/c").text("netmask")).isEqualTo("24");
        }

        @Test
        @DisplayName("a network can be registered with a form body, the pool as repeated or comma-separated fields")
        void registerWithForm() {
            Reply reply = api.postForm("/v1/networks", "name=lab&description=Lab+network&bridge=virbrLAB&network=10.5.0.0&netmask=24"
                    + "&gateway=10.5.0.1&addresses=10.5.0.10&addresses=10.5.0.20-10.5.0.21,10.5.0.128%2F30");

            assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
            assertThat(reply.text("description")).isEqualTo("Lab network");
            assertThat(texts(reply.json.get("pool"))).containsExactly("10.5.0.10", "10.5.0.20-10.5.0.21", "10.5.0.128-10.5.0.131");
        }

        @Test
        @DisplayName("DELETE is a 409 while addresses are used, removes with ?force, and then the network is gone")
        void deleteNetwork() {
            api.registerSeedNetwork();
            api.allocate("admin", "c", "n");

            Reply refused = api.delete("/v1/networks/admin");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(api.get("/v1/networks/admin").status()).isEqualTo(200);

            Reply forced = api.delete("/v1/networks/admin?force");
            assertThat(forced.status()).isEqualTo(200);
            assertThat(forced.text("name")).isEqualTo("admin");
            assertThat(forced.json.get("deleted").asBoolean()).isTrue();
            assertThat(api.get("/v1/networks/admin").status()).isEqualTo(404);
            assertThat(api.get("/v1/networks").json.size()).isZero();
            assertThat(api.dump()).isEmpty();
        }

        @Test
        @DisplayName("DELETE of a network without used addresses needs no force, and the name can be registered again")
        void deleteUnused() {
            api.registerSeedNetwork();

            assertThat(api.delete("/v1/networks/admin").status()).isEqualTo(200);
            assertThat(api.registerSeedNetwork().status()).isEqualTo(201);
        }
    }

    @Nested
    @DisplayName("allocation")
    class Allocation {

        @Test
        @DisplayName("POST /v1/networks/<n> answers exactly {\"address\": …}, the lowest free address first")
        void allocate() {
            api.registerSeedNetwork();

            Reply reply = api.allocate("admin", "gluster-3.7.11-8", "glusternode0");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json.size()).isEqualTo(1);
            assertThat(reply.text("address")).isEqualTo("10.112.1.101");
        }

        @Test
        @DisplayName("allocation is idempotent per (cluster, node), and other owners get other addresses")
        void idempotent() {
            api.registerSeedNetwork();

            String first = api.allocate("admin", "c", "n0").text("address");
            String again = api.allocate("admin", "c", "n0").text("address");
            String other = api.allocate("admin", "c", "n1").text("address");

            assertThat(again).isEqualTo(first);
            assertThat(other).isNotEqualTo(first);
            assertThat(texts(api.get("/v1/networks/admin/addresses?used").json.get("addresses"))).containsExactly(first, other);
        }

        @Test
        @DisplayName("numeric order: 10.0.0.2 comes before 10.0.0.10")
        void numericOrder() {
            api.register("n", "10.0.0.0", "24", null, "10.0.0.10", "10.0.0.2", "10.0.0.100");

            assertThat(api.allocate("n", "c", "a").text("address")).isEqualTo("10.0.0.2");
            assertThat(api.allocate("n", "c", "b").text("address")).isEqualTo("10.0.0.10");
        }

        @Test
        @DisplayName("a full network is a 409 with a JSON body, and its addresses stay with their owners")
        void exhausted() {
            api.registerSeedNetwork();
            for (int i = 0; i < 3; i++) {
                assertThat(api.allocate("admin", "c", "n" + i).status()).isEqualTo(200);
            }
            var before = api.dump();

            Reply reply = api.allocate("admin", "c", "n3");

            assertThat(reply.status()).isEqualTo(409);
            assertThat(reply.text("message")).contains("no free address");
            assertThat(api.dump()).isEqualTo(before);
            assertThat(api.allocate("admin", "c", "n0").status()).as("the holder still gets its address").isEqualTo(200);
        }

        @Test
        @DisplayName("a form body works, as with curl -d cluster=…&node=…")
        void formBody() {
            api.registerSeedNetwork();

            Reply reply = api.postForm("/v1/networks/admin", "cluster=gluster-3.7.11-8&node=glusternode0");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text("address")).isEqualTo("10.112.1.101");
            assertThat(api.get("/v1/networks/admin/addresses/10.112.1.101").text("clustername")).isEqualTo("gluster-3.7.11-8");
        }

        @Test
        @DisplayName("a JSON body works without a Content-Type, and with curl -d's form type")
        void jsonWithoutContentType() {
            api.registerSeedNetwork();

            Reply bare = api.send(api.request("/v1/networks/admin")
                    .POST(ApiServer.body("{\"cluster\":\"c\",\"node\":\"a\"}")).build());
            Reply curlStyle = api.postForm("/v1/networks/admin", "{\"cluster\":\"c\",\"node\":\"b\"}");

            assertThat(bare.status()).isEqualTo(200);
            assertThat(curlStyle.status()).isEqualTo(200);
            assertThat(curlStyle.text("address")).isNotEqualTo(bare.text("address"));
        }

        @Test
        @DisplayName("a JSON Content-Type with a charset parameter is accepted")
        void jsonWithCharset() {
            api.registerSeedNetwork();

            Reply reply = api.send(api.request("/v1/networks/admin").header("Content-Type", "application/json; charset=UTF-8")
                    .POST(ApiServer.body("{\"cluster\":\"c\",\"node\":\"ü\"}")).build());

            assertThat(reply.status()).isEqualTo(200);
            assertThat(api.get("/v1/networks/admin/addresses?used&full").json.get("addresses").get(0).get("node").asText())
                    .isEqualTo("ü");
        }
    }

    @Nested
    @DisplayName("listing")
    class Listing {

        @BeforeEach
        void oneUsed() {
            api.registerSeedNetwork();
            api.putJson("/v1/networks/admin/addresses/10.112.1.102",
                    "{\"cluster\":\"jenes-mpi-1.7.0-1\",\"node\":\"node_1\",\"status\":\"used\"}");
        }

        @Test
        @DisplayName("plain: every address as a string, in numeric order, and nothing else")
        void plain() throws Exception {
            Reply reply = api.get("/v1/networks/admin/addresses");

            assertThat(reply.json).isEqualTo(ApiServer.JSON.readTree(
                    "{\"addresses\": [\"10.112.1.101\", \"10.112.1.102\", \"10.112.1.103\"]}"));
        }

        @Test
        @DisplayName("?free and ?used: the seed's shapes")
        void freeAndUsed() throws Exception {
            assertThat(api.get("/v1/networks/admin/addresses?free").json)
                    .isEqualTo(ApiServer.JSON.readTree("{\"addresses\": [\"10.112.1.101\", \"10.112.1.103\"]}"));
            assertThat(api.get("/v1/networks/admin/addresses?used").json)
                    .isEqualTo(ApiServer.JSON.readTree("{\"addresses\": [\"10.112.1.102\"]}"));
        }

        @Test
        @DisplayName("?used&full: objects with address, clustername, node, status, plus number")
        void usedFull() {
            Reply reply = api.get("/v1/networks/admin/addresses?used&full");

            assertThat(reply.json.get("number").asInt()).isEqualTo(1);
            JsonNode entry = reply.json.get("addresses").get(0);
            assertThat(entry.get("address").asText()).isEqualTo("10.112.1.102");
            assertThat(entry.get("clustername").asText()).isEqualTo("jenes-mpi-1.7.0-1");
            assertThat(entry.get("node").asText()).isEqualTo("node_1");
            assertThat(entry.get("status").asText()).isEqualTo("used");
            assertThat(entry.has("claimed_at")).isTrue();
        }

        @Test
        @DisplayName("?full: every address with its state; free ones have null owners")
        void full() {
            Reply reply = api.get("/v1/networks/admin/addresses?full");

            assertThat(reply.json.get("number").asInt()).isEqualTo(3);
            JsonNode free = reply.json.get("addresses").get(0);
            assertThat(free.get("address").asText()).isEqualTo("10.112.1.101");
            assertThat(free.get("status").asText()).isEqualTo("free");
            assertThat(free.get("clustername").isNull()).isTrue();
            assertThat(free.get("node").isNull()).isTrue();
            assertThat(reply.json.get("addresses").get(1).get("status").asText()).isEqualTo("used");
        }

        @Test
        @DisplayName("?free&full, ?full&free and ?free&used combine as expected")
        void combinations() {
            Reply freeFull = api.get("/v1/networks/admin/addresses?free&full");
            assertThat(freeFull.json.get("number").asInt()).isEqualTo(2);
            assertThat(freeFull.json.get("addresses").get(0).get("status").asText()).isEqualTo("free");

            assertThat(api.get("/v1/networks/admin/addresses?full&free").json).isEqualTo(freeFull.json);
            assertThat(texts(api.get("/v1/networks/admin/addresses?free&used").json.get("addresses"))).hasSize(3);
            assertThat(texts(api.get("/v1/networks/admin/addresses?free=true&used=false").json.get("addresses")))
                    .containsExactly("10.112.1.101", "10.112.1.103");
        }

        @Test
        @DisplayName("a small pool comes back whole by default, without a next marker")
        void smallPoolWhole() {
            Reply reply = api.get("/v1/networks/admin/addresses");

            assertThat(reply.json.has("next")).isFalse();
        }
    }

    @Nested
    @DisplayName("manual mode")
    class Manual {

        @BeforeEach
        void register() {
            api.registerSeedNetwork();
        }

        @Test
        @DisplayName("PUT status used claims the address for the owner; GET shows it")
        void claim() {
            Reply reply = api.putJson("/v1/networks/admin/addresses/10.112.1.103",
                    "{\"cluster\":\"gluster-3.7.11-8\",\"node\":\"glusternode0\",\"status\":\"used\"}");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text("status")).isEqualTo("used");
            Reply shown = api.get("/v1/networks/admin/addresses/10.112.1.103");
            assertThat(shown.text("address")).isEqualTo("10.112.1.103");
            assertThat(shown.text("clustername")).isEqualTo("gluster-3.7.11-8");
            assertThat(shown.text("node")).isEqualTo("glusternode0");
            assertThat(shown.text("status")).isEqualTo("used");
        }

        @Test
        @DisplayName("claiming again for the holder is fine; for another owner it is a 409 that changes nothing")
        void claimConflict() {
            String body = "{\"cluster\":\"c\",\"node\":\"a\",\"status\":\"used\"}";
            api.putJson("/v1/networks/admin/addresses/10.112.1.102", body);
            assertThat(api.putJson("/v1/networks/admin/addresses/10.112.1.102", body).status()).isEqualTo(200);
            var before = api.dump();

            Reply other = api.putJson("/v1/networks/admin/addresses/10.112.1.102", "{\"cluster\":\"c\",\"node\":\"b\",\"status\":\"used\"}");

            assertThat(other.status()).isEqualTo(409);
            assertThat(other.text("message")).contains("10.112.1.102");
            assertThat(api.dump()).isEqualTo(before);
        }

        @Test
        @DisplayName("an owner claiming a second address of the network is a 409")
        void secondAddress() {
            api.allocate("admin", "c", "a");

            Reply reply = api.putJson("/v1/networks/admin/addresses/10.112.1.103", "{\"cluster\":\"c\",\"node\":\"a\",\"status\":\"used\"}");

            assertThat(reply.status()).isEqualTo(409);
        }

        @Test
        @DisplayName("PUT status free with cluster and node \"_\" releases whoever holds the address")
        void releaseAny() {
            api.allocate("admin", "c", "a");

            Reply reply = api.putJson("/v1/networks/admin/addresses/10.112.1.101", "{\"cluster\":\"_\",\"node\":\"_\",\"status\":\"free\"}");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text("status")).isEqualTo("free");
            assertThat(api.get("/v1/networks/admin/addresses/10.112.1.101").text("status")).isEqualTo("free");
            assertThat(api.dump()).as("only the network's own key is left").hasSize(1);
        }

        @Test
        @DisplayName("curl -d status=free releases whoever holds the address, as the original did")
        void releaseWithForm() {
            api.allocate("admin", "c", "a");

            Reply reply = api.putForm("/v1/networks/admin/addresses/10.112.1.101", "status=free");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(api.get("/v1/networks/admin/addresses?free").json.get("addresses")).hasSize(3);
        }

        @Test
        @DisplayName("a form claim works too")
        void claimWithForm() {
            Reply reply = api.putForm("/v1/networks/admin/addresses/10.112.1.102", "cluster=c&node=a&status=used");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(api.get("/v1/networks/admin/addresses/10.112.1.102").text("node")).isEqualTo("a");
        }

        @Test
        @DisplayName("PUT status free with a real owner releases only from that owner; from another it is a 409")
        void releaseByOwner() {
            api.allocate("admin", "c", "a");
            var before = api.dump();

            Reply wrong = api.putJson("/v1/networks/admin/addresses/10.112.1.101", "{\"cluster\":\"c\",\"node\":\"b\",\"status\":\"free\"}");
            assertThat(wrong.status()).isEqualTo(409);
            assertThat(api.dump()).isEqualTo(before);

            Reply right = api.putJson("/v1/networks/admin/addresses/10.112.1.101", "{\"cluster\":\"c\",\"node\":\"a\",\"status\":\"free\"}");
            assertThat(right.status()).isEqualTo(200);
            assertThat(api.get("/v1/networks/admin/addresses/10.112.1.101").text("status")).isEqualTo("free");
        }

        @Test
        @DisplayName("releasing a free address is idempotent")
        void releaseFree() {
            Reply reply = api.putForm("/v1/networks/admin/addresses/10.112.1.101", "status=free");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text("status")).isEqualTo("free");
        }

        @Test
        @DisplayName("a released address can be allocated again")
        void reallocate() {
            api.allocate("admin", "c", "a");
            api.putForm("/v1/networks/admin/addresses/10.112.1.101", "status=free");

            assertThat(api.allocate("admin", "c", "b").text("address")).isEqualTo("10.112.1.101");
        }

        @Test
        @DisplayName("GET of a free address shows it free with null owners")
        void showFree() {
            Reply reply = api.get("/v1/networks/admin/addresses/10.112.1.101");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text("status")).isEqualTo("free");
            assertThat(reply.json.get("clustername").isNull()).isTrue();
            assertThat(reply.json.has("claimed_at")).isFalse();
        }
    }

    @Test
    @DisplayName("GET /v1/health reports the store up, with the store's name and the version")
    void health() {
        Reply reply = api.get("/v1/health");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text("status")).isEqualTo("up");
        assertThat(reply.text("store")).isEqualTo("inmemory");
        assertThat(reply.text("version")).isNotBlank();
    }

    @Test
    @DisplayName("every response is JSON with a UTF-8 content type")
    void contentType() {
        assertThat(api.get("/v1/networks").header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        assertThat(api.get("/nowhere").header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    }
}
