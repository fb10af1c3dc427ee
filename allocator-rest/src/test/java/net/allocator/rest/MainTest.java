package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.allocator.core.store.StoreProvider;
import net.allocator.core.store.StoreProviders;
import net.allocator.rest.Main.UsageException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The launcher: flags, environment twins, a wrong store name, and the process's life. */
class MainTest {

    private static Main.Config parse(Map<String, String> env, String... args) throws UsageException {
        return Main.parse(args, env);
    }

    @Nested
    @DisplayName("flags and environment")
    class Flags {

        @Test
        @DisplayName("defaults: port 5000 on loopback, the in-memory store, 1 MiB bodies, no token")
        void defaults() throws Exception {
            Main.Config config = parse(Map.of());

            assertThat(config.server().port()).isEqualTo(5000);
            assertThat(config.server().bind().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(config.provider().name()).isEqualTo("inmemory");
            assertThat(config.server().maxBodyBytes()).isEqualTo(1 << 20);
            assertThat(config.server().token()).isEmpty();
            assertThat(config.server().pageLimit()).isEqualTo(10_000);
            assertThat(config.keyPrefix()).isEqualTo("allocator");
            assertThat(config.logLevel()).isEqualTo("info");
        }

        @Test
        @DisplayName("an unknown store name fails with the list of known ones")
        void unknownStore() {
            assertThatThrownBy(() -> parse(Map.of(), "--store", "etdc"))
                    .isInstanceOf(UsageException.class)
                    .hasMessageStartingWith("--store: unknown store 'etdc'; known stores: ")
                    .hasMessageContaining("inmemory");
            assertThatThrownBy(() -> parse(Map.of("ALLOCATOR_STORE", "redis")))
                    .hasMessageContaining("unknown store 'redis'");
        }

        @Test
        @DisplayName("every flag has an environment twin, and a flag wins over its variable")
        void environment() throws Exception {
            Map<String, String> env = Map.of("ALLOCATOR_PORT", "6000", "ALLOCATOR_BIND", "0.0.0.0", "ALLOCATOR_TOKEN", "t0k3n",
                    "ALLOCATOR_MAX_BODY", "512KiB", "ALLOCATOR_THREADS", "8", "ALLOCATOR_PAGE_LIMIT", "500",
                    "ALLOCATOR_KEY_PREFIX", "site/a", "ALLOCATOR_LOG_LEVEL", "WARN", "ALLOCATOR_SHUTDOWN_GRACE", "3s");

            Main.Config fromEnv = parse(env);
            assertThat(fromEnv.server().port()).isEqualTo(6000);
            assertThat(fromEnv.server().bind().isAnyLocalAddress()).isTrue();
            assertThat(fromEnv.server().token()).contains("t0k3n");
            assertThat(fromEnv.server().maxBodyBytes()).isEqualTo(512 * 1024);
            assertThat(fromEnv.server().threads()).isEqualTo(8);
            assertThat(fromEnv.server().pageLimit()).isEqualTo(500);
            assertThat(fromEnv.keyPrefix()).isEqualTo("site/a");
            assertThat(fromEnv.logLevel()).isEqualTo("warn");
            assertThat(fromEnv.server().shutdownGrace()).isEqualTo(Duration.ofSeconds(3));

            Main.Config flagsWin = parse(env, "--port", "7000", "--bind=127.0.0.1", "--threads", "4");
            assertThat(flagsWin.server().port()).isEqualTo(7000);
            assertThat(flagsWin.server().bind().isLoopbackAddress()).isTrue();
            assertThat(flagsWin.server().threads()).isEqualTo(4);
        }

        @Test
        @DisplayName("store settings reach the store, from ALLOCATOR_<NAME> variables or --<name> flags")
        void storeSettings() throws Exception {
            Main.Config config = parse(Map.of("ALLOCATOR_ETCD_ENDPOINTS", "http://10.0.0.5:2379"));
            assertThat(config.storeSettings().get("etcd-endpoints")).contains("http://10.0.0.5:2379");
            assertThat(Main.envName("etcd-endpoints")).isEqualTo("ALLOCATOR_ETCD_ENDPOINTS");

            for (StoreProvider provider : StoreProviders.available().values()) {
                for (StoreProvider.SettingInfo setting : provider.settings()) {
                    Main.Config flagged = parse(Map.of(Main.envName(setting.name()), "from-env"), "--" + setting.name(), "from-flag");
                    assertThat(flagged.storeSettings().get(setting.name())).as(setting.name()).contains("from-flag");
                }
            }
        }

        @Test
        @DisplayName("--help lists every flag with its variable, the stores' settings included")
        void help() throws Exception {
            String help = Main.help();

            for (Main.Flag flag : Main.FLAGS) {
                assertThat(help).contains("--" + flag.name() + " ").contains(flag.env());
            }
            for (StoreProvider provider : StoreProviders.available().values()) {
                for (StoreProvider.SettingInfo setting : provider.settings()) {
                    assertThat(help).contains("--" + setting.name() + " ").contains(Main.envName(setting.name()));
                }
            }
            assertThat(parse(Map.of(), "--help").help()).isTrue();
        }

        @Test
        @DisplayName("wrong flags and values are usage errors naming the problem")
        void usageErrors() {
            assertThatThrownBy(() -> parse(Map.of(), "--prot", "5000")).hasMessage("unknown flag --prot");
            assertThatThrownBy(() -> parse(Map.of(), "--port")).hasMessage("flag --port needs a value");
            assertThatThrownBy(() -> parse(Map.of(), "5000")).hasMessageContaining("unexpected argument '5000'");
            assertThatThrownBy(() -> parse(Map.of(), "--port", "70000")).hasMessageContaining("--port must be a whole number from 0 to 65535");
            assertThatThrownBy(() -> parse(Map.of("ALLOCATOR_PORT", "http"))).hasMessageContaining("--port must be");
            assertThatThrownBy(() -> parse(Map.of(), "--threads", "0")).hasMessageContaining("--threads");
            assertThatThrownBy(() -> parse(Map.of(), "--max-body", "lots")).hasMessageContaining("--max-body");
            assertThatThrownBy(() -> parse(Map.of(), "--max-body", "2GiB")).hasMessageContaining("--max-body");
            assertThatThrownBy(() -> parse(Map.of(), "--page-limit", "100001")).hasMessageContaining("--page-limit");
            assertThatThrownBy(() -> parse(Map.of(), "--log-level", "loud")).hasMessageContaining("--log-level");
            assertThatThrownBy(() -> parse(Map.of(), "--shutdown-grace", "soon")).hasMessageContaining("--shutdown-grace");
            assertThatThrownBy(() -> parse(Map.of(), "--token", "has space")).hasMessageContaining("--token");
            assertThatThrownBy(() -> parse(Map.of(), "--bind", "no-such-host.invalid")).hasMessageContaining("--bind");
        }

        @Test
        @DisplayName("sizes take bytes or a unit")
        void sizes() throws Exception {
            assertThat(Main.size("1048576")).isEqualTo(1 << 20);
            assertThat(Main.size("1MiB")).isEqualTo(1 << 20);
            assertThat(Main.size("64k")).isEqualTo(64 << 10);
            assertThat(Main.size("2 MB")).isEqualTo(2 << 20);
        }

        @Test
        @DisplayName("a bad key prefix is a usage error at start")
        void badKeyPrefix() {
            assertThatThrownBy(() -> Main.launch(new String[] {"--port", "0", "--key-prefix", "/../x"}, Map.of(), System.out))
                    .isInstanceOf(UsageException.class)
                    .hasMessageStartingWith("--key-prefix: ");
        }
    }

