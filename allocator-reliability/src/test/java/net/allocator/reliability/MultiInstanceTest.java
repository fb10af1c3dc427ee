package net.allocator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three service processes on one store, 64 concurrent HTTP clients spread across them,
 * allocating, re-allocating and releasing in a /24 until it is exhausted and refilled again and
 * again. Runs on the single etcd and the single Consul of {@code scripts/with-servers.sh}, and on
 * one SQLite database file that the three processes share.
 *
 * <p>{@code ALLOCATOR_MULTI_INSTANCE_OPERATIONS} sets the number of operations per store (CI:
 * 4000); {@code scripts/soak.sh} runs the same test with 10⁵ and more.
 */
class MultiInstanceTest {
    static final int DEFAULT_OPERATIONS = 4_000;

    /**
     * No answer may take longer. Not a latency goal: near exhaustion, with 20 requests per
     * process on a loaded 2-core machine, allocations take seconds (see docs/reliability.md).
     */
    static final Duration NO_HANG = Duration.ofSeconds(30);

    private static Path logs;

    @BeforeAll
    static void environment() {
        ServiceEnvironment.scriptsDir();
        ServiceEnvironment.serviceJar();
        logs = ServiceEnvironment.logDir(MultiInstanceTest.class);
    }

    @Test
    @DisplayName("etcd: three services, 64 clients; no address held twice, every acknowledged allocation and release in the store")
    void etcd() {
        run(ServiceStore.shared(ServiceStore.Kind.ETCD), "multi-etcd", "10.61.0.0");
    }

    @Test
    @DisplayName("Consul: three services, 64 clients; no address held twice, every acknowledged allocation and release in the store")
    void consul() {
        run(ServiceStore.shared(ServiceStore.Kind.CONSUL), "multi-consul", "10.62.0.0");
    }

    @Test
    @DisplayName("SQLite: three services on one database file, 64 clients; no address held twice, every acknowledged allocation and release in the file")
    void sqlite(@TempDir Path directory) {
        run(ServiceStore.sqlite(directory.resolve("shared.db")), "multi-sqlite", "10.63.0.0");
    }

    static long operations() {
        String value = System.getenv("ALLOCATOR_MULTI_INSTANCE_OPERATIONS");
        return value == null || value.isBlank() ? DEFAULT_OPERATIONS : Long.parseLong(value.strip());
    }

    private static void run(ServiceStore store, String stem, String base) {
        run(store, stem, base, operations(), logs);
    }

    /**
     * Three services on {@code store}, 64 clients until {@code operations} operations are done,
     * then every check; also the soak's first part.
     */
    static void run(ServiceStore store, String stem, String base, long operations, Path logs) {
        try (ServiceFleet fleet = ServiceFleet.start(stem, store, 3, Duration.ofSeconds(5), logs, List.of())) {
            int poolSize = fleet.register("multi", base);
            assertThat(poolSize).isEqualTo(253);
            LoadLog log = new LoadLog();
            LoadDriver load = fleet.load("multi", log, LoadDriver.Settings.standard()).start();
            long started = System.nanoTime();
            boolean reached = load.awaitOperations(operations, Duration.ofSeconds(120 + operations / 10));
            load.stop(Duration.ofSeconds(30));
            double seconds = (System.nanoTime() - started) / 1e9;
            log.writeTo(logs.resolve(stem + "-attempts.tsv"));

            LoadChecks checks = fleet.verify(load, "multi", poolSize, false, NO_HANG, NO_HANG);
            long episodes = checks.exhaustionEpisodes();
            ServiceEnvironment.recordMeasurement(String.format(
                    "%s: %d operations (%d HTTP requests) by 64 clients over 3 services in %.1f s (%.0f ops/s), "
                            + "%d 'exhausted' answers in %d exhaustion episodes; %s",
                    stem, log.operationCount(), log.attempts().size(), seconds, log.operationCount() / seconds,
                    load.exhaustedAnswers(), episodes, checks.latencySummary()));
            checks.assertNone();
            assertThat(reached).as("reached %d operations in time (got %d)", operations, log.operationCount()).isTrue();
            assertThat(episodes).as("the /24 was exhausted and refilled several times").isGreaterThanOrEqualTo(3);
        }
    }
}
