package net.allocator.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import net.allocator.core.InvalidInputException;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreProvider;
import net.allocator.core.store.StoreProviders;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Consul store's settings, its provider, and https. */
class ConsulConfigTest {

    private static ConsulConfig config(String... pairs) {
        Map<String, String> values = new java.util.HashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return ConsulConfig.from(Settings.of(values));
    }

    @Nested
    @DisplayName("settings")
    class SettingsTck {
        @Test
        @DisplayName("nothing set means a local agent over plain HTTP, 5s and 2s timeouts, 200ms between watch reads")
        void defaults() {
            ConsulConfig config = ConsulConfig.DEFAULT;
            assertThat(config.url()).isEqualTo(URI.create("http://127.0.0.1:8500"));
            assertThat(config.token()).isEmpty();
            assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(config.datacenter()).isEmpty();
            assertThat(config.watchInterval()).isEqualTo(Duration.ofMillis(200));
            assertThat(config.watchWait()).isEqualTo(Duration.ofSeconds(60));
            assertThat(config.tlsCa()).isEmpty();
            config.validate();
        }

        @Test
        @DisplayName("set values are read with their types; a bare host:port means http")
        void values() {
            ConsulConfig config = config(ConsulConfig.URL, "consul.example:8501", ConsulConfig.TOKEN, " abc-123 ",
                    ConsulConfig.TIMEOUT, "750ms", ConsulConfig.CONNECT_TIMEOUT, "PT1S", ConsulConfig.DATACENTER, "eu1",
                    ConsulConfig.WATCH_INTERVAL, "0ms", ConsulConfig.WATCH_WAIT, "5m");
            assertThat(config.url()).isEqualTo(URI.create("http://consul.example:8501"));
            assertThat(config.token()).contains("abc-123");
            assertThat(config.timeout()).isEqualTo(Duration.ofMillis(750));
            assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
            assertThat(config.datacenter()).contains("eu1");
            assertThat(config.watchInterval()).isZero();
            assertThat(config.watchWait()).isEqualTo(Duration.ofMinutes(5));
            assertThat(config(ConsulConfig.URL, "https://[::1]/consul/").url()).isEqualTo(URI.create("https://[::1]/consul/"));
        }

        @Test
        @DisplayName("malformed settings are refused with a message naming the setting")
        void invalid() {
            Map<String, String> bad = Map.of(
                    ConsulConfig.URL, "ftp://consul:21",
                    ConsulConfig.TIMEOUT, "0s",
                    ConsulConfig.CONNECT_TIMEOUT, "soon",
                    ConsulConfig.WATCH_INTERVAL, "-1s",
                    ConsulConfig.WATCH_WAIT, "11m",
                    ConsulConfig.TOKEN, "two words",
                    ConsulConfig.TLS_CA, "/nonexistent/ca.pem");
            for (Map.Entry<String, String> setting : bad.entrySet()) {
                assertThatThrownBy(() -> config(setting.getKey(), setting.getValue()).validate())
                        .as(setting.getKey()).isInstanceOf(InvalidInputException.class).hasMessageContaining(setting.getKey());
            }
            for (String url : List.of("http://", "http://user:pw@consul:8500", "http://consul:8500/?token=x", "http://bad host:8500")) {
                assertThatThrownBy(() -> config(ConsulConfig.URL, url).validate()).as(url)
                        .isInstanceOf(InvalidInputException.class).hasMessageContaining(ConsulConfig.URL);
            }
        }

        @Test
        @DisplayName("a CA file needs an https URL")
        void caNeedsHttps(@TempDir Path dir) throws Exception {
            Path ca = Files.writeString(dir.resolve("ca.pem"), "not used");
            assertThatThrownBy(() -> config(ConsulConfig.TLS_CA, ca.toString()).validate())
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("https");
        }
    }