    @Test
    @DisplayName("launch serves on the chosen port and closes cleanly")
    void launch() throws Exception {
        Main.Launched launched = Main.launch(new String[] {"--port", "0", "--log-level", "warn"}, Map.of(), System.out);
        try {
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(launched.server().uri().resolve("/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"up\"");
        } finally {
            launched.close();
        }
    }

    @Test
    @DisplayName("--help prints the flags and starts nothing")
    void helpStartsNothing() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        Main.Launched launched = Main.launch(new String[] {"--help"}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(launched).isNull();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--port <value>", "ALLOCATOR_PORT", "default 5000");
    }

    @Nested
    @DisplayName("as a process")
    class Process {

        private ProcessBuilder java(String... args) {
            List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().keySet().removeIf(name -> name.startsWith("ALLOCATOR_"));
            return builder;
        }

        @Test
        @DisplayName("an unknown store name exits with code 2 and a clear message, without a stack trace")
        void unknownStore() throws Exception {
            java.lang.Process process = java("--store", "nope").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(2);
            assertThat(output).contains("allocator-rest: --store: unknown store 'nope'; known stores: ", "inmemory", "--help")
                    .doesNotContain("Exception", "\tat ");
        }

        @Test
        @DisplayName("a port in use exits with code 1 and a clear message")
        void portInUse() throws Exception {
            try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                java.lang.Process process = java("--port", Integer.toString(taken.getLocalPort())).redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

                assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(process.exitValue()).isEqualTo(1);
                assertThat(output).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()).doesNotContain("\tat ");
            }
        }

        @Test
        @DisplayName("starts with a line naming address, store and version; SIGTERM lets a request finish, then stops")
        void lifecycle() throws Exception {
            Path logFile = Files.createTempFile("allocator-rest", ".log");
            java.lang.Process process = java("--port", "0", "--shutdown-grace", "5s").redirectErrorStream(true)
                    .redirectOutput(logFile.toFile()).start();
            try {
                Pattern started = Pattern.compile("allocator-rest (\\S+) listening on (http://127\\.0\\.0\\.1:\\d+) with store inmemory");
                URI base = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (base == null && System.nanoTime() < deadline && process.isAlive()) {
                    Matcher matcher = started.matcher(Files.readString(logFile));
                    if (matcher.find()) {
                        assertThat(matcher.group(1)).isNotEqualTo("unknown");
                        base = URI.create(matcher.group(2));
                    } else {
                        Thread.sleep(50);
                    }
                }
                assertThat(base).as("start-up line in %s", Files.readString(logFile)).isNotNull();

                HttpClient client = HttpClient.newHttpClient();
                HttpResponse<String> registered = client.send(HttpRequest.newBuilder(base.resolve("/v1/networks"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(ApiServer.SEED_NETWORK)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(registered.statusCode()).isEqualTo(201);

                process.destroy();
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(process.exitValue()).as("killed by SIGTERM after the shutdown hook ran").isEqualTo(143);
                assertThat(Files.readString(logFile)).contains("in-memory store keeps nothing across restarts",
                        "POST /v1/networks 201", "stopping", "stopped").doesNotContain("\tat ");
            } finally {
                process.destroyForcibly();
                Files.deleteIfExists(logFile);
            }
        }
    }
}
