package net.allocator.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import net.allocator.core.store.StoreProvider;
import net.allocator.core.store.StoreProviders;
import net.allocator.rest.ServiceCommand.Config;
import net.allocator.rest.ServiceCommand.Print;
import net.allocator.rest.ServiceCommand.Run;
import net.allocator.rest.ServiceCommand.UsageException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The command line: flags, environment twins, help, version, and every usage error. */
class ServiceCommandTest {

    private static Run run(Map<String, String> env, String... args) throws UsageException {
        return (Run) ServiceCommand.parse(args, env);
    }

    private static Config parse(Map<String, String> env, String... args) throws UsageException {
        return run(env, args).config();
    }

    @Test
    @DisplayName("defaults: port 5000 on loopback, the in-memory store, 1 MiB bodies, no token")
    void defaults() throws Exception {
        Config config = parse(Map.of());

        assertThat(config.server().port()).isEqualTo(5000);
        assertThat(config.server().bind().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(config.provider().name()).isEqualTo(ServiceCommand.DEFAULT_STORE);
        assertThat(config.server().maxBodyBytes()).isEqualTo(1 << 20);
        assertThat(config.server().token()).isEmpty();
        assertThat(config.server().pageLimit()).isEqualTo(10_000);
        assertThat(config.keyPrefix()).isEqualTo("allocator");
        assertThat(config.logLevel()).isEqualTo("info");
    }

    @Test
    @DisplayName("an unknown store name fails with the list of known ones, blaming the flag or the variable it came from")
    void unknownStore() {
        assertThatThrownBy(() -> parse(Map.of(), "--store", "etdc"))
                .isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--store: unknown store 'etdc'; known stores: ")
                .hasMessageContaining("inmemory");
        assertThatThrownBy(() -> parse(Map.of("ALLOCATOR_STORE", "bogus")))
                .hasMessageStartingWith("ALLOCATOR_STORE: unknown store 'bogus'; known stores: ")
                .hasMessageContaining("etcd");
    }

    @Test
    @DisplayName("every flag has an environment twin, and a flag wins over its variable")
    void environment() throws Exception {
        Map<String, String> env = Map.of("ALLOCATOR_PORT", "6000", "ALLOCATOR_BIND", "0.0.0.0", "ALLOCATOR_TOKEN", "t0k3n",
                "ALLOCATOR_MAX_BODY", "512KiB", "ALLOCATOR_THREADS", "8", "ALLOCATOR_PAGE_LIMIT", "500",
                "ALLOCATOR_KEY_PREFIX", "site/a", "ALLOCATOR_LOG_LEVEL", "WARN", "ALLOCATOR_SHUTDOWN_GRACE", "3s");

        Config fromEnv = parse(env);
        assertThat(fromEnv.server().port()).isEqualTo(6000);
        assertThat(fromEnv.server().bind().isAnyLocalAddress()).isTrue();
        assertThat(fromEnv.server().token()).contains("t0k3n");
        assertThat(fromEnv.server().maxBodyBytes()).isEqualTo(512 * 1024);
        assertThat(fromEnv.server().threads()).isEqualTo(8);
        assertThat(fromEnv.server().pageLimit()).isEqualTo(500);
        assertThat(fromEnv.keyPrefix()).isEqualTo("site/a");
        assertThat(fromEnv.logLevel()).isEqualTo("warn");
        assertThat(fromEnv.server().shutdownGrace()).isEqualTo(Duration.ofSeconds(3));

        Config flagsWin = parse(env, "--port", "7000", "--bind=127.0.0.1", "--threads", "4", "--threads", "5");
        assertThat(flagsWin.server().port()).isEqualTo(7000);
        assertThat(flagsWin.server().bind().isLoopbackAddress()).isTrue();
        assertThat(flagsWin.server().threads()).as("the last of a repeated flag").isEqualTo(5);
    }

    @Test
    @DisplayName("store settings reach the store, from ALLOCATOR_<NAME> variables or --<name> flags")
    void storeSettings() throws Exception {
        Config config = parse(Map.of("ALLOCATOR_ETCD_ENDPOINTS", "http://10.0.0.5:2379"));
        assertThat(config.storeSettings().get("etcd-endpoints")).contains("http://10.0.0.5:2379");
        assertThat(SettingSources.envName("etcd-endpoints")).isEqualTo("ALLOCATOR_ETCD_ENDPOINTS");

        for (StoreProvider provider : StoreProviders.available().values()) {
            for (StoreProvider.SettingInfo setting : provider.settings()) {
                Config flagged = parse(Map.of(SettingSources.envName(setting.name()), "from-env"),
                        "--store", provider.name(), "--" + setting.name(), "from-flag");
                assertThat(flagged.storeSettings().get(setting.name())).as(setting.name()).contains("from-flag");
            }
        }
    }

    @Test
    @DisplayName("a flag of a store that is not selected is a usage error naming the flag and the selected store")
    void flagOfAnotherStore() {
        assertThatThrownBy(() -> parse(Map.of(), "--store", "inmemory", "--etcd-endpoints", "http://10.0.0.5:2379"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--etcd-endpoints is a setting of the store etcd, but the selected store is inmemory");
        assertThatThrownBy(() -> parse(Map.of("ALLOCATOR_STORE", "etcd"), "--consul-url", "http://127.0.0.1:8500"))
                .hasMessage("--consul-url is a setting of the store consul, but the selected store is etcd");
    }

    @Test
    @DisplayName("an ALLOCATOR_ variable that names no setting is a warning, with the closest name when one is close")
    void unknownVariables() throws Exception {
        Run run = run(Map.of("ALLOCATOR_STOER", "etcd", "ALLOCATOR_NOTHING_LIKE_IT", "1", "PATH", "/bin"));

        assertThat(run.config().provider().name()).as("the misspelt variable is ignored").isEqualTo(ServiceCommand.DEFAULT_STORE);
        assertThat(run.warnings()).containsExactly(
                "ALLOCATOR_NOTHING_LIKE_IT names no setting and is ignored",
                "ALLOCATOR_STOER names no setting and is ignored; did you mean ALLOCATOR_STORE?");
        assertThat(run(Map.of("ALLOCATOR_ETCD_ENDPOINTS", "http://10.0.0.5:2379")).warnings())
                .as("a setting of a store that is not selected is known").isEmpty();
    }

    @Test
    @DisplayName("edit distance counts an insertion, a deletion, a change and a swap of neighbours as one each")
    void editDistance() {
        assertThat(Suggestions.editDistance("STOER", "STORE")).isEqualTo(1);
        assertThat(Suggestions.editDistance("PROT", "PORT")).isEqualTo(1);
        assertThat(Suggestions.editDistance("PORTS", "PORT")).isEqualTo(1);
        assertThat(Suggestions.editDistance("BIND", "KIND")).isEqualTo(1);
        assertThat(Suggestions.editDistance("", "PORT")).isEqualTo(4);
        assertThat(Suggestions.editDistance("TOKEN", "TOKEN")).isZero();
    }

    @Test
    @DisplayName("--help lists every flag with its variable, the stores' settings included, in a section per store")
    void help() throws Exception {
        String help = ((Print) ServiceCommand.parse(new String[] {"--help"}, Map.of())).text();

        for (ServiceCommand.Flag flag : ServiceCommand.FLAGS) {
            assertThat(help).contains("--" + flag.name() + "=<value>").contains(flag.env());
        }
        for (StoreProvider provider : StoreProviders.available().values()) {
            if (!provider.settings().isEmpty()) {
                assertThat(help).contains("Store " + provider.name() + " (with --store " + provider.name() + "):");
            }
            for (StoreProvider.SettingInfo setting : provider.settings()) {
                assertThat(help).contains("--" + setting.name() + "=<value>").contains(SettingSources.envName(setting.name()));
            }
        }
        assertThat(help).contains("env ALLOCATOR_PORT, default 5000", "--version", "--help");
    }

    @Test
    @DisplayName("--version prints the name and version")
    void version() throws Exception {
        Print version = (Print) ServiceCommand.parse(new String[] {"--version"}, Map.of());

        assertThat(version.text()).isEqualTo("allocator-rest " + RestServer.version() + "\n");
        assertThat(RestServer.version()).isNotEqualTo("unknown");
    }

    @Test
    @DisplayName("wrong flags and values are usage errors naming the problem and where it came from")
    void usageErrors() {
        assertThatThrownBy(() -> parse(Map.of(), "--prot", "5000")).hasMessage("unknown flag --prot; did you mean --port?");
        assertThatThrownBy(() -> parse(Map.of(), "--zzz")).hasMessage("unknown flag --zzz");
        assertThatThrownBy(() -> parse(Map.of(), "--port")).hasMessageContaining("'--port'");
        assertThatThrownBy(() -> parse(Map.of(), "5000")).hasMessageContaining("unexpected argument '5000'");
        assertThatThrownBy(() -> parse(Map.of(), "--port", "70000")).hasMessageStartingWith("--port must be a whole number from 0 to 65535");
        assertThatThrownBy(() -> parse(Map.of("ALLOCATOR_PORT", "http")))
                .hasMessage("ALLOCATOR_PORT must be a whole number from 0 to 65535, not 'http' (the environment twin of --port)");
        assertThatThrownBy(() -> parse(Map.of(), "--threads", "0")).hasMessageStartingWith("--threads");
        assertThatThrownBy(() -> parse(Map.of(), "--max-body", "lots")).hasMessageStartingWith("--max-body");
        assertThatThrownBy(() -> parse(Map.of(), "--max-body", "2GiB")).hasMessageStartingWith("--max-body");
        assertThatThrownBy(() -> parse(Map.of(), "--page-limit", "100001")).hasMessageStartingWith("--page-limit");
        assertThatThrownBy(() -> parse(Map.of(), "--log-level", "loud")).hasMessageStartingWith("--log-level");
        assertThatThrownBy(() -> parse(Map.of("ALLOCATOR_LOG_LEVEL", "loud"))).hasMessageStartingWith("ALLOCATOR_LOG_LEVEL");
        assertThatThrownBy(() -> parse(Map.of(), "--shutdown-grace", "soon")).hasMessageStartingWith("--shutdown-grace");
        assertThatThrownBy(() -> parse(Map.of(), "--shutdown-grace", "-5s")).hasMessageStartingWith("--shutdown-grace must not be negative");
        assertThatThrownBy(() -> parse(Map.of(), "--token", "has space")).hasMessageStartingWith("--token");
        assertThatThrownBy(() -> parse(Map.of("ALLOCATOR_TOKEN", "has space")))
                .hasMessageStartingWith("ALLOCATOR_TOKEN must be printable ASCII").hasMessageContaining("--token").hasMessageNotContaining("has space");
        assertThatThrownBy(() -> parse(Map.of(), "--bind", "no-such-host.invalid")).hasMessageStartingWith("--bind");
    }

    @Test
    @DisplayName("the bind address is an IP literal, bracketed or not, or localhost")
    void bindAddresses() throws Exception {
        assertThat(parse(Map.of(), "--bind", "::").server().bind().isAnyLocalAddress()).isTrue();
        assertThat(parse(Map.of(), "--bind", "[::1]").server().bind().isLoopbackAddress()).isTrue();
        assertThat(parse(Map.of(), "--bind", "localhost").server().bind().isLoopbackAddress()).isTrue();
    }

    @Test
    @DisplayName("sizes take bytes or a unit")
    void sizes() {
        assertThat(SettingSources.size("1048576")).hasValue(1 << 20);
        assertThat(SettingSources.size("1MiB")).hasValue(1 << 20);
        assertThat(SettingSources.size("64k")).hasValue(64 << 10);
        assertThat(SettingSources.size("2 MB")).hasValue(2 << 20);
        assertThat(SettingSources.size("0")).isEmpty();
    }
}
