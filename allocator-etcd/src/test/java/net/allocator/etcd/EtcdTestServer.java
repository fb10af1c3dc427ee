package net.allocator.etcd;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.allocator.core.store.Settings;

/**
 * The real etcd the tests run against, named by {@code ALLOCATOR_TEST_ETCD_ENDPOINTS}, and the
 * scripts (in {@code ALLOCATOR_SCRIPTS_DIR}) that start private ones for tests that must change a
 * server (enable auth, kill members). {@code scripts/with-servers.sh} sets both.
 */
final class EtcdTestServer {
    static final String ENV = "ALLOCATOR_TEST_ETCD_ENDPOINTS";
    static final String SCRIPTS_ENV = "ALLOCATOR_SCRIPTS_DIR";

    private EtcdTestServer() {}

    /** The server's client URLs; fails the test (not skips it) when unset, so a forgotten server never passes as green. */
    static String endpoints() {
        String endpoints = System.getenv(ENV);
        if (endpoints == null || endpoints.isBlank()) {
            fail(ENV + " is not set: run the tests through scripts/with-servers.sh"
                    + " (e.g. scripts/with-servers.sh mvn -o -pl allocator-etcd verify), which starts a real etcd and sets it");
        }
        return endpoints.strip();
    }

    /** A config for the test server, with {@code extra} settings (name, value, name, value…) on top. */
    static EtcdConfig config(String... extra) {
        Map<String, String> values = new HashMap<>();
        values.put(EtcdConfig.ENDPOINTS, endpoints());
        for (int i = 0; i + 1 < extra.length; i += 2) {
            values.put(extra[i], extra[i + 1]);
        }
        return EtcdConfig.from(Settings.of(values));
    }

    /** A new, independent client (its own connections) of the test server. */
    static EtcdKeyValueStore open(String... extra) {
        return new EtcdKeyValueStore(config(extra));
    }

    /** The scripts directory; fails the test when unset. */
    static Path scripts() {
        String dir = System.getenv(SCRIPTS_ENV);
        if (dir == null || dir.isBlank()) {
            fail(SCRIPTS_ENV + " is not set: run the tests through scripts/with-servers.sh, which sets it so that this test can start its own etcd");
        }
        return Path.of(dir.strip());
    }

    /** The run directory of a server that a script started under {@code name}. */
    static Path runDir(String name) {
        return scripts().toAbsolutePath().getParent().resolve(".servers/run/" + name);
    }

    /** Runs {@code script} from the scripts directory and returns its standard output; fails the test if it fails. */
    static String runScript(int timeoutSeconds, String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", scripts().resolve(script).toString()));
        command.addAll(List.of(args));
        // Output goes to files: the servers a script leaves running must not hold a pipe of ours.
        Path out = Files.createTempFile("etcd-script", ".out");
        Path err = Files.createTempFile("etcd-script", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + "s: " + Files.readString(err));
            }
            if (process.exitValue() != 0) {
                fail(String.join(" ", command) + " failed with status " + process.exitValue() + ": " + Files.readString(err));
            }
            return Files.readString(out).strip();
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
