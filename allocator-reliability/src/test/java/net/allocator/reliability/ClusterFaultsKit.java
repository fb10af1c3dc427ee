package net.allocator.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import net.allocator.reliability.LoadChecks.Outage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Faults of a three-member store cluster under load, one subclass per store: three service
 * processes with {@code --*-timeout 2s} and {@code --*-connect-timeout 1s}, and 64 clients
 * allocating and releasing in a /24. Each test injects one fault into a healthy cluster, and
 * {@link #heal()} leaves it healthy again for the next.
 *
 * <p>Checks for every fault: no address held twice, no acknowledged allocation lost, the store
 * exactly as the clients were told; every error a 503 with the JSON error body, answered within
 * the subclass's error bound; allocation resuming soon after the cluster has a leader again. The
 * outage clients saw is printed and recorded in target/reliability-logs/measurements.txt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ClusterFaultsKit {
    static final Duration STORE_TIMEOUT = Duration.ofSeconds(2);
    /** No answer at all may take longer (a success may wait for contention on a loaded machine). */
    static final Duration NO_HANG = Duration.ofSeconds(30);
    /** Load on the healthy cluster before each fault. */
    static final Duration BASELINE = Duration.ofSeconds(3);

    private final ServiceStore.Kind kind;
    /** Every 503 must come within this; the service promises "within the configured timeout" per store call. */
    protected final Duration errorBound;
    /** After the cluster has a leader and a quorum again, errors must stop within this. */
    protected final Duration recovery;

    protected ServiceStore cluster;
    protected ServiceFleet fleet;

    ClusterFaultsKit(ServiceStore.Kind kind, Duration errorBound, Duration recovery) {
        this.kind = kind;
        this.errorBound = errorBound;
        this.recovery = recovery;
    }

    @BeforeAll
    void start() {
        Path logs = ServiceEnvironment.logDir(getClass());
        String store = kind.name().toLowerCase(Locale.ROOT);
        cluster = ServiceStore.start(kind, ServiceEnvironment.uniqueName(store + "faults"), 3, logs);
        fleet = ServiceFleet.start(store + "-faults", cluster, 3, STORE_TIMEOUT, logs, List.of());
    }

    @AfterAll
    void stop() {
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
            if (!ProcessHandle.of(cluster.pid(member)).map(ProcessHandle::isAlive).orElse(false)) {
                cluster.restartMember(member);
            }
        }
        cluster.awaitLeader(0, Duration.ofSeconds(30));
        fleet.awaitHealthy(Duration.ofSeconds(30));
    }

    /** A load on the fleet in the /24 at {@code network}, named {@code name} in logs. */
    protected LoadFaultRun load(String name, String network) {
        return LoadFaultRun.start(fleet, name, network, LoadDriver.Settings.standard());
    }

    protected static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    /** Prints and records what clients saw of an outage, with {@code more} about it. */
    protected static void record(LoadChecks checks, Outage outage, String more) {
        ServiceEnvironment.recordMeasurement(outage + (more.isEmpty() ? "" : "; " + more) + "; whole run: "
                + checks.latencySummary());
    }
}
