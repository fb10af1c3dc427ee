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
 * The sqlite store's durability through the service: a service process killed with {@code kill -9}
 * while 64 clients allocate and release, then started again on the same database file. Every
 * answer a client got before the kill must hold afterwards; the clients' logs and a direct read of
 * the file decide. (Several processes on one file: {@link MultiInstanceTest#sqlite}.)
 *
 * <p>{@code ALLOCATOR_SQLITE_KILL_OPERATIONS} sets the operations before and after the kill (CI:
 * 1500 each, a few seconds).
 */
class SqliteServiceTest {
    private static Path logs;

    @TempDir
    Path directory;

    @BeforeAll
    static void environment() {
        ServiceEnvironment.serviceJar();
        logs = ServiceEnvironment.logDir(SqliteServiceTest.class);
    }

    @Test
    @DisplayName("kill -9 under 64 clients' load, restarted on the same file: every acknowledged allocation held by its owner, "
            + "every acknowledged release free, no address held twice")
    void killedUnderLoad() {
        long operations = operations();
        ServiceStore file = ServiceStore.sqlite(directory.resolve("allocations.db"));
        try (ServiceFleet fleet = ServiceFleet.start("sqlite-kill", file, 1, Duration.ofSeconds(5), logs, List.of())) {
            int poolSize = fleet.register("kill", "10.64.0.0");
            LoadLog log = new LoadLog();
            LoadDriver load = fleet.load("kill", log, LoadDriver.Settings.standard()).start();
            assertThat(load.awaitOperations(operations, Duration.ofSeconds(120))).as("operations before the kill").isTrue();
            long killed = System.nanoTime();
            fleet.killAndRestart(0);
            double restartSeconds = (System.nanoTime() - killed) / 1e9;
            long beforeRestart = log.operationCount();
            assertThat(load.awaitOperations(beforeRestart + operations, Duration.ofSeconds(120))).as("operations after the restart").isTrue();
            load.stop(Duration.ofSeconds(30));
            log.writeTo(logs.resolve("sqlite-kill-attempts.tsv"));

            // the attempts in flight at the kill got no answer; their retries after the restart settled them
            LoadChecks checks = fleet.verify(load, "kill", poolSize, answers -> answers);
            ServiceEnvironment.recordMeasurement(String.format("sqlite-kill: %d operations by 64 clients, killed after %d, "
                    + "back in %.1f s; %s", log.operationCount(), beforeRestart, restartSeconds, checks.latencySummary()));
            checks.assertNone();
            assertThat(checks.exhaustionEpisodes()).as("the /24 was exhausted and refilled").isPositive();
        }
    }

    private static long operations() {
        String value = System.getenv("ALLOCATOR_SQLITE_KILL_OPERATIONS");
        return value == null || value.isBlank() ? 1_500 : Long.parseLong(value.strip());
    }
}
