package net.allocator.etcd;

import static org.assertj.core.api.Assertions.fail;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import net.allocator.core.store.Operation;
import net.allocator.core.store.Settings;

/** The real etcd the tests run against, named by {@code ALLOCATOR_TEST_ETCD_ENDPOINTS}. */
final class EtcdTestServer {
    static final String ENV = "ALLOCATOR_TEST_ETCD_ENDPOINTS";

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
        return EtcdConfig.of(Settings.of(values));
    }

    /** A new, independent client (its own connections) of the test server. */
    static EtcdKeyValueStore open(String... extra) {
        return new EtcdKeyValueStore(config(extra));
    }

    /** A key prefix no other test uses. */
    static String uniquePrefix(String test) {
        return "etcd-test-" + test + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + "/";
    }

    /** Deletes every key under {@code prefix}. */
    static void cleanUp(String prefix) {
        try (EtcdKeyValueStore store = open()) {
            store.commit(List.of(), List.of(Operation.deletePrefix(prefix)));
        }
    }
}
