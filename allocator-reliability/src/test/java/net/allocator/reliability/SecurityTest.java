package net.allocator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.allocator.reliability.ApiClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The service's security promises, against real service processes (docs/security.md): the bearer
 * token on every write, secrets kept out of answers and logs, the loopback default bind, and key-prefix containment of every name
 * and owner on etcd and Consul (checked by dumping the store through its own API). Also the
 * aliasing of owners and addresses, and cross-site requests from a browser on the same machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityTest {
    private static final Path LOGS = ServiceEnvironment.logDir(SecurityTest.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The service's token: random, so that finding it anywhere means it leaked. */
    private final String token = "tok-" + randomHex();
    /** Consul's ACL token given to the service; Consul without ACLs ignores it. */
    private final String consulToken = "consul-" + randomHex();

    private final Map<String, ServiceProcess> services = new HashMap<>();
    private final Map<String, String> prefixes = new HashMap<>();

    private static String randomHex() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @AfterAll
    void stopServices() {
        services.values().forEach(ServiceProcess::close);
    }

    /** A service with the token on the given store ("etcd" or "consul"), started once for the class. */
    private synchronized ServiceProcess service(String store) {
        return services.computeIfAbsent(store, name -> {
            String prefix = ServiceEnvironment.uniquePrefix("security-" + name);
            prefixes.put(name, prefix);
            List<String> flags = new ArrayList<>(switch (name) {
                case "etcd" -> List.of("--store", "etcd", "--etcd-endpoints", ServiceEnvironment.sharedEtcd());
                case "consul" -> List.of("--store", "consul", "--consul-url", ServiceEnvironment.sharedConsul(), "--consul-token", consulToken);
                default -> throw new IllegalArgumentException(name);
            });
            flags.addAll(List.of("--key-prefix", prefix));
            // the token comes from the environment, as the flag's help recommends (flags show in ps)
            return ServiceProcess.startAsOperator("security-" + name, LOGS, flags, Map.of("ALLOCATOR_TOKEN", token));
        });
    }

    private ServiceStore dump(String store) {
        return ServiceStore.shared(store.equals("etcd") ? ServiceStore.Kind.ETCD : ServiceStore.Kind.CONSUL);
    }

    /** Fails on any answer that carries a stack trace, an exception name or one of our secrets. */
    private Reply checked(Reply reply) {
        String all = reply.body() + "\n" + reply.headers();
        assertThat(ApiClient.stackTraceIn(all)).as("stack trace in %s", reply).isEmpty();
        assertThat(all).as("an answer echoes the service's token").doesNotContain(token);
        assertThat(all).as("an answer echoes Consul's ACL token").doesNotContain(consulToken);
        if (reply.status() >= 400) {
            assertThat(reply.json()).as("error body of %s", reply).isNotNull();
            assertThat(reply.json().path("status").asInt()).as("status field of %s", reply).isEqualTo(reply.status());
            assertThat(reply.text("error")).as("error field of %s", reply).isNotBlank();
            assertThat(reply.text("message")).as("message field of %s", reply).isNotBlank();
        }
        return reply;
    }

    // ------------------------------------------------------------------ the token

    /** Every write route of AllocatorApi.routes(), with a request that succeeds when authorised (in this order). */
    private static final List<String[]> WRITES = List.of(
            new String[] {"POST", "/v1/networks", "{\"name\":\"auth2\",\"network\":\"10.61.0.0/24\",\"addresses\":[\"10.61.0.0/24\"]}", "201"},
            new String[] {"POST", "/v1/networks/auth", "{\"cluster\":\"w\",\"node\":\"1\"}", "200"},
            new String[] {"PUT", "/v1/networks/auth/addresses/10.60.0.50", "{\"cluster\":\"w\",\"node\":\"2\",\"status\":\"used\"}", "200"},
            new String[] {"PUT", "/v1/networks/auth/addresses/10.60.0.10", "{\"status\":\"free\"}", "200"},
            new String[] {"DELETE", "/v1/networks/auth?force", null, "200"});

    @Test
    @DisplayName("with a token, every write is 401 without it (with a Bearer challenge), 403 with a wrong one, and changes nothing")
    void everyWriteNeedsTheToken() {
        ServiceProcess service = service("etcd");
        ServiceStore dump = dump("etcd");
        String prefix = prefixes.get("etcd");
        ApiClient authorised = new ApiClient(service.uri(), Optional.of(token));
        authorised.register("{\"name\":\"auth\",\"network\":\"10.60.0.0/24\",\"addresses\":[\"10.60.0.10-10.60.0.100\"]}");
        assertThat(authorised.allocate("auth", "a", "1")).isEqualTo("10.60.0.10");
        SortedMap<String, String> before = dump.scan(prefix);
        ApiClient anonymous = new ApiClient(service.uri(), Optional.empty());

        List<String> missing = List.of("", "Basic " + Base64.getEncoder().encodeToString(("user:" + token).getBytes(StandardCharsets.UTF_8)),
                token, "Bearer", "Bearer ", "Token " + token, "Bearer:" + token, "Bearer=" + token, "Digest " + token, "Negotiate x");
        List<String> wrong = List.of("Bearer wrong", "Bearer " + token + "x", "Bearer " + token.substring(1),
                "Bearer " + token.substring(0, token.length() - 1), "Bearer " + token.toUpperCase(java.util.Locale.ROOT),
                "Bearer " + token + token, "Bearer " + "x".repeat(10_000), "Bearer " + token.replace('-', '_'),
                "Bearer \"" + token + "\"", "Bearer " + token + ",Bearer " + token);
        for (String[] write : WRITES) {
            String what = write[0] + " " + write[1];
            Reply none = checked(anonymous.send(write[0], write[1], "application/json", write[2], null));
            assertThat(none.status()).as("%s without Authorization", what).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).as("%s: challenge", what).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(none.text("error")).isEqualTo("Unauthorized");
            for (String header : missing) {
                Reply reply = checked(anonymous.send(write[0], write[1], "application/json", write[2], header.isEmpty() ? null : header));
                assertThat(reply.status()).as("%s with Authorization '%s'", what, header).isEqualTo(401);
                assertThat(reply.header("WWW-Authenticate")).as("%s with '%s': challenge", what, header).isPresent();
            }
            for (String header : wrong) {
                Reply reply = checked(anonymous.send(write[0], write[1], "application/json", write[2], header));
                assertThat(reply.status()).as("%s with Authorization '%s'", what, header.length() > 80 ? header.substring(0, 80) : header)
                        .isEqualTo(403);
                assertThat(reply.text("error")).isEqualTo("Forbidden");
            }
            // a token in the query string or another header is not a token
            String separator = write[1].contains("?") ? "&" : "?";
            assertThat(checked(anonymous.send(write[0], write[1] + separator + "access_token=" + token, "application/json", write[2], null))
                    .status()).as("%s with the token in the query", what).isEqualTo(401);
            Reply other = checked(anonymous.send(java.net.http.HttpRequest.newBuilder(service.uri().resolve(write[1]))
                    .method(write[0], write[2] == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                            : java.net.http.HttpRequest.BodyPublishers.ofString(write[2]))
                    .header("Content-Type", "application/json").header("X-Auth-Token", token).header("Proxy-Authorization", "Bearer " + token)
                    .header("X-HTTP-Method-Override", "GET").build()));
            assertThat(other.status()).as("%s with the token in other headers", what).isEqualTo(401);
        }
        assertThat(dump.scan(prefix)).as("the store after every refused write").isEqualTo(before);

        // the right token lets every write through, whatever the case of the scheme
        for (String[] write : WRITES) {
            String scheme = write[0].equals("PUT") ? "bearer " : "Bearer ";
            Reply reply = checked(anonymous.send(write[0], write[1], "application/json", write[2], scheme + token));
            assertThat(reply.status()).as("%s with the right token: %s", write[0] + " " + write[1], reply).isEqualTo(Integer.parseInt(write[3]));
        }
        assertThat(dump.scan(prefix).keySet()).as("the writes happened").isNotEqualTo(before.keySet());
        checked(authorised.delete("/v1/networks/auth2?force"));
    }

    @Test
    @DisplayName("with a token, reads stay open (as the REST code does: only POST, PUT, PATCH and DELETE routes need it)")
    void readsStayOpen() {
        ServiceProcess service = service("etcd");
        ApiClient authorised = new ApiClient(service.uri(), Optional.of(token));
        authorised.register("{\"name\":\"open\",\"network\":\"10.62.0.0/24\",\"addresses\":[\"10.62.0.10-10.62.0.20\"]}");
        String address = authorised.allocate("open", "reader", "1");
        ApiClient anonymous = new ApiClient(service.uri(), Optional.empty());
        for (String path : List.of("/v1/health", "/v1/networks", "/v1/networks/open", "/v1/networks/open/addresses?used&full",
                "/v1/networks/open/addresses/" + address)) {
            assertThat(checked(anonymous.get(path)).status()).as("GET %s without a token", path).isEqualTo(200);
        }
        // the owner of an address is readable by anyone who can reach the port: documented in docs/security.md
        assertThat(checked(anonymous.get("/v1/networks/open/addresses/" + address)).text("clustername")).isEqualTo("reader");
        // PATCH changes a network: a write like the others, refused without the token
        assertThat(anonymous.send("PATCH", "/v1/networks/open", "application/json", "{\"description\":\"x\"}", null).status())
                .as("PATCH without a token").isEqualTo(401);
        // methods that are no route answer 405 whatever the token; they never reach a handler
        for (String method : List.of("HEAD", "OPTIONS", "TRACE")) {
            assertThat(anonymous.send(method, "/v1/networks/open", "application/json", "{\"cluster\":\"x\",\"node\":\"y\"}", null).status())
                    .as("%s without a token", method).isEqualTo(405);
        }
        checked(authorised.delete("/v1/networks/open?force"));
    }

    @Test
    @DisplayName("the token is compared in constant time: SHA-256 digests through MessageDigest.isEqual (checked by reading RequestGuards)")
    void tokenComparisonIsConstantTime() throws IOException {
        Path source = ServiceEnvironment.repoRoot().resolve("allocator-rest/src/main/java/net/allocator/rest/RequestGuards.java");
        String code = Files.readString(source, StandardCharsets.UTF_8);
        Matcher method = Pattern.compile("private void authorize\\(Request request\\) \\{(.*?)\\n    }\\n", Pattern.DOTALL).matcher(code);
        assertThat(method.find()).as("RequestGuards.authorize(Request) exists").isTrue();
        String authorize = method.group(1);
        // the only use of the stored digest is MessageDigest.isEqual on two SHA-256 digests of equal length
        assertThat(authorize).contains("MessageDigest.isEqual(sha256(");
        assertThat(Pattern.compile("tokenDigest").matcher(authorize).results().count()).as("uses of tokenDigest in authorize").isEqualTo(2);
        assertThat(authorize).contains("if (tokenDigest == null)");
        assertThat(authorize).doesNotContain(".equals(", "compareTo(", "contentEquals(", "Arrays.equals", "hashCode(");
        assertThat(code).contains("this.tokenDigest = token.map(RequestGuards::sha256).orElse(null);");
        assertThat(code).containsPattern("MessageDigest\\.getInstance\\(\"SHA-256\"\\)\\.digest\\(text\\.getBytes\\(StandardCharsets\\.UTF_8\\)\\)");
        // and the token itself is never compared or logged anywhere else in the REST module
        try (var files = Files.walk(source.getParent())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                assertThat(text).as(file.getFileName().toString()).doesNotContainPattern("token\\(\\)\\.get\\(\\)\\.equals|token\\.equals\\(");
            }
        }
    }

    @Test
    @DisplayName("secrets stay out of answers and logs: the service token and Consul's ACL token; a bad --token is refused without echo")
    void secretsAreNotEchoed() {
        ServiceProcess etcd = service("etcd");
        ServiceProcess consul = service("consul");
        for (ServiceProcess service : List.of(etcd, consul)) {
            ApiClient anonymous = new ApiClient(service.uri(), Optional.empty());
            checked(anonymous.send("POST", "/v1/networks", "application/json", "{\"name\":\"" + token + "\"}", "Bearer " + token + "x"));
            checked(anonymous.send("POST", "/v1/networks/nope", "application/json", "{}", "Bearer " + token));
            checked(anonymous.send("POST", "/v1/networks", "application/json", "{\"name\":1}", "Bearer " + token));
            checked(anonymous.get("/v1/health"));
            checked(anonymous.get("/v1/networks/" + "%00"));
            String log = service.logText();
            assertThat(log).as("the log of %s holds the service token", service).doesNotContain(token);
            assertThat(log).as("the log of %s holds Consul's token", service).doesNotContain(consulToken);
            assertThat(service.startupLine()).as("start-up line").contains("listening on http://127.0.0.1:");
        }
        // a token the service refuses at start is not echoed either
        for (String bad : List.of("two words " + token, token + "\u00e9")) {
            ServiceProcess.Refusal refused = ServiceProcess.startExpectingRefusal("security-bad-token", LOGS, List.of(),
                    Map.of("ALLOCATOR_TOKEN", bad));
            assertThat(refused.exitCode()).as("exit code for a bad token: %s", refused.output()).isEqualTo(2);
            assertThat(refused.output()).as("output for a bad token").contains("--token").doesNotContain(token);
        }
    }

    // ------------------------------------------------------------------ the bind address

    @Test
    @DisplayName("without --bind the service listens on loopback only, and is not reachable on this machine's other addresses")
    void defaultBindIsLoopback() throws Exception {
        List<InetAddress> others = nonLoopbackAddresses();
        try (ServiceProcess service = ServiceProcess.startAsOperator("security-default-bind", LOGS, List.of(), Map.of())) {
            assertThat(service.startupLine()).contains("listening on http://127.0.0.1:");
            assertThat(service.address().isLoopbackAddress()).isTrue();
            assertThat(service.logText()).doesNotContain("without a token: anyone who can reach this port");
            System.out.printf("%nnon-loopback addresses of this machine: %s%n", others);
            for (InetAddress other : others) {
                assertThat(reachable(other, service.port())).as("the service without --bind answers on %s", other.getHostAddress()).isFalse();
            }
        }
        // the control: with --bind 0.0.0.0 the same probe reaches it, and it warns that anyone can write
        try (ServiceProcess open = ServiceProcess.startAsOperator("security-bind-any", LOGS, List.of("--bind", "0.0.0.0"), Map.of())) {
            assertThat(open.logText()).contains("without a token: anyone who can reach this port can register networks");
            for (InetAddress other : others) {
                if (!(other instanceof Inet6Address)) {
                    assertThat(reachable(other, open.port())).as("the control with --bind 0.0.0.0 answers on %s", other.getHostAddress()).isTrue();
                }
            }
        }
    }

    private static List<InetAddress> nonLoopbackAddresses() throws IOException {
        List<InetAddress> out = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (!address.isLoopbackAddress() && !address.isLinkLocalAddress() && !address.isAnyLocalAddress()) {
                    out.add(address);
                }
            }
        }
        return out;
    }

    private static boolean reachable(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (ConnectException | SocketTimeoutException refused) {
            return false;
        }
    }

    // ------------------------------------------------------------------ key-prefix containment

    /** Owners that try to leave their network's keys: path syntax, escapes, unicode, long strings. */
    private static final List<String[]> HOSTILE_OWNERS = List.of(
            new String[] {"/", "/"}, new String[] {"..", ".."}, new String[] {".", "."}, new String[] {"../t.x", "../../networks/t.x"},
            new String[] {"..%2f..%2ft.x", "%2e%2e"}, new String[] {"%2f", "%00"}, new String[] {"~2f", "~"}, new String[] {"~7e", "~~"},
            new String[] {"a/b", "c"}, new String[] {"a", "b/c"}, new String[] {"a~2fb", "c"}, new String[] {"\\", "..\\.."},
            new String[] {"?x=1", "#frag"}, new String[] {"*", "[a]"}, new String[] {"\u00fc", "\ud83d\ude00"},
            new String[] {"\u202e", "\u200b"}, new String[] {"e\u0301", "\u00e9"}, new String[] {" ", "  "},
            new String[] {"x".repeat(253), "y".repeat(253)}, new String[] {"\u00e9".repeat(253), "\ud83d\ude00".repeat(126)},
            new String[] {"/".repeat(253), ".".repeat(253)}, new String[] {"\"", "'"}, new String[] {"<script>", "${jndi:ldap://x}"},
            new String[] {"null", "undefined"}, new String[] {"%", "%%"}, new String[] {".hidden", "-"}, new String[] {"A", "n"},
            new String[] {"a", "n"}, new String[] {"t.x", "owners"}, new String[] {"..", "../addresses/t.x/0a330001"},
            new String[] {"/t.x/", "/"}, new String[] {"\u0130", "\u0131"}, new String[] {"\uff0e\uff0e", "\uff0f"},
            new String[] {"\u2215", "\u2044"}, new String[] {"t", "t"}, new String[] {"~2e.", "x"}, new String[] {"..", "x"});

    @Test
    @DisplayName("etcd: no name or owner reaches outside <prefix>/networks/<name>, addresses/<name>/ or owners/<name>/; other networks keep every key")
    void etcdKeysStayInsideTheirNetwork() {
        keysStayInsideTheirNetwork("etcd");
    }

    @Test
    @DisplayName("Consul: no name or owner reaches outside <prefix>/networks/<name>, addresses/<name>/ or owners/<name>/; other networks keep every key")
    void consulKeysStayInsideTheirNetwork() {
        keysStayInsideTheirNetwork("consul");
    }

    private void keysStayInsideTheirNetwork(String store) {
        ServiceProcess service = service(store);
        ServiceStore dump = dump(store);
        String prefix = prefixes.get(store);
        ApiClient client = new ApiClient(service.uri(), Optional.of(token));
        // "t" is the target; the bystanders have names that extend it or differ only in case
        client.register("{\"name\":\"t\",\"network\":\"10.50.0.0/24\",\"addresses\":[\"10.50.0.10-10.50.0.250\"]}");
        List<String> bystanders = List.of("t.x", "t-x", "tt", "T", "t_", "t..");
        for (int i = 0; i < bystanders.size(); i++) {
            client.register("{\"name\":\"" + bystanders.get(i) + "\",\"network\":\"10.5" + (i + 1) + ".0.0/24\",\"addresses\":[\"10.5" + (i + 1) + ".0.0/24\"]}");
            client.allocate(bystanders.get(i), "..", "x");
            client.allocate(bystanders.get(i), "a/b", "c");
        }
        SortedMap<String, String> before = dump.everything();

        // allocations by hostile owners: every owner gets its own address, and gets it again when it asks again
        Map<String, String> addressOf = new LinkedHashMap<>();
        for (String[] owner : HOSTILE_OWNERS) {
            String address = client.allocate("t", owner[0], owner[1]);
            assertThat(addressOf.containsValue(address)).as("owner %s got %s, already given to another owner: %s", List.of(owner), address, addressOf)
                    .isFalse();
            addressOf.put(owner[0] + "\u0000" + owner[1], address);
        }
        for (String[] owner : HOSTILE_OWNERS) {
            assertThat(client.allocate("t", owner[0], owner[1])).as("again for %s", List.of(owner)).isEqualTo(addressOf.get(owner[0] + "\u0000" + owner[1]));
            Reply shown = checked(client.get("/v1/networks/t/addresses/" + addressOf.get(owner[0] + "\u0000" + owner[1])));
            assertThat(shown.text("clustername")).as("cluster as stored").isEqualTo(owner[0]);
            assertThat(shown.text("node")).as("node as stored").isEqualTo(owner[1]);
        }
        // the same through a form body, percent-encoded
        String form = "cluster=" + URLEncoder.encode("../../owners/t.x/..", StandardCharsets.UTF_8) + "&node="
                + URLEncoder.encode("/%2F\u00fc", StandardCharsets.UTF_8);
        Reply formed = checked(client.send("POST", "/v1/networks/t", "application/x-www-form-urlencoded", form));
        assertThat(formed.status()).as("form allocation %s", formed).isEqualTo(200);
        // manual mode with hostile owners: claim, claim again, release
        for (String[] owner : List.of(new String[] {"../t.x", "/"}, new String[] {"%2e%2e%2f", "\u00fc/.."})) {
            ObjectNode body = ServiceClient.JSON.createObjectNode().put("cluster", owner[0]).put("node", owner[1]).put("status", "used");
            assertThat(checked(client.putJson("/v1/networks/t/addresses/10.50.0.240", body.toString())).status()).isEqualTo(200);
            assertThat(checked(client.putJson("/v1/networks/t/addresses/10.50.0.240", body.toString())).status()).isEqualTo(200);
            body.put("status", "free");
            assertThat(checked(client.putJson("/v1/networks/t/addresses/10.50.0.240", body.toString())).status()).isEqualTo(200);
        }
        checked(client.putJson("/v1/networks/t/addresses/10.50.0.241", "{\"cluster\":\"../t.x\",\"node\":\"..\",\"status\":\"used\"}"));
        // releasing one of two owners whose unescaped keys would collide leaves the other
        String ab = addressOf.get("a/b\u0000c");
        assertThat(checked(client.putJson("/v1/networks/t/addresses/" + ab, "{\"cluster\":\"a/b\",\"node\":\"c\",\"status\":\"free\"}")).status())
                .isEqualTo(200);
        assertThat(checked(client.get("/v1/networks/t/addresses/" + addressOf.get("a\u0000b/c"))).text("status")).isEqualTo("used");

        // hostile network names, in paths and bodies: refused, nothing written
        SortedMap<String, String> beforeNames = dump.everything();
        for (String name : List.of("t%2F..%2Ft.x", "..%2Ft.x", "t.x%00", "%2e%2e", "t%2Fx", "t%5C..%5Ct.x", "..", "t%2F", "%2Ft")) {
            assertThat(checked(client.postJson("/v1/networks/" + name, "{\"cluster\":\"n\",\"node\":\"n\"}")).status())
                    .as("allocate in %s", name).isBetween(400, 404);
            assertThat(checked(client.putJson("/v1/networks/" + name + "/addresses/10.51.0.5", "{\"cluster\":\"n\",\"node\":\"n\",\"status\":\"used\"}"))
                    .status()).as("claim in %s", name).isBetween(400, 404);
            assertThat(checked(client.delete("/v1/networks/" + name + "?force")).status()).as("delete %s", name).isBetween(400, 404);
        }
        for (String name : List.of("../t.x", "t/../t.x", "t.x/..", "t\u0000", "networks/t", "t/", "/t", "t%2Fx", "..", "addresses/t.x", "t\\x")) {
            ObjectNode body = ServiceClient.JSON.createObjectNode().put("name", name).put("network", "10.70.0.0/24");
            assertThat(checked(client.postJson("/v1/networks", body.toString())).status()).as("register %s", name).isEqualTo(400);
        }
        assertThat(dump.everything()).as("the store after hostile network names").isEqualTo(beforeNames);

        // every key that changed is the target's, in its three places, and looks as the layout says
        SortedMap<String, String> after = dump.everything();
        TreeSet<String> changed = ServiceStore.changedKeys(before, after);
        assertThat(changed).as("keys written").isNotEmpty();
        Pattern addressKey = Pattern.compile(Pattern.quote(prefix) + "/addresses/t/[0-9a-f]{8}");
        Pattern part = Pattern.compile("(~[0-9a-f]{2}|[A-Za-z0-9_-])(~[0-9a-f]{2}|[A-Za-z0-9._-])*");
        for (String key : changed) {
            if (addressKey.matcher(key).matches() || key.equals(prefix + "/networks/t")) {
                continue;
            }
            assertThat(key).as("a key written for network t, outside its places:\n%s", ServiceStore.diff(before, after, 40))
                    .startsWith(prefix + "/owners/t/");
            String[] parts = key.substring((prefix + "/owners/t/").length()).split("/", -1);
            assertThat(parts).as("owner key %s: cluster/node", key).hasSize(2);
            for (String p : parts) {
                assertThat(p).as("owner key part of %s", key).matches(part).isNotIn(".", "..");
            }
        }
        // the bystanders' keys are all still there, unchanged
        for (String bystander : bystanders) {
            for (String area : List.of("/networks/" + bystander, "/addresses/" + bystander + "/", "/owners/" + bystander + "/")) {
                before.forEach((key, value) -> {
                    if (key.startsWith(prefix + area)) {
                        assertThat(after.get(key)).as("bystander key %s", key).isEqualTo(value);
                    }
                });
            }
        }

        // a forced removal of the target deletes its keys and nothing of its neighbours'
        assertThat(checked(client.delete("/v1/networks/t?force")).status()).isEqualTo(200);
        SortedMap<String, String> removed = dump.everything();
        SortedMap<String, String> expected = new java.util.TreeMap<>(before);
        expected.keySet().removeIf(key -> key.equals(prefix + "/networks/t") || key.startsWith(prefix + "/addresses/t/")
                || key.startsWith(prefix + "/owners/t/"));
        assertThat(removed).as("after removing t:\n%s", ServiceStore.diff(expected, removed, 40)).isEqualTo(expected);
        for (String bystander : bystanders) {
            checked(client.delete("/v1/networks/" + bystander + "?force"));
        }
    }

    // ------------------------------------------------------------------ aliases

    @Test
    @DisplayName("distinct owners never share a key: lone surrogates and invalid UTF-8 are refused or kept apart")
    void ownersDoNotAlias() {
        ServiceProcess service = service("etcd");
        ApiClient client = new ApiClient(service.uri(), Optional.of(token));
        client.register("{\"name\":\"alias\",\"network\":\"10.63.0.0/24\",\"addresses\":[\"10.63.0.10-10.63.0.100\"]}");
        try {
            List<String> problems = new ArrayList<>();
            // JSON escapes of lone surrogates: different strings, and "?" that UTF-8 encoding would make of them
            Map<String, String> given = new LinkedHashMap<>();
            for (String escaped : List.of("\\ud800", "\\udfff", "\\udbff\\udbff", "?", "??")) {
                Reply reply = checked(client.postJson("/v1/networks/alias", "{\"cluster\":\"" + escaped + "\",\"node\":\"n\"}"));
                if (reply.status() == 200) {
                    String address = reply.text("address");
                    if (given.containsValue(address)) {
                        problems.add("cluster \"" + escaped + "\" got " + address + ", which another owner holds (owners so far: " + given
                                + "): distinct owners share one owner key");
                    }
                    given.put(escaped, address);
                } else if (reply.status() != 400) {
                    problems.add("cluster \"" + escaped + "\": " + reply);
                }
            }
            // invalid UTF-8 in a JSON string: an overlong "/" must not become the owner "/"
            String slash = client.allocate("alias", "/", "n");
            for (byte[] cluster : List.of(new byte[] {(byte) 0xc0, (byte) 0xaf}, new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf})) {
                byte[] body = concat("{\"cluster\":\"".getBytes(StandardCharsets.US_ASCII), cluster, "\",\"node\":\"n\"}".getBytes(StandardCharsets.US_ASCII));
                Reply reply = checked(client.send(java.net.http.HttpRequest.newBuilder(service.uri().resolve("/v1/networks/alias"))
                        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build()));
                if (reply.status() != 400) {
                    problems.add("cluster of invalid UTF-8 bytes " + HexFormat.of().formatHex(cluster) + " answered " + reply
                            + " (the owner \"/\" holds " + slash + "): invalid UTF-8 must be a 400");
                }
            }
            assertThat(problems).as("owners that alias").isEmpty();
        } finally {
            checked(client.delete("/v1/networks/alias?force"));
        }
    }

    @Test
    @DisplayName("address literals: an IPv4-mapped IPv6 literal is the same address (no second holder); zone ids and non-ASCII digits are refused")
    void addressesDoNotAlias() {
        ServiceProcess service = service("etcd");
        ApiClient client = new ApiClient(service.uri(), Optional.of(token));
        client.register("{\"name\":\"lit\",\"network\":\"10.64.0.0/24\",\"addresses\":[\"10.64.0.10-10.64.0.100\"]}");
        client.register("{\"name\":\"lit6\",\"network\":\"2001:db8:64::/64\",\"addresses\":[\"2001:db8:64::10-2001:db8:64::ff\"]}");
        try {
            assertThat(checked(client.putJson("/v1/networks/lit/addresses/10.64.0.20", "{\"cluster\":\"x\",\"node\":\"1\",\"status\":\"used\"}")).status())
                    .isEqualTo(200);
            for (String alias : List.of("::ffff:10.64.0.20", "::ffff:a40:14", "::FFFF:10.64.0.20")) {
                Reply claim = checked(client.putJson("/v1/networks/lit/addresses/" + alias, "{\"cluster\":\"y\",\"node\":\"1\",\"status\":\"used\"}"));
                assertThat(claim.status()).as("claiming %s, an alias of 10.64.0.20 held by x/1: %s", alias, claim).isEqualTo(409);
                assertThat(checked(client.get("/v1/networks/lit/addresses/" + alias)).text("clustername")).isEqualTo("x");
            }
            assertThat(checked(client.putJson("/v1/networks/lit6/addresses/2001:db8:64::10", "{\"cluster\":\"x\",\"node\":\"1\",\"status\":\"used\"}"))
                    .status()).isEqualTo(200);
            for (String alias : List.of("2001:DB8:64::10", "2001:db8:64:0:0:0:0:10", "2001:0db8:0064:0000:0000:0000:0000:0010")) {
                assertThat(checked(client.putJson("/v1/networks/lit6/addresses/" + alias, "{\"cluster\":\"y\",\"node\":\"1\",\"status\":\"used\"}"))
                        .status()).as("claiming %s", alias).isEqualTo(409);
            }
            List<String> problems = new ArrayList<>();
            for (String[] literal : List.of(new String[] {"lit", "10.64.0.21%25eth0"}, new String[] {"lit", "::ffff:10.64.0.21%25eth0"},
                    new String[] {"lit", "%EF%BC%91%EF%BC%90.64.0.21"}, new String[] {"lit", "%D9%A1%D9%A0.64.0.21"},
                    new String[] {"lit", "10.64.0.%EF%BC%92%EF%BC%93"}, new String[] {"lit", "10.64.0.021"}, new String[] {"lit", "0x0a.64.0.21"},
                    new String[] {"lit", "10.64.21"}, new String[] {"lit", "167772181"}, new String[] {"lit6", "2001:db8:64::11%25lo"},
                    new String[] {"lit6", "2001:db8:64::11%251"}, new String[] {"lit6", "fe80::1%25eth0"},
                    new String[] {"lit6", "2001:db8:64::%EF%BC%91%EF%BC%92"})) {
                Reply claim = checked(client.putJson("/v1/networks/" + literal[0] + "/addresses/" + literal[1],
                        "{\"cluster\":\"z\",\"node\":\"" + literal[1].hashCode() + "\",\"status\":\"used\"}"));
                if (claim.status() != 400) {
                    problems.add("claiming the literal '" + literal[1] + "' in " + literal[0] + " answered " + claim);
                }
            }
            assertThat(problems).as("address literals that are not ASCII IP addresses").isEmpty();
        } finally {
            checked(client.delete("/v1/networks/lit?force"));
            checked(client.delete("/v1/networks/lit6?force"));
        }
    }

    // ------------------------------------------------------------------ browsers on the same machine

    @Test
    @DisplayName("without a token, a web page in a browser on this machine cannot change allocations (cross-site form POST, DNS rebinding)")
    void browsersCannotWriteAcrossSites() throws Exception {
        try (ServiceProcess service = ServiceProcess.startAsOperator("security-browser", LOGS, List.of(), Map.of())) {
            ApiClient local = new ApiClient(service.uri(), Optional.empty());
            local.register("{\"name\":\"web\",\"network\":\"10.65.0.0/24\",\"addresses\":[\"10.65.0.10-10.65.0.20\"]}");
            InetSocketAddress address = new InetSocketAddress(service.address(), service.port());

            // what <form method=post action=http://127.0.0.1:port/v1/networks/web> sends from another site: no preflight
            String form = "cluster=evil&node=csrf";
            HostileWire.Outcome csrf = HostileWire.exchange(address, ("POST /v1/networks/web HTTP/1.1\r\nHost: 127.0.0.1:" + service.port()
                    + "\r\nOrigin: http://evil.example\r\nSec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: navigate\r\nReferer: http://evil.example/\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length() + "\r\nConnection: close\r\n\r\n" + form)
                    .getBytes(StandardCharsets.US_ASCII), false, 10_000, false);
            // what a page on a rebound name (evil.example resolving to 127.0.0.1) sends: same-origin for the browser, any method
            String json = "{\"cluster\":\"evil\",\"node\":\"rebind\"}";
            HostileWire.Outcome rebind = HostileWire.exchange(address, ("POST /v1/networks/web HTTP/1.1\r\nHost: evil.example:" + service.port()
                    + "\r\nOrigin: http://evil.example:" + service.port() + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length()
                    + "\r\nConnection: close\r\n\r\n" + json).getBytes(StandardCharsets.US_ASCII), false, 10_000, false);

            Reply used = checked(local.get("/v1/networks/web/addresses?used&full"));
            assertThat(csrf.replies()).isNotEmpty();
            assertThat(rebind.replies()).isNotEmpty();
            assertThat(List.of(csrf.replies().get(0).status(), rebind.replies().get(0).status()))
                    .as("a cross-site form POST (Origin: http://evil.example) answered %s and a request for Host: evil.example answered %s; "
                            + "the network's used addresses are now %s. Without a token the service accepts writes from any web page the "
                            + "operator's browser visits (simple requests need no CORS preflight; DNS rebinding makes any method "
                            + "same-origin). Refuse writes that carry a foreign Origin (or Sec-Fetch-Site: cross-site), and requests "
                            + "whose Host is not the bind address, localhost or an IP literal when bound to loopback",
                            csrf.replies().get(0), rebind.replies().get(0), used.body())
                    .allMatch(status -> status >= 400 && status < 500);
            assertThat(used.json().path("addresses").size()).as("allocations made by cross-site requests").isZero();
        }
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
