package net.allocator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import net.allocator.core.InvalidInputException;
import net.allocator.core.store.CommitSizeLimit;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreProvider.SettingInfo;
import net.allocator.core.store.StoreProviders;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings, their defaults and their validation; needs no etcd. */
class EtcdConfigTest {

    private static EtcdConfig config(String... nameValue) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i + 1 < nameValue.length; i += 2) {
            values.put(nameValue[i], nameValue[i + 1]);
        }
        return EtcdConfig.from(Settings.of(values));
    }

    @Test
    @DisplayName("with nothing set: a local etcd, 5s per call, 2s to connect, no auth, no TLS")
    void defaults() {
        EtcdConfig config = EtcdConfig.DEFAULT;
        config.validate();
        assertThat(config.endpoints()).containsExactly(URI.create("http://127.0.0.1:2379"));
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.user()).isEmpty();
        assertThat(config.password()).isEmpty();
        assertThat(config.tls()).isFalse();
        assertThat(config.tlsCa()).isEmpty();
        assertThat(config.authority()).isEmpty();
    }

    @Test
    @DisplayName("endpoints are comma-separated, trimmed, and get port 2379 when they name none")
    void endpoints() {
        EtcdConfig config = config(EtcdConfig.ENDPOINTS, " http://10.0.0.1:12379 , HTTP://etcd-2, http://[::1]:2379/ ");
        assertThat(config.endpoints()).containsExactly(
                URI.create("http://10.0.0.1:12379"), URI.create("http://etcd-2:2379"), URI.create("http://[::1]:2379"));
    }

    @Test
    @DisplayName("durations take units or ISO-8601")
    void durations() {
        EtcdConfig config = config(EtcdConfig.TIMEOUT, "750ms", EtcdConfig.CONNECT_TIMEOUT, "PT1S");
        assertThat(config.timeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    @DisplayName("malformed endpoints are refused with a message naming the setting and the entry")
    void badEndpoints() {
        for (String bad : new String[] {"127.0.0.1:2379", "ftp://h:1", "http://", "http://h:1/v3/kv", "http://h:1,", "http://u:p@h:1", "http://h:99999"}) {
            assertThatThrownBy(() -> config(EtcdConfig.ENDPOINTS, bad).endpoints())
                    .as(bad).isInstanceOf(InvalidInputException.class).hasMessageContaining("etcd-endpoints");
        }
        assertThatThrownBy(() -> config(EtcdConfig.ENDPOINTS, "http://a:1,https://b:1").endpoints())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("mixes http and https");
        assertThatThrownBy(() -> config(EtcdConfig.ENDPOINTS, "http://u:secret@h:1").endpoints())
                .hasMessageNotContaining("secret");
    }

    @Test
    @DisplayName("timeouts must be positive durations")
    void badTimeouts() {
        assertThatThrownBy(() -> config(EtcdConfig.TIMEOUT, "0s").timeout()).isInstanceOf(InvalidInputException.class).hasMessageContaining("etcd-timeout");
        assertThatThrownBy(() -> config(EtcdConfig.TIMEOUT, "-5s").timeout()).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> config(EtcdConfig.TIMEOUT, "soon").timeout()).isInstanceOf(InvalidInputException.class).hasMessageContaining("etcd-timeout");
        assertThatThrownBy(() -> config(EtcdConfig.CONNECT_TIMEOUT, "0ms").connectTimeout()).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("etcd-connect-timeout");
        assertThatThrownBy(() -> config(EtcdConfig.CONNECT_TIMEOUT, "30000m").connectTimeout()).isInstanceOf(InvalidInputException.class);
    }

    @Test
    @DisplayName("user and password go together")
    void credentials() {
        config(EtcdConfig.USER, "alloc", EtcdConfig.PASSWORD, " s3cret ").validate();
        assertThat(config(EtcdConfig.USER, "alloc", EtcdConfig.PASSWORD, " s3cret ").password()).contains(" s3cret ");
        assertThatThrownBy(() -> config(EtcdConfig.USER, "alloc").validate())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("etcd-password");
        assertThatThrownBy(() -> config(EtcdConfig.PASSWORD, "x").validate())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("etcd-user");
    }

    @Test
    @DisplayName("TLS files need https endpoints, must be readable, and a client certificate needs its key")
    void tlsFiles(@TempDir Path dir) throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not really a certificate");
        Path missing = dir.resolve("missing.pem");
        String https = "https://etcd:2379";

        assertThat(config(EtcdConfig.ENDPOINTS, https).tls()).isTrue();
        config(EtcdConfig.ENDPOINTS, https, EtcdConfig.TLS_CA, ca.toString()).validate();
        assertThatThrownBy(() -> config(EtcdConfig.TLS_CA, ca.toString()).validate())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("etcd-tls-ca").hasMessageContaining("https://");
        assertThatThrownBy(() -> config(EtcdConfig.ENDPOINTS, https, EtcdConfig.TLS_CA, missing.toString()).validate())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("etcd-tls-ca").hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> config(EtcdConfig.ENDPOINTS, https, EtcdConfig.TLS_CERT, ca.toString()).validate())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("etcd-tls-key");
        assertThatThrownBy(() -> config(EtcdConfig.ENDPOINTS, https, EtcdConfig.TLS_KEY, ca.toString()).validate())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("etcd-tls-cert");
    }

    @Test
    @DisplayName("a TLS file that is not PEM is refused when the store opens, not on first use")
    void unusableTlsFile(@TempDir Path dir) throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not really a certificate");
        assertThatThrownBy(() -> new EtcdKeyValueStore(config(EtcdConfig.ENDPOINTS, "https://etcd:2379", EtcdConfig.TLS_CA, ca.toString())))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("etcd-tls-ca");
    }

    @Test
    @DisplayName("the most operations of one transaction is etcd's --max-txn-ops, 128 unless set, and becomes the store's commit limit")
    void maxTxnOps() {
        assertThat(EtcdConfig.DEFAULT.maxTxnOps()).isEqualTo(128);
        assertThat(config(EtcdConfig.MAX_TXN_OPS, "1024").maxTxnOps()).isEqualTo(1024);
        assertThatThrownBy(() -> config(EtcdConfig.MAX_TXN_OPS, "4").maxTxnOps())
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("etcd-max-txn-ops");
        assertThatThrownBy(() -> config(EtcdConfig.MAX_TXN_OPS, "many").maxTxnOps()).isInstanceOf(InvalidInputException.class);
        try (KeyValueStore store = new EtcdKeyValueStore(config(EtcdConfig.MAX_TXN_OPS, "256"))) {
            assertThat(store.commitSizeLimit()).isEqualTo(CommitSizeLimit.eachList(256));
        }
    }

    @Test
    @DisplayName("the authority is a host name")
    void authority() {
        assertThat(config(EtcdConfig.AUTHORITY, " etcd.internal ").authority()).contains("etcd.internal");
        assertThatThrownBy(() -> config(EtcdConfig.AUTHORITY, "etcd internal").authority()).isInstanceOf(InvalidInputException.class);
    }

    @Test
    @DisplayName("any Settings source feeds the config, such as the environment's naming turned into a lookup")
    void configAsData() {
        Map<String, String> env = Map.of("ETCD_ENDPOINTS", "http://10.1.1.1:2379");
        EtcdConfig config = name -> Optional.ofNullable(env.get(name.toUpperCase().replace('-', '_')));
        assertThat(config.endpoints()).containsExactly(URI.create("http://10.1.1.1:2379"));
    }

    @Test
    @DisplayName("the store is found by the name 'etcd', lists its settings, and opens without connecting")
    void provider() {
        var provider = StoreProviders.named("etcd");
        assertThat(provider).isInstanceOf(EtcdStoreProvider.class);
        assertThat(provider.settings()).extracting(SettingInfo::name).containsExactly(
                "etcd-endpoints", "etcd-timeout", "etcd-connect-timeout", "etcd-max-txn-ops", "etcd-user", "etcd-password",
                "etcd-tls-ca", "etcd-tls-cert", "etcd-tls-key", "etcd-authority");
        assertThat(provider.settings()).allSatisfy(s -> assertThat(s.description()).isNotBlank());
        try (KeyValueStore store = provider.open(Settings.of(Map.of(EtcdConfig.ENDPOINTS, "http://127.0.0.1:1")))) {
            assertThat(store.describe()).isEqualTo("etcd http://127.0.0.1:1");
        }
        assertThatThrownBy(() -> provider.open(Settings.of(Map.of(EtcdConfig.TIMEOUT, "never"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("etcd-timeout");
    }
}
