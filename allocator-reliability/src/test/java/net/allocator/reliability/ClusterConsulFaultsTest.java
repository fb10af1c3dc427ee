package net.allocator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.allocator.reliability.LoadChecks.Outage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterFaultsKit} on a three-server Consul cluster: service process {@code i} talks to
 * agent {@code i}, as each host talks to its local agent. Faults: restart of the leader, rolling
 * restart of all three; restarts keep each server's data dir. While a server restarts, the
 * service process whose agent it is answers 503 (its only agent is gone); clients retry on the
 * others.
 */
class ClusterConsulFaultsTest extends ClusterFaultsKit {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** Three times what one Consul call may take: "about the connect timeout plus the timeout". */
    static final Duration ERROR_BOUND = STORE_TIMEOUT.plus(CONNECT_TIMEOUT).multipliedBy(3);
    /**
     * After the cluster has a leader again and the restarted server is back, errors must stop
     * within this. Longer than etcd's: for a few seconds after a server returns, the other
     * agents still answer some forwarded reads with HTTP 500 "rpc error getting client: failed
     * to get conn" (Consul's RPC connection pool), which the service reports as 503.
     */
    static final Duration RECOVERY = Duration.ofSeconds(10);
    /** After a new leader is elected, an allocation must succeed within this. */
    static final Duration RESUME = Duration.ofSeconds(5);
    /** How long the load runs after each restart. */
    static final Duration AFTER_RESTART = Duration.ofSeconds(12);

    ClusterConsulFaultsTest() {
        super(ServiceStore.Kind.CONSUL, ERROR_BOUND, RECOVERY);
    }

    @Test
    @DisplayName("restart of the leader: errors are 503s, allocation resumes within seconds of a new leader, nothing lost or doubled")
    void restartLeader() {
        try (LoadFaultRun run = load("leader", "10.72.1.0")) {
            run.runFor(BASELINE);
            int leader = cluster.awaitLeader(0, Duration.ofSeconds(10));
            long fault = run.now();
            cluster.stopMember(leader);
            cluster.awaitLeader(leader, Duration.ofSeconds(30));
            long elected = run.now();
            long restarting = run.now();
            cluster.restartMember(leader);
            long restored = run.now();
            run.runFor(AFTER_RESTART);
            long end = run.now();

            LoadChecks checks = run.finish(errorBound, NO_HANG);
            Outage outage = checks.outage("consul restart leader", fault, restored);
            long resumed = checks.firstAllocationAfter(elected);
            long lastError = checks.lastErrorBetween(restored, end);
            record(checks, outage, "new leader after " + millis(elected - fault) + " ms; first allocation sent after it succeeded "
                    + resumed + " ms later; old leader back after " + millis(restored - restarting) + " ms; last error "
                    + lastError + " ms after that");
            checks.assertNone();
            assertThat(resumed).as("allocation resumes after the new leader").isBetween(0L, RESUME.toMillis());
            assertThat(lastError).as("errors after the old leader is back").isLessThan(recovery.toMillis());
        }
    }

    @Test
    @DisplayName("rolling restart of all three servers, one by one: errors are 503s, allocation resumes after each, nothing lost or doubled")
    void rollingRestart() {
        try (LoadFaultRun run = load("rolling", "10.72.2.0")) {
            run.runFor(BASELINE);
            List<long[]> restarts = new ArrayList<>();
            for (int member = 1; member <= 3; member++) {
                long fault = run.now();
                cluster.restartMember(member);
                cluster.awaitLeader(0, Duration.ofSeconds(30));
                long back = run.now();
                run.runFor(AFTER_RESTART);
                restarts.add(new long[] {member, fault, back, run.now()});
            }

            LoadChecks checks = run.finish(errorBound, NO_HANG);
            List<Long> lastErrors = new ArrayList<>();
            List<Long> gaps = new ArrayList<>();
            for (long[] restart : restarts) {
                gaps.add(checks.outage("back", restart[2], restart[3]).longestGapMillis());
                Outage outage = checks.outage("consul rolling restart, server " + restart[0], restart[1], restart[3]);
                long lastError = checks.lastErrorBetween(restart[2], restart[3]);
                lastErrors.add(lastError);
                record(checks, outage, "server back with a leader after " + millis(restart[2] - restart[1]) + " ms; last error "
                        + lastError + " ms after that");
            }
            checks.assertNone();
            assertThat(lastErrors).as("ms from each server's return to the last error").allMatch(last -> last < recovery.toMillis());
            assertThat(gaps).as("longest time without an allocation after each server's return").allMatch(gap -> gap < RESUME.toMillis());
            assertThat(checks.allocationsAnsweredBetween(restarts.get(2)[2], restarts.get(2)[3])).as("allocations at the end")
                    .isPositive();
        }
    }
}
