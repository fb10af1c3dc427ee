package net.allocator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.allocator.reliability.LoadChecks.Outage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterFaultsKit} on a three-member etcd cluster: each service process is given all three
 * endpoints. Faults: kill -9 of a follower or of the leader, SIGSTOP of the leader, loss of quorum.
 */
class ClusterEtcdFaultsTest extends ClusterFaultsKit {
    static final Duration ERROR_BOUND = STORE_TIMEOUT.multipliedBy(3);
    static final Duration RECOVERY = Duration.ofSeconds(5);

    ClusterEtcdFaultsTest() {
        super(ServiceStore.Kind.ETCD, ERROR_BOUND, RECOVERY);
    }

    @Test
    @DisplayName("kill -9 of a follower: allocation goes on, errors are 503s, nothing lost or doubled")
    void killFollower() {
        try (LoadFaultRun run = load("follower", "10.71.1.0")) {
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

            LoadChecks checks = run.finish(errorBound, NO_HANG);
            Outage outage = checks.outage("etcd kill -9 follower", fault, restarting);
            Outage rejoin = checks.outage("etcd follower restarted", restarting, end);
            record(checks, outage, "member restarted in " + millis(restored - restarting) + " ms");
            record(checks, rejoin, "");
            checks.assertNone();
            assertThat(outage.successes()).as("allocations while a follower was down: %s", outage).isPositive();
            assertThat(outage.longestGapMillis()).as("longest time without an allocation, follower down: %s", outage)
                    .isLessThan(recovery.toMillis());
            assertThat(checks.lastErrorBetween(restored, end)).as("ms to the last error after the follower was back")
                    .isLessThan(recovery.toMillis());
        }
    }

    @Test
    @DisplayName("kill -9 of the leader: errors are 503s, allocation resumes within seconds of a new leader")
    void killLeader() {
        try (LoadFaultRun run = load("leader", "10.71.2.0")) {
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

            LoadChecks checks = run.finish(errorBound, NO_HANG);
            Outage outage = checks.outage("etcd kill -9 leader", fault, restarting);
            long resumed = checks.firstAllocationAfter(elected);
            long lastError = checks.lastErrorBetween(elected, restarting);
            record(checks, outage, "new leader after " + millis(elected - fault) + " ms; first allocation sent after it succeeded "
                    + resumed + " ms later; last error answered " + lastError + " ms after it; old leader rejoined in "
                    + millis(restored - restarting) + " ms, errors after that: " + checks.outage("rejoin", restored, run.now()).errors());
            checks.assertNone();
            assertThat(resumed).as("allocation resumes after the new leader").isBetween(0L, recovery.toMillis());
            assertThat(lastError).as("errors stop after the new leader").isLessThan(recovery.toMillis());
        }
    }

    @Test
    @DisplayName("SIGSTOP of the leader for 10 s, then SIGCONT: errors are 503s within the timeout, allocation resumes")
    void pauseLeader() {
        try (LoadFaultRun run = load("paused", "10.71.3.0")) {
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

            LoadChecks checks = run.finish(errorBound, NO_HANG);
            Outage outage = checks.outage("etcd SIGSTOP leader 10 s", fault, end);
            long resumed = checks.firstAllocationAfter(elected);
            long lastErrorAfterElection = checks.lastErrorBetween(elected, resuming);
            long lastErrorAfterCont = checks.lastErrorBetween(resuming, end);
            record(checks, outage, "new leader after " + millis(elected - fault) + " ms; first allocation sent after it succeeded "
                    + resumed + " ms later; last error answered " + lastErrorAfterElection + " ms after the new leader, "
                    + lastErrorAfterCont + " ms after SIGCONT");
            checks.assertNone();
            assertThat(resumed).as("allocation resumes after the new leader").isBetween(0L, recovery.toMillis());
            assertThat(lastErrorAfterCont).as("errors stop after SIGCONT").isLessThan(recovery.toMillis());
        }
    }

    @Test
    @DisplayName("without quorum (two members killed) every request gets 503 and health says down; both back: allocation resumes")
    void quorumLoss() {
        try (LoadFaultRun run = load("quorum", "10.71.4.0")) {
            run.runFor(BASELINE);
            int leader = cluster.awaitLeader(0, Duration.ofSeconds(10));
            int follower = leader % 3 + 1;
            long fault = run.now();
            cluster.kill(leader);
            cluster.kill(follower);
            run.runFor(errorBound);
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

            LoadChecks checks = run.finish(errorBound, NO_HANG);
            Outage outage = checks.outage("etcd quorum lost (2 of 3 killed)", fault, end);
            long resumed = checks.firstAllocationAfter(restored);
            record(checks, outage, "allocations answered 200 from +" + millis(settled - fault) + " ms to the restart: "
                    + checks.allocationsAnsweredBetween(settled, restarting) + "; both members back and a leader " + millis(restored - restarting)
                    + " ms after the restart began; first allocation after that succeeded " + resumed + " ms later");
            checks.assertNone();
            assertThat(checks.allocationsAnsweredBetween(settled, restarting)).as("allocations answered 200 without quorum")
                    .isZero();
            assertThat(checks.errorsAnsweredBetween(settled, restarting)).as("503s without quorum").isPositive();
            assertThat(resumed).as("allocation resumes once quorum is back").isBetween(0L, recovery.toMillis());
            assertThat(checks.lastErrorBetween(restored, end)).as("ms to the last error after quorum is back")
                    .isLessThan(recovery.toMillis());
        }
    }
}