    @Nested
    @DisplayName("provider")
    class Provider {
        @Test
        @DisplayName("the store is found by the name consul, and lists every setting with its default")
        void byName() {
            StoreProvider provider = StoreProviders.named("consul");
            assertThat(provider).isInstanceOf(ConsulStoreProvider.class);
            assertThat(provider.settings()).extracting(StoreProvider.SettingInfo::name).containsExactly(
                    ConsulConfig.URL, ConsulConfig.TOKEN, ConsulConfig.TIMEOUT, ConsulConfig.CONNECT_TIMEOUT,
                    ConsulConfig.DATACENTER, ConsulConfig.WATCH_INTERVAL, ConsulConfig.WATCH_WAIT, ConsulConfig.TLS_CA);
            Settings defaults = Settings.of(Map.of());
            for (StoreProvider.SettingInfo info : provider.settings()) {
                assertThat(info.description()).as(info.name()).isNotBlank();
                if (!info.defaultValue().isEmpty()) {
                    // Each listed default is the one the config really uses.
                    Settings listed = Settings.of(Map.of(info.name(), info.defaultValue()));
                    assertThat(String.valueOf(read(ConsulConfig.from(listed), info.name())))
                            .isEqualTo(String.valueOf(read(ConsulConfig.from(defaults), info.name())));
                }
            }
        }

        private Object read(ConsulConfig config, String name) {
            return switch (name) {
                case ConsulConfig.URL -> config.url();
                case ConsulConfig.TIMEOUT -> config.timeout();
                case ConsulConfig.CONNECT_TIMEOUT -> config.connectTimeout();
                case ConsulConfig.WATCH_INTERVAL -> config.watchInterval();
                case ConsulConfig.WATCH_WAIT -> config.watchWait();
                default -> throw new AssertionError("no default expected for " + name);
            };
        }

        @Test
        @DisplayName("opening checks the settings but not the server")
        void open() {
            StoreProvider provider = new ConsulStoreProvider();
            assertThatThrownBy(() -> provider.open(Settings.of(Map.of(ConsulConfig.TIMEOUT, "fast"))))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining(ConsulConfig.TIMEOUT);
            try (KeyValueStore store = provider.open(Settings.of(Map.of(ConsulConfig.URL, "http://127.0.0.1:1")))) {
                assertThat(store.describe()).isEqualTo("consul http://127.0.0.1:1");
            }
        }
    }

    @Nested
    @DisplayName("https")
    class Https {
        @Test
        @DisplayName("an https Consul is trusted through consul-tls-ca, and refused without it")
        void trustedCa(@TempDir Path dir) throws Exception {
            Path keyStore = dir.resolve("server.p12");
            Path caPem = dir.resolve("ca.pem");
            keytool("-genkeypair", "-alias", "consul", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                    "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", keyStore.toString(), "-storepass", "changeit", "-keypass", "changeit");
            keytool("-exportcert", "-rfc", "-alias", "consul", "-keystore", keyStore.toString(), "-storepass", "changeit",
                    "-file", caPem.toString());

            try (FakeConsul fake = new FakeConsul(request -> FakeConsul.Reply.ok("\"127.0.0.1:8300\""), serverTls(keyStore))) {
                try (ConsulKeyValueStore trusting = new ConsulKeyValueStore(config(ConsulConfig.URL, fake.url(), ConsulConfig.TLS_CA, caPem.toString()))) {
                    trusting.ping();
                }
                try (ConsulKeyValueStore distrusting = new ConsulKeyValueStore(config(ConsulConfig.URL, fake.url()))) {
                    assertThatThrownBy(distrusting::ping).isInstanceOf(StoreUnavailableException.class).hasMessageContaining(fake.url());
                }
            }
            Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
            assertThatThrownBy(() -> new ConsulKeyValueStore(config(ConsulConfig.URL, "https://127.0.0.1:1", ConsulConfig.TLS_CA, notPem.toString())))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining(ConsulConfig.TLS_CA);
        }

        private static SSLContext serverTls(Path keyStore) throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                store.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, "changeit".toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        }

        private static void keytool(String... args) throws Exception {
            List<String> command = new java.util.ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
        }
    }

    @Test
    @DisplayName("ConsulConfig reads any lookup, such as the environment's")
    void anyLookup() {
        ConsulConfig config = name -> Optional.of("http://10.1.2.3:8500").filter(v -> name.equals(ConsulConfig.URL));
        assertThat(config.url().getHost()).isEqualTo("10.1.2.3");
    }
}
