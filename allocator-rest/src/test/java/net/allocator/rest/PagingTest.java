package net.allocator.rest;

import static net.allocator.rest.SeedApiTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.allocator.rest.ApiServer.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pages of large pools, IPv4 and IPv6, with ?limit= and ?after=. */
class PagingTest {
    @AutoClose
    private final ApiServer api = new ApiServer();

    @Test
    @DisplayName("a /24 comes back whole by default: 253 addresses without the network, broadcast and gateway")
    void wholeSlash24() {
        api.register("lan", "192.168.7.0", "24", "192.168.7.1", "192.168.7.0/24");

        Reply reply = api.get("/v1/networks/lan/addresses");

        List<String> addresses = texts(reply.json.get("addresses"));
        assertThat(addresses).hasSize(253).startsWith("192.168.7.2", "192.168.7.3").endsWith("192.168.7.254");
        assertThat(reply.json.has("next")).isFalse();
    }

    @Test
    @DisplayName("a /16 pool stops at the default page of 10,000 and says where to go on with next")
    void defaultPageOfLargePool() {
        api.register("big", "10.20.0.0", "16", "10.20.0.1", "10.20.0.0/16");

        Reply reply = api.get("/v1/networks/big/addresses");

        List<String> addresses = texts(reply.json.get("addresses"));
        assertThat(addresses).hasSize(ServerOptions.DEFAULT_PAGE_LIMIT);
        assertThat(reply.text("next")).isEqualTo(addresses.get(addresses.size() - 1));
        Reply following = api.get("/v1/networks/big/addresses?limit=2&after=" + reply.text("next"));
        assertThat(texts(following.json.get("addresses"))).hasSize(2).doesNotContainAnyElementsOf(addresses);
    }

    @Test
    @DisplayName("?limit and ?after walk a pool page by page: every address once, in order, the last page without next")
    void walk() {
        api.register("walk", "10.0.0.0", "24", null, "10.0.0.10-10.0.0.32");
        api.allocate("walk", "c", "a");

        Set<String> seen = new LinkedHashSet<>();
        List<Integer> pageSizes = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 10; page++) {
            Reply reply = api.get("/v1/networks/walk/addresses?full&limit=5" + (after == null ? "" : "&after=" + after));
            assertThat(reply.status()).isEqualTo(200);
            reply.json.get("addresses").forEach(entry -> assertThat(seen.add(entry.get("address").asText())).isTrue());
            pageSizes.add(reply.json.get("number").asInt());
            after = reply.text("next");
            if (after == null) {
                break;
            }
        }

        assertThat(seen).hasSize(23).startsWith("10.0.0.10").endsWith("10.0.0.32");
        assertThat(pageSizes).containsExactly(5, 5, 5, 5, 3);
    }

    @Test
    @DisplayName("?used pages too")
    void usedPages() {
        api.register("u", "10.0.0.0", "24", null, "10.0.0.0/24");
        for (int i = 0; i < 7; i++) {
            api.allocate("u", "c", "n" + i);
        }

        Reply first = api.get("/v1/networks/u/addresses?used&limit=4");
        Reply second = api.get("/v1/networks/u/addresses?used&limit=4&after=" + first.text("next"));

        assertThat(texts(first.json.get("addresses"))).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4");
        assertThat(texts(second.json.get("addresses"))).containsExactly("10.0.0.5", "10.0.0.6", "10.0.0.7");
        assertThat(second.json.has("next")).isFalse();
    }

    @Test
    @DisplayName("an IPv6 /64 works end to end: register, show, allocate, page, claim, release")
    void ipv6Slash64() {
        Reply registered = api.postJson("/v1/networks", """
                {"name": "v6", "description": "IPv6 lab", "network": "2001:db8:1::", "netmask": "64",
                 "gateway": "2001:db8:1::1", "addresses": ["2001:db8:1::/64"]}""");
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        assertThat(registered.text("size")).isEqualTo("18446744073709551614");

        Reply shown = api.get("/v1/networks/v6");
        assertThat(shown.text("network")).isEqualTo("2001:db8:1::");
        assertThat(shown.text("netmask")).isEqualTo("64");
        assertThat(shown.text("gateway")).isEqualTo("2001:db8:1::1");

        assertThat(api.allocate("v6", "c", "a").text("address")).isEqualTo("2001:db8:1::2");
        assertThat(api.allocate("v6", "c", "b").text("address")).isEqualTo("2001:db8:1::3");

        Reply defaultPage = api.get("/v1/networks/v6/addresses?free");
        assertThat(defaultPage.json.get("addresses")).hasSize(ServerOptions.DEFAULT_PAGE_LIMIT);
        assertThat(defaultPage.text("next")).isNotNull();

        Reply page = api.get("/v1/networks/v6/addresses?limit=3");
        assertThat(texts(page.json.get("addresses"))).containsExactly("2001:db8:1::2", "2001:db8:1::3", "2001:db8:1::4");
        Reply next = api.get("/v1/networks/v6/addresses?limit=3&after=" + page.text("next"));
        assertThat(texts(next.json.get("addresses"))).containsExactly("2001:db8:1::5", "2001:db8:1::6", "2001:db8:1::7");

        Reply tail = api.get("/v1/networks/v6/addresses?limit=3&after=2001:db8:1:0:ffff:ffff:ffff:fffd");
        assertThat(texts(tail.json.get("addresses"))).containsExactly("2001:db8:1:0:ffff:ffff:ffff:fffe", "2001:db8:1:0:ffff:ffff:ffff:ffff");
        assertThat(tail.json.has("next")).isFalse();

        Reply claimed = api.putJson("/v1/networks/v6/addresses/2001:db8:1::ffff", "{\"cluster\":\"c\",\"node\":\"m\",\"status\":\"used\"}");
        assertThat(claimed.status()).as(claimed.toString()).isEqualTo(200);
        assertThat(api.get("/v1/networks/v6/addresses/2001:0db8:0001:0000:0000:0000:0000:ffff").text("node")).isEqualTo("m");
        assertThat(texts(api.get("/v1/networks/v6/addresses?used").json.get("addresses")))
                .containsExactly("2001:db8:1::2", "2001:db8:1::3", "2001:db8:1::ffff");

        assertThat(api.putForm("/v1/networks/v6/addresses/2001:db8:1::ffff", "status=free").status()).isEqualTo(200);
        assertThat(api.get("/v1/networks/v6/addresses?used&full").json.get("number").asInt()).isEqualTo(2);
    }

    @ParameterizedTest(name = "limit={0}")
    @ValueSource(strings = {"0", "-1", "abc", "100001", "1e3", "99999999999999999999", ""})
    @DisplayName("a limit that is not a whole number from 1 to 100,000 is a 400")
    void badLimit(String limit) {
        api.registerSeedNetwork();

        Reply reply = api.get("/v1/networks/admin/addresses?limit=" + limit);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.text("message")).contains("limit");
    }

    @ParameterizedTest(name = "after={0}")
    @ValueSource(strings = {"nope", "10.112.1.300", "2001:db8::1", "fe80::1%25eth0"})
    @DisplayName("an after that is not an address of the network's family is a 400")
    void badAfter(String after) {
        api.registerSeedNetwork();

        Reply reply = api.get("/v1/networks/admin/addresses?after=" + after);

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.text("message")).contains("after");
    }
}
