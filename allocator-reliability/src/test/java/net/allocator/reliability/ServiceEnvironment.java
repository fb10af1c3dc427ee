package net.allocator.reliability;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;

/**
 * What these system tests need from their surroundings: the server scripts, the shared servers
 * that {@code scripts/with-servers.sh} started, and the REST service's runnable jar. A missing
 * piece fails the test with the command that provides it, never skips it.
 */
final class ServiceEnvironment {
    static final String HOW_TO_RUN = "run these tests through scripts/with-servers.sh, e.g. "
            + "`scripts/with-servers.sh mvn -B -pl allocator-reliability -am verify -Dtest=SecurityTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false` (the reactor builds allocator-rest's jar first)";
    private static Path serviceJarCopy;

    private ServiceEnvironment() {}

    /** The project's scripts/ directory. */
    static Path scriptsDir() {
        Path dir = Path.of(variable("ALLOCATOR_SCRIPTS_DIR"));
        if (!Files.isRegularFile(dir.resolve("etcd-cluster.sh"))) {
            fail("ALLOCATOR_SCRIPTS_DIR=" + dir + " has no etcd-cluster.sh; " + HOW_TO_RUN);
        }
        return dir;
    }

    /** The repository's root directory. */
    static Path repoRoot() {
        return scriptsDir().toAbsolutePath().getParent();
    }

    /** The client URL of the single etcd that with-servers.sh started. */
    static String sharedEtcd() {
        return variable("ALLOCATOR_TEST_ETCD_ENDPOINTS");
    }

    /** The HTTP URL of the single Consul server that with-servers.sh started. */
    static String sharedConsul() {
        return variable("ALLOCATOR_TEST_CONSUL_URL");
    }

    /**
     * A private copy of allocator-rest's runnable jar, made once per test JVM: another build in
     * the same working tree may replace {@code allocator-rest/target/allocator-rest.jar} while
     * service processes still load classes from it.
     */
    static synchronized Path serviceJar() {
        if (serviceJarCopy != null) {
            return serviceJarCopy;
        }
        Path jar = repoRoot().resolve("allocator-rest/target/allocator-rest.jar");
        if (!Files.isRegularFile(jar)) {
            fail(jar + " is missing; " + HOW_TO_RUN);
        }
        try {
            Path copy = Files.createDirectories(Path.of("target", "service-jars").toAbsolutePath())
                    .resolve("allocator-rest-" + ProcessHandle.current().pid() + ".jar");
            Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
            copy.toFile().deleteOnExit();
            serviceJarCopy = copy;
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + jar, e);
        }
    }

    /** A directory for the logs of one test class's processes, under this module's target/. */
    static Path logDir(Class<?> testClass) {
        Path dir = Path.of("target", "reliability-logs", testClass.getSimpleName()).toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir, e);
        }
        return dir;
    }

    /** A name for a server instance of the scripts that no other run uses at the same time. */
    static String uniqueName(String stem) {
        return "rel-" + stem + "-" + ProcessHandle.current().pid() + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }

    /** A key prefix of its own for one test, so that runs sharing a server never see each other's keys. */
    static String uniquePrefix(String stem) {
        return "reliability/" + stem + "-" + Long.toString(Instant.now().toEpochMilli(), 36)
                + Long.toString(System.nanoTime() % 1_000_000L, 36);
    }

    /** Appends lines to target/reliability-logs/measurements.txt (the figures docs/reliability.md quotes). */
    static synchronized void recordMeasurement(String line) {
        System.out.println("MEASURED " + line);
        Path file = Path.of("target", "reliability-logs", "measurements.txt");
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, List.of(Instant.now() + " " + line), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("cannot record measurement: " + e);
        }
    }

    private static String variable(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            fail(name + " is not set; " + HOW_TO_RUN);
        }
        return value.strip();
    }
}
