package net.allocator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.allocator.reliability.LoadChecks.Outage;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The store down when the service starts, and going down while it runs, for etcd and Consul:
 * a single server of these tests' own, stopped with SIGTERM and started again on the same
 * ports with the same data dir ({@code *-cluster.sh restart-member <name> 1}). The service is
 * never restarted.
 */
class StoreDownRecoveryTest {
    static final Duration STORE_TIMEOUT = Duration.ofSeconds(2);
    /** A 503 must come within three times what one store call may take (Consul: connect plus answer). */
    static final Duration ERROR_BOUND = Duration.ofSeconds(9);
    static final Duration NO_HANG = Duration.ofSeconds(30);
    /** Once the store answers again, the service must be back within this. */
    static final Duration RECOVERY = Duration.ofSeconds(5);

    private static Path logs;

    @BeforeAll
    static void environment() {
        logs = ServiceEnvironment.logDir(StoreDownRecoveryTest.class);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ServiceStore.Kind.class)
    @DisplayName("the store down at start-up: health 503 'down', requests 503; the store starts: everything works, no restart")
    void downAtStartUp(ServiceStore.Kind kind) {
        String stem = kind.name().toLowerCase() + "-startup";
        try (ServiceStore store = ServiceStore.start(kind, ServiceEnvironment.uniqueName(stem), 1, logs)) {
            store.stopMember(1);
            try (ServiceFleet fleet = ServiceFleet.start(stem, store, 1, STORE_TIMEOUT, logs, List.of())) {
                ServiceClient service = fleet.client(0);

                ServiceClient.Reply health = service.health();
                assertThat(health.status()).as("health with the store down: %s", health).isEqualTo(503);
                assertThat(health.text("status")).isEqualTo("down");
                assertThat(health.text("message")).isNotBlank();
                assertUnavailable(service.register("startup", "10.73.1.0"));
                assertUnavailable(service.allocate("startup", "c", "n1"));
                assertUnavailable(service.get("/v1/networks"));
                assertUnavailable(service.get("/v1/networks/startup/addresses?used"));

                long starting = System.nanoTime();
                store.restartMember(1);
                long started = System.nanoTime();
                ServiceClient.Reply up = awaitStatus(service, 200, RECOVERY);
                long healthy = System.nanoTime();
                ServiceEnvironment.recordMeasurement(kind + " down at start-up: store started in " + (started - starting) / 1_000_000
                        + " ms; service healthy " + (healthy - started) / 1_000_000 + " ms after the store answered");
                assertThat(up.status()).as("health after the store started: %s", up).isEqualTo(200);

                int poolSize = fleet.register("startup", "10.73.1.0");
                ServiceClient.Reply first = service.allocate("startup", "c", "n1");
                assertThat(first.status()).as("allocation after the store started: %s", first).isEqualTo(200);
                assertThat(first.text("address")).isEqualTo("10.73.1.2");

                LoadDriver load = fleet.load("startup", new LoadLog(), LoadDriver.Settings.standard().withClients(16)).start();
                assertThat(load.awaitOperations(800, Duration.ofSeconds(120))).as("800 operations after recovery").isTrue();
                load.stop(Duration.ofSeconds(30));
                List<Map.Entry<String, String>> holdings = new java.util.ArrayList<>(load.holdings());
                holdings.add(Map.entry("c/n1", "10.73.1.2"));
                LoadChecks checks = new LoadChecks(load.log())
                        .answers(false, ERROR_BOUND, NO_HANG)
                        .noAddressHeldTwice()
                        .storeMatches(holdings, List.of(service.usedAddresses("startup")), store.scan(fleet.keyPrefix() + "/"),
                                fleet.keyPrefix(), "startup");
                checks.assertNone();
                assertThat(poolSize).isEqualTo(253);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ServiceStore.Kind.class)
    @DisplayName("the store stops mid-run: 503s with JSON bodies, health 'down'; it starts again: allocation resumes, nothing lost")
    void downMidRun(ServiceStore.Kind kind) {
        String stem = kind.name().toLowerCase() + "-midrun";
        try (ServiceStore store = ServiceStore.start(kind, ServiceEnvironment.uniqueName(stem), 1, logs);
                ServiceFleet fleet = ServiceFleet.start(stem, store, 2, STORE_TIMEOUT, logs, List.of());
                LoadFaultRun run = LoadFaultRun.start(fleet, "midrun-" + kind.name().toLowerCase(), "10.73.2.0", LoadDriver.Settings.standard().withClients(32))) {
            run.runFor(Duration.ofSeconds(3));
            long fault = run.now();
            store.stopMember(1);
            long stopped = run.now();
            run.runFor(ERROR_BOUND);
            long settled = run.now();
            for (int i = 0; i < 2; i++) {
                ServiceClient.Reply health = fleet.client(i).health();
                assertThat(health.status()).as("health with the store stopped: %s", health).isEqualTo(503);
                assertThat(health.text("status")).isEqualTo("down");
            }
            run.runFor(Duration.ofSeconds(2));
            long restarting = run.now();
            store.restartMember(1);
            long restarted = run.now();
            run.runFor(Duration.ofSeconds(6));
            long end = run.now();

            LoadChecks checks = run.finish(ERROR_BOUND, NO_HANG);
            Outage outage = checks.outage(kind + " stopped mid-run", fault, end);
            long resumed = checks.firstAllocationAfter(restarted);
            long lastError = checks.lastErrorBetween(restarted, end);
            ServiceEnvironment.recordMeasurement(outage + "; store stopped in " + (stopped - fault) / 1_000_000
                    + " ms, down for " + (restarted - stopped) / 1_000_000 + " ms (restart took " + (restarted - restarting) / 1_000_000
                    + " ms); first allocation after it answered again succeeded " + resumed + " ms later; last error "
                    + lastError + " ms after it; whole run: " + checks.latencySummary());
            checks.assertNone();
            assertThat(checks.allocationsAnsweredBetween(settled, restarting)).as("allocations answered 200 while the store was down")
                    .isZero();
            assertThat(checks.errorsAnsweredBetween(stopped, restarting)).as("503s while the store was down").isPositive();
            assertThat(resumed).as("allocation resumes once the store answers").isBetween(0L, RECOVERY.toMillis());
            assertThat(lastError).as("errors after the store answers again").isLessThan(RECOVERY.toMillis());
        }
    }

    private static void assertUnavailable(ServiceClient.Reply reply) {
        assertThat(reply.status()).as("with the store down: %s", reply).isEqualTo(503);
        assertThat(reply.isJsonUnavailable()).as("JSON error body: %s", reply).isTrue();
        assertThat(reply.millis()).as("answered within %s: %s", ERROR_BOUND, reply).isLessThanOrEqualTo(ERROR_BOUND.toMillis());
    }

    private static ServiceClient.Reply awaitStatus(ServiceClient service, int status, Duration within) {
        try {
            return await().atMost(within).pollInterval(Duration.ofMillis(50)).until(service::health, reply -> reply.status() == status);
        } catch (ConditionTimeoutException e) {
            return service.health(); // the caller's assertion says what it answers instead
        }
    }
}
