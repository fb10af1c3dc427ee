package net.allocator.etcd;

import static net.allocator.etcd.EtcdKeys.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.etcd.jetcd.Auth;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.Operation;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreOutcomeUnknownException;
import net.allocator.core.testkit.ChangeRecorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * etcd-user and etcd-password against a private etcd with authentication enabled (started with
 * {@code scripts/etcd.sh}, since enabling auth on the shared one would break every other test),
 * where the allocator's user may only use the keys under {@code alloc/}, as in production.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdAuthTest {
    private static final String ROOT_PASSWORD = "root-secret";
    private static final String USER = "allocator";
    private static final String PASSWORD = "allocator secret ";

    private String name;
    private String endpoints;

    @BeforeAll
    void startEtcdWithAuth() throws Exception {
        EtcdTestServer.scripts();
        name = "etcd-auth" + ProcessHandle.current().pid();
        endpoints = EtcdTestServer.runScript(120, "etcd.sh", "start", name);
        try (Client admin = Client.builder().endpoints(URI.create(endpoints)).build()) {
            Auth auth = admin.getAuthClient();
            await(auth.userAdd(bytes("root"), bytes(ROOT_PASSWORD)));
            await(auth.userGrantRole(bytes("root"), bytes("root")));
            await(auth.roleAdd(bytes("allocator")));
            await(auth.roleGrantPermission(bytes("allocator"), bytes("alloc/"), bytes("alloc0"), Permission.Type.READWRITE));
            await(auth.userAdd(bytes(USER), bytes(PASSWORD)));
            await(auth.userGrantRole(bytes(USER), bytes("allocator")));
            await(auth.authEnable());
        }
    }

    @AfterAll
    void stopEtcd() throws Exception {
        if (name != null) {
            EtcdTestServer.runScript(60, "etcd.sh", "stop", name);
        }
    }

    private static void await(java.util.concurrent.CompletableFuture<?> future) throws Exception {
        future.get(10, TimeUnit.SECONDS);
    }

    private EtcdKeyValueStore open(String user, String password) {
        Map<String, String> settings = new HashMap<>();
        settings.put(EtcdConfig.ENDPOINTS, endpoints);
        settings.put(EtcdConfig.TIMEOUT, "3s");
        settings.put(EtcdConfig.USER, user);
        settings.put(EtcdConfig.PASSWORD, password);
        return new EtcdKeyValueStore(EtcdConfig.from(Settings.of(settings)));
    }

    @Test
    @DisplayName("with its user and password the store reads, commits and watches its keys, and answers a ping")
    void authorized() throws Exception {
        try (EtcdKeyValueStore store = open(USER, PASSWORD)) {
            store.ping(); // its user may not read key 'health', but the denial proves the cluster answers
            long start = store.scan("alloc/", null, 1).revision();
            ChangeRecorder recorder = new ChangeRecorder("alloc/");
            try (AutoCloseable feed = store.watch("alloc/", start, recorder).orElseThrow()) {
                assertThat(store.commit(List.of(Condition.absent("alloc/a")), List.of(Operation.put("alloc/a", "1")))).isTrue();
                assertThat(store.get("alloc/a").map(KeyValue::value)).contains("1");
                assertThat(recorder.awaitTexts(1)).hasSize(1).allMatch(e -> e.startsWith("put a=1"));
            }
            store.commit(List.of(), List.of(Operation.deletePrefix("alloc/")));
        }
    }

    @Test
    @DisplayName("keys outside the user's permission fail as store-unavailable saying 'permission denied', and a commit is known not applied")
    void permissionDenied() {
        try (EtcdKeyValueStore store = open(USER, PASSWORD)) {
            Throwable read = catchThrowable(() -> store.get("other/a"));
            assertThat(read).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("permission denied");
            Throwable write = catchThrowable(() -> store.commit(List.of(), List.of(Operation.put("other/a", "x"))));
            assertThat(write).isInstanceOf(StoreUnavailableException.class).isNotInstanceOf(StoreOutcomeUnknownException.class)
                    .hasMessageContaining("permission denied");
        }
    }

    @Test
    @DisplayName("a wrong password fails every call as store-unavailable saying why, without a retry storm or a hang")
    void wrongPassword() {
        try (EtcdKeyValueStore store = open(USER, "wrong")) {
            long start = System.nanoTime();
            Throwable ping = catchThrowable(store::ping);
            Throwable write = catchThrowable(() -> store.commit(List.of(), List.of(Operation.put("alloc/b", "x"))));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
            assertThat(ping).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("authentication failed");
            assertThat(write).isInstanceOf(StoreUnavailableException.class).isNotInstanceOf(StoreOutcomeUnknownException.class)
                    .hasMessageContaining("authentication failed");
        }
    }
}
