package net.allocator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.allocator.reliability.LoadChecks.Outage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Faults of a three-member etcd cluster under load: three service processes, each given all
 * three endpoints and {@code --etcd-timeout 2s}, and 64 clients allocating and releasing in a
 * /24. Each test injects one fault into a healthy cluster and leaves it healthy again.
 *
 * <p>Checks for every fault: no address held twice, no acknowledged allocation lost, the store
 * exactly as the clients were told; every error a 503 with the JSON error body, answered within
 * three times the store timeout; allocation resuming soon after the cluster has a leader again.
 * The outage clients saw is printed and recorded in target/reliability-logs/measurements.txt.
 */
class ClusterEtcdFaultsTest {
    static final Duration STORE_TIMEOUT = Duration.ofSeconds(2);
    /** Every 503 must come within this; the service promises "within the configured timeout" per store call. */
    static final Duration ERROR_BOUND = STORE_TIMEOUT.multipliedBy(3);
    /** No answer at all may take longer (a success may wait for contention on a loaded machine). */
    static final Duration NO_HANG = Duration.ofSeconds(30);
    static final Duration BASELINE = Duration.ofSeconds(3);
    /** After the cluster has a leader and a quorum again, errors must stop within this. */
    static final Duration RECOVERY = Duration.ofSeconds(5);

    private static Path logs;
    private static ServiceStore cluster;
    private static ServiceFleet fleet;

    @BeforeAll
    static void start() {
        logs = ServiceEnvironment.logDir(ClusterEtcdFaultsTest.class);
        cluster = ServiceStore.start(ServiceStore.Kind.ETCD, ServiceEnvironment.uniqueName("etcdfaults"), 3, logs);
        fleet = ServiceFleet.start("etcd-faults", cluster, 3, STORE_TIMEOUT, logs, List.of());
    }

