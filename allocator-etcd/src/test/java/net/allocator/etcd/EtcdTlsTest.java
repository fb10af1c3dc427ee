package net.allocator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.Operation;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreOutcomeUnknownException;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The TLS settings against a private etcd that serves https and requires client certificates
 * (the etcd binary that {@code scripts/install-servers.sh} installed, with the test-only
 * certificates in {@code src/test/resources/tls}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdTlsTest {
    private Path tls;
    private Path dataDir;
    private Path log;
    private Process etcd;
    private int port;

    @BeforeAll
    void startEtcdWithTls() throws Exception {
        Path binary = EtcdTestServer.scripts().toAbsolutePath().getParent().resolve(".servers/bin/etcd");
        if (!Files.isExecutable(binary)) {
            fail(binary + " is missing: run the tests through scripts/with-servers.sh, which installs it");
        }
        tls = Path.of(getClass().getResource("/tls/ca.pem").toURI()).getParent();
        dataDir = Files.createTempDirectory("etcd-tls");
        log = Files.createTempFile("etcd-tls", ".log");
        port = freePort();
        int peerPort = freePort();
        etcd = new ProcessBuilder(binary.toString(),
                "--name", "tls",
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", "https://127.0.0.1:" + port,
                "--advertise-client-urls", "https://127.0.0.1:" + port,
                "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-cluster", "tls=http://127.0.0.1:" + peerPort,
                "--cert-file", tls.resolve("server.pem").toString(),
                "--key-file", tls.resolve("server.key").toString(),
                "--trusted-ca-file", tls.resolve("ca.pem").toString(),
                "--client-cert-auth")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (EtcdKeyValueStore store = open(true, true, null)) {
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .failFast("etcd exited", () -> !etcd.isAlive())
                        .ignoreException(StoreUnavailableException.class).untilAsserted(store::ping);
            } catch (ConditionTimeoutException | TerminalFailureException e) {
                fail("etcd with TLS did not start: " + e.getMessage() + "\n" + Files.readString(log));
            }
        }
    }

    @AfterAll
    void stopEtcd() throws Exception {
        if (etcd != null) {
            etcd.destroy();
            if (!etcd.waitFor(10, TimeUnit.SECONDS)) {
                etcd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (dataDir != null) {
            try (var files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        if (log != null) {
            Files.deleteIfExists(log);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private EtcdKeyValueStore open(boolean trustCa, boolean clientCertificate, String authority) {
        Map<String, String> settings = new HashMap<>();
        settings.put(EtcdConfig.ENDPOINTS, "https://127.0.0.1:" + port);
        settings.put(EtcdConfig.TIMEOUT, "3s");
        if (trustCa) {
            settings.put(EtcdConfig.TLS_CA, tls.resolve("ca.pem").toString());
        }
        if (clientCertificate) {
            settings.put(EtcdConfig.TLS_CERT, tls.resolve("client.pem").toString());
            settings.put(EtcdConfig.TLS_KEY, tls.resolve("client.key").toString());
        }
        if (authority != null) {
            settings.put(EtcdConfig.AUTHORITY, authority);
        }
        return new EtcdKeyValueStore(EtcdConfig.from(Settings.of(settings)));
    }

    @Test
    @DisplayName("over https with the CA and a client certificate, the store reads and commits")
    void mutualTls() {
        try (EtcdKeyValueStore store = open(true, true, null)) {
            assertThat(store.commit(List.of(), List.of(Operation.put("tls/a", "1")))).isTrue();
            assertThat(store.get("tls/a").map(KeyValue::value)).contains("1");
            store.commit(List.of(), List.of(Operation.deletePrefix("tls/")));
        }
    }

    @Test
    @DisplayName("etcd-authority names the host to expect in the certificate when the endpoints name another")
    void authority() {
        try (EtcdKeyValueStore store = open(true, true, "etcd.test")) {
            store.ping();
        }
        try (EtcdKeyValueStore store = open(true, true, "other.test")) {
            assertThat(catchThrowable(store::ping)).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("other.test");
        }
    }

    @Test
    @DisplayName("without the client certificate etcd refuses the handshake, and the failure says so")
    void clientCertificateRequired() {
        try (EtcdKeyValueStore store = open(true, false, null)) {
            assertThat(catchThrowable(store::ping)).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("certificate");
        }
    }

    @Test
    @DisplayName("a server certificate the store does not trust fails the handshake; a commit is known not sent")
    void untrustedServer() {
        try (EtcdKeyValueStore store = open(false, true, null)) {
            Throwable failure = catchThrowable(() -> store.commit(List.of(), List.of(Operation.put("tls/b", "1"))));
            assertThat(failure).isInstanceOf(StoreUnavailableException.class).isNotInstanceOf(StoreOutcomeUnknownException.class)
                    .hasMessageContaining("certification path").hasMessageNotContaining("\n");
        }
    }
}
