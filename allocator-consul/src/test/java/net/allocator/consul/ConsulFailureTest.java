package net.allocator.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.Condition;
import net.allocator.core.store.Operation;
import net.allocator.core.store.StoreOutcomeUnknownException;
import net.allocator.core.testkit.ChangeRecorder;
import net.allocator.core.testkit.TcpProxy;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the store does when Consul is away, hangs, or answers with an error. */
class ConsulFailureTest {

    private static ConsulKeyValueStore storeAt(String url, String... extra) {
        Map<String, String> values = new HashMap<>();
        values.put(ConsulConfig.URL, url);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            values.put(extra[i], extra[i + 1]);
        }
        return new ConsulKeyValueStore(ConsulConfig.from(name -> Optional.ofNullable(values.get(name))));
    }

    /** Runs {@code call}, expects {@code type}, and returns how long it took in milliseconds. */
    private static long timeFailure(ThrowingCallable call, Class<? extends Throwable> type, String... messageParts) {
        long start = System.nanoTime();
        var thrown = assertThatThrownBy(call).isExactlyInstanceOf(type);
        for (String part : messageParts) {
            thrown.hasMessageContaining(part);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Nested
    @DisplayName("unreachable Consul")
    class Unreachable {
        @Test
        @DisplayName("a refused connection is store-unavailable for every call, naming the URL; a commit's outcome is known (nothing was sent)")
        void refused() throws IOException {
            String url = "http://127.0.0.1:" + freePort();
            try (ConsulKeyValueStore store = storeAt(url, ConsulConfig.TIMEOUT, "1s", ConsulConfig.CONNECT_TIMEOUT, "500ms")) {
                String[] parts = {"Consul at " + url, "could not connect"};
                assertThat(timeFailure(() -> store.get("k"), StoreUnavailableException.class, parts)).isLessThan(4500);
                timeFailure(() -> store.scan("p/", null, 10), StoreUnavailableException.class, parts);
                timeFailure(() -> store.commit(List.of(Condition.absent("k")), List.of(Operation.put("k", "v"))), StoreUnavailableException.class, parts);
                timeFailure(() -> store.commit(List.of(), List.of(Operation.put("k", "v"), Operation.delete("j"))), StoreUnavailableException.class, parts);
                timeFailure(store::ping, StoreUnavailableException.class, parts);
                timeFailure(() -> store.watch("p/", 1, new ChangeRecorder("")), StoreUnavailableException.class, parts);
            }
        }

        @Test
        @DisplayName("a Consul that accepts but never answers: reads fail as unavailable, commits as outcome-unknown, within about the timeout")
        void hung() throws IOException {
            List<Socket> held = new CopyOnWriteArrayList<>();
            try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                Thread acceptor = new Thread(() -> {
                    try {
                        while (true) {
                            held.add(silent.accept());
                        }
                    } catch (IOException e) {
                        // closed at the end of the test
                    }
                });
                acceptor.setDaemon(true);
                acceptor.start();
                String url = "http://127.0.0.1:" + silent.getLocalPort();
                try (ConsulKeyValueStore store = storeAt(url, ConsulConfig.TIMEOUT, "1s")) {
                    // Loosely: under 3x the timeout (1s) plus the connect timeout (2s).
                    assertThat(timeFailure(() -> store.get("k"), StoreUnavailableException.class, "Consul at " + url, "no answer within 1000ms"))
                            .isBetween(900L, 9000L);
                    assertThat(timeFailure(store::ping, StoreUnavailableException.class, "no answer")).isLessThan(9000);
                    assertThat(timeFailure(() -> store.commit(List.of(Condition.absent("k")), List.of(Operation.put("k", "v"))),
                            StoreOutcomeUnknownException.class, "may or may not have been applied")).isLessThan(9000);
                    assertThat(timeFailure(() -> store.commit(List.of(Condition.absent("k")), List.of(Operation.put("k", "v"), Operation.put("j", "w"))),
                            StoreOutcomeUnknownException.class, "transaction of k, j")).isLessThan(9000);
                }
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }

        @Test
        @DisplayName("the same instance works again once Consul is back")
        void recovers() throws Exception {
            String prefix = "consul-failure-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + "/";
            try (TcpProxy proxy = new TcpProxy(ConsulTestServer.url());
                    ConsulKeyValueStore store = storeAt(proxy.url(), ConsulConfig.TIMEOUT, "1s")) {
                try {
                    assertThat(store.commit(List.of(Condition.absent(prefix + "a")), List.of(Operation.put(prefix + "a", "1")))).isTrue();
                    proxy.down();
                    assertThatThrownBy(() -> store.get(prefix + "a")).isInstanceOf(StoreUnavailableException.class);
                    assertThatThrownBy(() -> store.commit(List.of(), List.of(Operation.put(prefix + "b", "1"))))
                            .isInstanceOf(StoreUnavailableException.class);
                    proxy.up();
                    assertThat(store.get(prefix + "a").orElseThrow().value()).isEqualTo("1");
                    store.ping();
                    assertThat(store.commit(List.of(Condition.absent(prefix + "b")), List.of(Operation.put(prefix + "b", "2")))).isTrue();
                } finally {
                    proxy.up();
                    store.commit(List.of(), List.of(Operation.deletePrefix(prefix)));
                }
            }
        }
    }

    @Nested
    @DisplayName("error answers")
    class ErrorAnswers {
        @Test
        @DisplayName("a Consul without a leader (HTTP 500) is store-unavailable with Consul's reason, and so is an empty leader on ping")
        void noLeader() throws IOException {
            try (FakeConsul fake = new FakeConsul(request -> request.uri().startsWith("/v1/status/leader")
                            ? FakeConsul.Reply.ok("\"\"") : new FakeConsul.Reply(500, "No cluster leader", 0));
                    ConsulKeyValueStore store = storeAt(fake.url())) {
                timeFailure(() -> store.get("k"), StoreUnavailableException.class, "HTTP 500", "No cluster leader", fake.url());
                timeFailure(() -> store.scan("p/", null, 1), StoreUnavailableException.class, "No cluster leader");
                timeFailure(() -> store.commit(List.of(), List.of(Operation.put("k", "v"), Operation.put("j", "v"))),
                        StoreUnavailableException.class, "No cluster leader");
                timeFailure(store::ping, StoreUnavailableException.class, "no cluster leader");
            }
        }

        @Test
        @DisplayName("a server error after a write may have reached the leader (a broken forward) leaves the outcome unknown; one before it did not")
        void ambiguousWriteError() throws IOException {
            try (FakeConsul fake = new FakeConsul(request -> new FakeConsul.Reply(500, "rpc error making call: EOF", 0));
                    ConsulKeyValueStore store = storeAt(fake.url())) {
                timeFailure(() -> store.commit(List.of(Condition.absent("k")), List.of(Operation.put("k", "v"))),
                        StoreOutcomeUnknownException.class, "rpc error making call: EOF", "may or may not have been applied");
                timeFailure(() -> store.commit(List.of(), List.of(Operation.put("k", "v"), Operation.delete("j"))),
                        StoreOutcomeUnknownException.class, "HTTP 500");
                timeFailure(() -> store.get("k"), StoreUnavailableException.class, "rpc error making call: EOF");
                // Not connecting to the leader at all means the write never left the agent.
                fake.handler(request -> new FakeConsul.Reply(500,
                        "rpc error getting client: failed to get conn: dial tcp 127.0.0.1:1: connect: connection refused", 0));
                timeFailure(() -> store.commit(List.of(Condition.absent("k")), List.of(Operation.put("k", "v"))),
                        StoreUnavailableException.class, "rpc error getting client");
            }
        }

        @Test
        @DisplayName("a denied ACL is an error that points at consul-token, also inside a rolled-back transaction")
        void permissionDenied() throws IOException {
            try (FakeConsul fake = new FakeConsul(request -> request.uri().startsWith("/v1/txn")
                            ? new FakeConsul.Reply(409, "{\"Results\":null,\"Errors\":[{\"OpIndex\":0,\"What\":\"key \\\"k\\\" exists\"},"
                                    + "{\"OpIndex\":1,\"What\":\"Permission denied\"}]}", 0)
                            : new FakeConsul.Reply(403, "Permission denied", 0));
                    ConsulKeyValueStore store = storeAt(fake.url())) {
                timeFailure(() -> store.get("k"), StoreUnavailableException.class, "HTTP 403", "consul-token");
                timeFailure(() -> store.commit(List.of(Condition.absent("k")), List.of(Operation.put("k", "v"), Operation.put("j", "v"))),
                        StoreUnavailableException.class, "operation 1: Permission denied");
            }
        }

        @Test
        @DisplayName("a 409 listing only failed checks is a plain false")
        void failedChecks() throws IOException {
            String body = "{\"Results\":null,\"Errors\":[{\"OpIndex\":0,\"What\":\"key \\\"k\\\" exists\"},"
                    + "{\"OpIndex\":1,\"What\":\"failed index check for key \\\"j\\\", current modify index 8 != 1\"},"
                    + "{\"OpIndex\":2,\"What\":\"failed to check index, key \\\"i\\\" doesn't exist\"}]}";
            try (FakeConsul fake = new FakeConsul(request -> new FakeConsul.Reply(409, body, 0));
                    ConsulKeyValueStore store = storeAt(fake.url())) {
                assertThat(store.commit(List.of(Condition.absent("k"), Condition.atVersion("j", 1), Condition.atVersion("i", 1)),
                        List.of(Operation.put("k", "v")))).isFalse();
                // The same message on the wrong kind of check is not taken for a failed check.
                timeFailure(() -> store.commit(List.of(Condition.atVersion("k", 1), Condition.atVersion("j", 1), Condition.atVersion("i", 1)),
                        List.of(Operation.put("k", "v"))), StoreUnavailableException.class, "operation 0");
            }
        }

        @Test
        @DisplayName("the ACL token travels as the X-Consul-Token header, never in the URL, and the datacenter as dc=")
        void tokenAndDatacenter() throws IOException {
            try (FakeConsul fake = new FakeConsul(request -> new FakeConsul.Reply(404, "", 7));
                    ConsulKeyValueStore store = storeAt(fake.url(), ConsulConfig.TOKEN, "s3cr3t", ConsulConfig.DATACENTER, "dc 2")) {
                assertThat(store.get("a b")).isEmpty();
                assertThat(store.scan("p/", null, 5).revision()).isEqualTo(7);
                FakeConsul.Request get = fake.requests.get(0);
                assertThat(get.header("X-Consul-Token")).isEqualTo("s3cr3t");
                assertThat(get.uri()).isEqualTo("/v1/kv/a%20b?consistent&dc=dc+2").doesNotContain("s3cr3t");
                assertThat(fake.requests.get(1).uri()).isEqualTo("/v1/kv/p/?recurse&consistent&dc=dc+2");
            }
            try (FakeConsul fake = new FakeConsul(request -> new FakeConsul.Reply(404, "", 7));
                    ConsulKeyValueStore store = storeAt(fake.url())) {
                store.get("a");
                assertThat(fake.requests.get(0).header("X-Consul-Token")).isNull();
            }
        }

        @Test
        @DisplayName("a claim sends PUT ?cas=0 with the raw value; a transaction sends base64 values and Consul's verbs in order")
        void wireFormat() throws IOException {
            try (FakeConsul fake = new FakeConsul(request -> request.uri().startsWith("/v1/txn")
                            ? FakeConsul.Reply.ok("{\"Results\":[],\"Errors\":null}") : FakeConsul.Reply.ok("true"));
                    ConsulKeyValueStore store = storeAt(fake.url())) {
                assertThat(store.commit(List.of(Condition.absent("n/a")), List.of(Operation.put("n/a", "ü")))).isTrue();
                assertThat(store.commit(List.of(Condition.atVersion("n/a", 12)), List.of(Operation.put("n/a", "x")))).isTrue();
                assertThat(store.commit(List.of(Condition.absent("n/b"), Condition.atVersion("n/c", 5)),
                        List.of(Operation.put("n/b", "hi"), Operation.delete("n/c"), Operation.deletePrefix("n/d/")))).isTrue();
                assertThat(fake.requests.get(0).method()).isEqualTo("PUT");
                assertThat(fake.requests.get(0).uri()).isEqualTo("/v1/kv/n/a?cas=0");
                assertThat(fake.requests.get(0).body()).isEqualTo("ü");
                assertThat(fake.requests.get(1).uri()).isEqualTo("/v1/kv/n/a?cas=12");
                assertThat(fake.requests.get(2).uri()).isEqualTo("/v1/txn");
                assertThat(fake.requests.get(2).body()).isEqualTo("[{\"KV\":{\"Verb\":\"check-not-exists\",\"Key\":\"n/b\"}},"
                        + "{\"KV\":{\"Verb\":\"check-index\",\"Key\":\"n/c\",\"Index\":5}},"
                        + "{\"KV\":{\"Verb\":\"set\",\"Key\":\"n/b\",\"Value\":\"aGk=\"}},"
                        + "{\"KV\":{\"Verb\":\"delete\",\"Key\":\"n/c\"}},"
                        + "{\"KV\":{\"Verb\":\"delete-tree\",\"Key\":\"n/d/\"}}]");
            }
        }

        @Test
        @DisplayName("a request Consul refuses as malformed is an error, never a false")
        void badRequest() throws IOException {
            try (FakeConsul fake = new FakeConsul(request -> new FakeConsul.Reply(400, "Failed to parse body: unexpected EOF", 0));
                    ConsulKeyValueStore store = storeAt(fake.url())) {
                timeFailure(() -> store.commit(List.of(Condition.absent("k")), List.of(Operation.put("k", "v"), Operation.put("j", "v"))),
                        StoreUnavailableException.class, "HTTP 400", "Failed to parse body");
                timeFailure(() -> store.commit(List.of(Condition.absent("k")), List.of(Operation.put("k", "v"))),
                        StoreUnavailableException.class, "HTTP 400");
            }
        }
    }
}
