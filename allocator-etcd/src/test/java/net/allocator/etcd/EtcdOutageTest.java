package net.allocator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.StoreOutcomeUnknownException;
import net.allocator.core.testkit.ChangeRecorder;
import net.allocator.core.testkit.StoreFixture;
import net.allocator.core.testkit.TcpProxy;
import net.allocator.core.testkit.TcpProxy.Mode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An etcd that is down, hung or coming back, simulated with a {@link TcpProxy} in front of the
 * real one (or a closed port). Timings are measured but only asserted loosely (3x the timeout),
 * so that a slow machine does not fail them.
 */
class EtcdOutageTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration LOOSE_BOUND = TIMEOUT.multipliedBy(3);
    private static final String[] FAST = {EtcdConfig.TIMEOUT, "1s", EtcdConfig.CONNECT_TIMEOUT, "500ms"};

    @RegisterExtension
    final StoreFixture<EtcdKeyValueStore> fixture = new StoreFixture<>("etcd-outage", EtcdTestServer::open);

    private static EtcdKeyValueStore openAt(String endpoints) {
        return new EtcdKeyValueStore(EtcdTestServer.config(concat(FAST, EtcdConfig.ENDPOINTS, endpoints)));
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    /** Runs {@code call}, expecting a failure; returns it and checks that it came in time. */
    private static Throwable failureOf(String what, Consumer<KeyValueStore> call, KeyValueStore store) {
        long start = System.nanoTime();
        Throwable failure = catchThrowable(() -> call.accept(store));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("%s failed after %d ms: %s%n", what, took.toMillis(), failure);
        assertThat(failure).as(what).isInstanceOf(StoreUnavailableException.class);
        assertThat(took).as(what + " took").isLessThan(LOOSE_BOUND);
        return failure;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    @DisplayName("with nothing listening, every call fails in time with store-unavailable naming the endpoint; a commit is known not sent")
    void nothingListening() throws Exception {
        String endpoint = "http://127.0.0.1:" + closedPort();
        try (EtcdKeyValueStore store = openAt(endpoint)) {
            Map<String, Consumer<KeyValueStore>> calls = Map.of(
                    "get", s -> s.get(fixture.key("a")),
                    "scan", s -> s.scan(fixture.prefix(), null, 10),
                    "ping", KeyValueStore::ping,
                    "commit", s -> s.commit(List.of(Condition.absent(fixture.key("a"))), List.of(Operation.put(fixture.key("a"), "x"))));
            for (var call : calls.entrySet()) {
                Throwable failure = failureOf(call.getKey(), call.getValue(), store);
                assertThat(failure).as(call.getKey()).hasMessageContaining(endpoint);
                if (call.getKey().equals("commit")) {
                    assertThat(failure).isNotInstanceOf(StoreOutcomeUnknownException.class).hasMessageContaining("refused");
                }
            }
            ChangeRecorder recorder = new ChangeRecorder(fixture.prefix());
            store.watch(fixture.prefix(), 1, recorder);
            assertThat(recorder.awaitTexts(1)).containsExactly("reset");
        }
    }

    @Test
    @DisplayName("a hung etcd: reads fail in time with store-unavailable, and a commit sent into it is outcome-unknown")
    void hung() throws Exception {
        try (TcpProxy proxy = new TcpProxy(EtcdTestServer.endpoints()); EtcdKeyValueStore store = openAt(proxy.url())) {
            store.ping(); // the connection is up
            proxy.mode(Mode.FROZEN);
            Throwable read = failureOf("get", s -> s.get(fixture.key("a")), store);
            assertThat(read).isNotInstanceOf(StoreOutcomeUnknownException.class).hasMessageContaining(proxy.url());
            failureOf("ping", KeyValueStore::ping, store);
            Throwable write = failureOf("commit", s -> s.commit(List.of(), List.of(Operation.put(fixture.key("a"), "x"))), store);
            assertThat(write).isInstanceOf(StoreOutcomeUnknownException.class).hasMessageContaining("may or may not have been applied");
            proxy.mode(Mode.FORWARD);
            store.ping();
        }
    }

    @Test
    @DisplayName("etcd stopping and coming back: calls fail meanwhile, a watch resets, and the same store works again by itself")
    void recovers() throws Exception {
        try (TcpProxy proxy = new TcpProxy(EtcdTestServer.endpoints()); EtcdKeyValueStore store = openAt(proxy.url())) {
            assertThat(store.commit(List.of(), List.of(Operation.put(fixture.key("a"), "before")))).isTrue();
            ChangeRecorder recorder = new ChangeRecorder(fixture.prefix());
            store.watch(fixture.prefix(), store.scan(fixture.prefix(), null, 1).revision(), recorder);

            proxy.down();
            assertThat(recorder.awaitTexts(1)).containsExactly("reset");
            // Long enough an outage for gRPC's reconnect back-off to grow past a few seconds; every
            // call meanwhile fails in time.
            Duration outage = Duration.ofSeconds(8);
            await().during(outage).atMost(outage.plus(LOOSE_BOUND.multipliedBy(2))).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> failureOf("get during outage", s -> s.get(fixture.key("a")), store));
            Throwable commit = failureOf("commit during outage", s -> s.commit(List.of(), List.of(Operation.put(fixture.key("a"), "x"))), store);
            assertThat(commit).isNotInstanceOf(StoreOutcomeUnknownException.class);

            proxy.up();
            long back = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreException(StoreUnavailableException.class)
                    .untilAsserted(() -> assertThat(store.get(fixture.key("a")).orElseThrow().value()).isEqualTo("before"));
            Duration recovery = Duration.ofNanos(System.nanoTime() - back);
            System.out.printf("recovered %s after etcd came back%n", recovery);
            assertThat(recovery).as("time to recover").isLessThan(Duration.ofSeconds(5));
            assertThat(store.commit(List.of(), List.of(Operation.put(fixture.key("a"), "after")))).isTrue();
            ChangeRecorder again = new ChangeRecorder(fixture.prefix());
            store.watch(fixture.prefix(), store.scan(fixture.prefix(), null, 1).revision(), again);
            store.commit(List.of(), List.of(Operation.delete(fixture.key("a"))));
            assertThat(again.awaitTexts(1)).singleElement().asString().startsWith("delete a");
        }
    }
}
