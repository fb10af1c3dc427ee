package net.allocator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.allocator.reliability.LoadChecks.Outage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The long run, outside CI: {@code scripts/soak.sh} (see docs/reliability.md). Runs only when
 * {@code ALLOCATOR_SOAK_OPERATIONS} is set.
 *
 * <ul>
 *   <li>{@link MultiInstanceTest}'s run with {@code ALLOCATOR_SOAK_OPERATIONS} operations (at
 *       least 10⁵) on the single etcd and the single Consul;
 *   <li>a three-member etcd cluster and a three-server Consul cluster under the same load for
 *       {@code ALLOCATOR_SOAK_MINUTES} minutes each (default 10), with a fault every 20 s
 *       (etcd: kill -9 a follower, kill -9 the leader, SIGSTOP the leader for 10 s; Consul:
 *       restart the leader, restart a follower), healing after each; every check at the end.
 * </ul>
 */
@EnabledIfEnvironmentVariable(named = "ALLOCATOR_SOAK_OPERATIONS", matches = "[0-9]+")
class SoakTest {
    private static Path logs;

    @BeforeAll
    static void environment() {
        logs = ServiceEnvironment.logDir(SoakTest.class);
    }

    static long operations() {
        return Long.parseLong(System.getenv("ALLOCATOR_SOAK_OPERATIONS"));
    }

    static Duration duration() {
        String minutes = System.getenv("ALLOCATOR_SOAK_MINUTES");
        return Duration.ofMinutes(minutes == null || minutes.isBlank() ? 10 : Long.parseLong(minutes.strip()));
    }

    @Test
    @DisplayName("etcd: 3 services, 64 clients, ALLOCATOR_SOAK_OPERATIONS operations; every check")
    void etcdOperations() {
        MultiInstanceTest.run(ServiceStore.shared(ServiceStore.Kind.ETCD), "soak-etcd", "10.81.0.0", operations(), logs);
    }

    @Test
    @DisplayName("Consul: 3 services, 64 clients, ALLOCATOR_SOAK_OPERATIONS operations; every check")
    void consulOperations() {
        MultiInstanceTest.run(ServiceStore.shared(ServiceStore.Kind.CONSUL), "soak-consul", "10.82.0.0", operations(), logs);
    }

    @Test
    @DisplayName("etcd cluster: a fault every 20 s for ALLOCATOR_SOAK_MINUTES; every check, recovery after each fault")
    void etcdClusterFaults() {
        try (ServiceStore cluster = ServiceStore.start(ServiceStore.Kind.ETCD, ServiceEnvironment.uniqueName("soaketcd"), 3, logs);
                ServiceFleet fleet = ServiceFleet.start("soak-etcd-cluster", cluster, 3, ClusterFaultsKit.STORE_TIMEOUT, logs,
                        List.of());
                LoadFaultRun run = LoadFaultRun.start(fleet, "soak-etcd", "10.83.0.0", LoadDriver.Settings.standard())) {
            List<long[]> faults = new ArrayList<>();
            long end = System.nanoTime() + duration().toNanos();
            for (int round = 0; System.nanoTime() < end; round++) {
                run.runFor(Duration.ofSeconds(10));
                int leader = cluster.awaitLeader(0, Duration.ofSeconds(30));
                int victim = round % 3 == 0 ? leader % 3 + 1 : leader;
                long fault = run.now();
                switch (round % 3) {
                    case 0, 1 -> {
                        cluster.kill(victim);
                        run.runFor(Duration.ofSeconds(6));
                        cluster.restartMember(victim);
                    }
                    default -> {
                        cluster.pause(victim);
                        run.runFor(Duration.ofSeconds(10));
                        cluster.resume(victim);
                    }
                }
                cluster.awaitLeader(0, Duration.ofSeconds(30));
                faults.add(new long[] {round % 3, fault, run.now()});
            }
            run.runFor(Duration.ofSeconds(5));
            LoadChecks checks = run.finish(ClusterEtcdFaultsTest.ERROR_BOUND, ClusterFaultsKit.NO_HANG);
            report(checks, faults, new String[] {"kill -9 follower", "kill -9 leader", "SIGSTOP leader 10 s"}, "etcd");
        }
    }

    @Test
    @DisplayName("Consul cluster: a restart every 20 s for ALLOCATOR_SOAK_MINUTES; every check, recovery after each restart")
    void consulClusterFaults() {
        try (ServiceStore cluster = ServiceStore.start(ServiceStore.Kind.CONSUL, ServiceEnvironment.uniqueName("soakconsul"), 3, logs);
                ServiceFleet fleet = ServiceFleet.start("soak-consul-cluster", cluster, 3, ClusterFaultsKit.STORE_TIMEOUT, logs,
                        List.of());
                LoadFaultRun run = LoadFaultRun.start(fleet, "soak-consul", "10.84.0.0", LoadDriver.Settings.standard())) {
            List<long[]> faults = new ArrayList<>();
            long end = System.nanoTime() + duration().toNanos();
            for (int round = 0; System.nanoTime() < end; round++) {
                run.runFor(Duration.ofSeconds(10));
                int leader = cluster.awaitLeader(0, Duration.ofSeconds(30));
                int victim = round % 2 == 0 ? leader : leader % 3 + 1;
                long fault = run.now();
                cluster.restartMember(victim);
                cluster.awaitLeader(0, Duration.ofSeconds(30));
                faults.add(new long[] {round % 2, fault, run.now()});
                run.runFor(Duration.ofSeconds(6));
            }
            run.runFor(Duration.ofSeconds(5));
            LoadChecks checks = run.finish(ClusterConsulFaultsTest.ERROR_BOUND, ClusterFaultsKit.NO_HANG);
            report(checks, faults, new String[] {"restart leader", "restart follower"}, "consul");
        }
    }

    private static void report(LoadChecks checks, List<long[]> faults, String[] names, String store) {
        List<Long> lastErrors = new ArrayList<>();
        for (int i = 0; i < faults.size(); i++) {
            long[] fault = faults.get(i);
            long next = i + 1 < faults.size() ? faults.get(i + 1)[1] : System.nanoTime();
            Outage outage = checks.outage(store + " soak: " + names[(int) fault[0]], fault[1], next);
            long lastError = checks.lastErrorBetween(fault[2], next);
            lastErrors.add(lastError);
            ServiceEnvironment.recordMeasurement(outage + "; healed after " + (fault[2] - fault[1]) / 1_000_000
                    + " ms; errors until " + lastError + " ms after healing");
        }
        ServiceEnvironment.recordMeasurement(store + " soak: " + faults.size() + " faults, " + checks.latencySummary());
        checks.assertNone();
        assertThat(faults).as("faults injected").isNotEmpty();
        assertThat(lastErrors).as("errors stop within 5 s of each fault's healing").allMatch(ms -> ms < 5_000);
    }
}