    @AfterAll
    static void stop() {
        try {
            if (fleet != null) {
                fleet.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    /** Whatever a test did, every member runs again and the cluster has a leader before the next one. */
    @AfterEach
    void heal() {
        for (int member = 1; member <= 3; member++) {
            try {
                cluster.resume(member);
            } catch (AssertionError | RuntimeException e) {
                // not stopped, or not running: restarted below
            }
            if (ProcessHandle.of(cluster.pid(member)).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            cluster.restartMember(member);
        }
        cluster.awaitLeader(0, Duration.ofSeconds(30));
        fleet.awaitHealthy(Duration.ofSeconds(30));
    }

    @Test
    @DisplayName("kill -9 of a follower: allocation goes on, errors are 503s, nothing lost or doubled")
    void killFollower() {
        try (LoadFaultRun run = LoadFaultRun.start(fleet, "follower", "10.71.1.0", LoadDriver.Settings.standard())) {
            run.runFor(BASELINE);
            int follower = cluster.follower();
            long fault = run.now();
            cluster.kill(follower);
            run.runFor(Duration.ofSeconds(6));
            long restarting = run.now();
            cluster.restartMember(follower);
            long restored = run.now();
            run.runFor(Duration.ofSeconds(4));
            long end = run.now();

            LoadChecks checks = run.finish(ERROR_BOUND, NO_HANG);
            Outage outage = checks.outage("etcd kill -9 follower", fault, restarting);
            Outage rejoin = checks.outage("etcd follower restarted", restarting, end);
            record(checks, outage, "member restarted in " + millis(restored - restarting) + " ms");
            record(checks, rejoin, "");
            checks.assertNone();
            assertThat(outage.successes()).as("allocations while a follower was down: %s", outage).isPositive();
            assertThat(outage.longestGapMillis()).as("longest time without an allocation, follower down: %s", outage)
                    .isLessThan(RECOVERY.toMillis());
            assertThat(checks.lastErrorBetween(restored, end)).as("ms to the last error after the follower was back")
                    .isLessThan(RECOVERY.toMillis());
        }
    }

    @Test
    @DisplayName("kill -9 of the leader: errors are 503s, allocation resumes within seconds of a new leader")
    void killLeader() {
        try (LoadFaultRun run = LoadFaultRun.start(fleet, "leader", "10.71.2.0", LoadDriver.Settings.standard())) {
            run.runFor(BASELINE);
            int leader = cluster.awaitLeader(0, Duration.ofSeconds(10));
            long fault = run.now();
            cluster.kill(leader);
            cluster.awaitLeader(leader, Duration.ofSeconds(30));
            long elected = run.now();
            run.runFor(Duration.ofSeconds(6));
            long restarting = run.now();
            cluster.restartMember(leader);
            long restored = run.now();
            run.runFor(Duration.ofSeconds(4));

            LoadChecks checks = run.finish(ERROR_BOUND, NO_HANG);
            Outage outage = checks.outage("etcd kill -9 leader", fault, restarting);
            long resumed = checks.firstAllocationAfter(elected);
            long lastError = checks.lastErrorBetween(elected, restarting);
            record(checks, outage, "new leader after " + millis(elected - fault) + " ms; first allocation sent after it succeeded "
                    + resumed + " ms later; last error answered " + lastError + " ms after it; old leader rejoined in "
                    + millis(restored - restarting) + " ms, errors after that: " + checks.outage("rejoin", restored, run.now()).errors());
            checks.assertNone();
            assertThat(resumed).as("allocation resumes after the new leader").isBetween(0L, RECOVERY.toMillis());
            assertThat(lastError).as("errors stop after the new leader").isLessThan(RECOVERY.toMillis());
        }
    }

    @Test
    @DisplayName("SIGSTOP of the leader for 10 s, then SIGCONT: errors are 503s within the timeout, allocation resumes")
    void pauseLeader() {
        try (LoadFaultRun run = LoadFaultRun.start(fleet, "paused", "10.71.3.0", LoadDriver.Settings.standard())) {
            run.runFor(BASELINE);
            int leader = cluster.awaitLeader(0, Duration.ofSeconds(10));
            long fault = run.now();
            cluster.pause(leader);
            cluster.awaitLeader(leader, Duration.ofSeconds(10));
            long elected = run.now();
            run.runFor(Duration.ofMillis(Math.max(0, 10_000 - millis(elected - fault))));
            long resuming = run.now();
            cluster.resume(leader);
            run.runFor(Duration.ofSeconds(6));
            long end = run.now();

            LoadChecks checks = run.finish(ERROR_BOUND, NO_HANG);
            Outage outage = checks.outage("etcd SIGSTOP leader 10 s", fault, end);
            long resumed = checks.firstAllocationAfter(elected);
            long lastErrorAfterElection = checks.lastErrorBetween(elected, resuming);
            long lastErrorAfterCont = checks.lastErrorBetween(resuming, end);
            record(checks, outage, "new leader after " + millis(elected - fault) + " ms; first allocation sent after it succeeded "
                    + resumed + " ms later; last error answered " + lastErrorAfterElection + " ms after the new leader, "
                    + lastErrorAfterCont + " ms after SIGCONT");
            checks.assertNone();
            assertThat(resumed).as("allocation resumes after the new leader").isBetween(0L, RECOVERY.toMillis());
            assertThat(lastErrorAfterCont).as("errors stop after SIGCONT").isLessThan(RECOVERY.toMillis());
        }
    }

    @Test
    @DisplayName("without quorum (two members killed) every request gets 503 and health says down; both back: allocation resumes")
    void quorumLoss() {
        try (LoadFaultRun run = LoadFaultRun.start(fleet, "quorum", "10.71.4.0", LoadDriver.Settings.standard())) {
            run.runFor(BASELINE);
            int leader = cluster.awaitLeader(0, Duration.ofSeconds(10));
            int follower = leader % 3 + 1;
            long fault = run.now();
            cluster.kill(leader);
            cluster.kill(follower);
            run.runFor(ERROR_BOUND);
            long settled = run.now();
            for (int i = 0; i < 3; i++) {
                ServiceClient.Reply health = fleet.client(i).health();
                assertThat(health.status()).as("health without quorum: %s", health).isEqualTo(503);
                assertThat(health.text("status")).isEqualTo("down");
            }
            run.runFor(Duration.ofSeconds(4));
            long restarting = run.now();
            cluster.restartMember(leader);
            cluster.restartMember(follower);
            cluster.awaitLeader(0, Duration.ofSeconds(30));
            long restored = run.now();
            run.runFor(Duration.ofSeconds(6));
            long end = run.now();

            LoadChecks checks = run.finish(ERROR_BOUND, NO_HANG);
            Outage outage = checks.outage("etcd quorum lost (2 of 3 killed)", fault, end);
            long resumed = checks.firstAllocationAfter(restored);
            record(checks, outage, "allocations answered 200 from +" + millis(settled - fault) + " ms to the restart: "
                    + checks.allocationsAnsweredBetween(settled, restarting) + "; both members back and a leader " + millis(restored - restarting)
                    + " ms after the restart began; first allocation after that succeeded " + resumed + " ms later");
            checks.assertNone();
            assertThat(checks.allocationsAnsweredBetween(settled, restarting)).as("allocations answered 200 without quorum")
                    .isZero();
            assertThat(checks.errorsAnsweredBetween(settled, restarting)).as("503s without quorum").isPositive();
            assertThat(resumed).as("allocation resumes once quorum is back").isBetween(0L, RECOVERY.toMillis());
            assertThat(checks.lastErrorBetween(restored, end)).as("ms to the last error after quorum is back")
                    .isLessThan(RECOVERY.toMillis());
        }
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    private static void record(LoadChecks checks, Outage outage, String more) {
        ServiceEnvironment.recordMeasurement(outage + (more.isEmpty() ? "" : "; " + more) + "; whole run: "
                + checks.latencySummary());
    }
}
