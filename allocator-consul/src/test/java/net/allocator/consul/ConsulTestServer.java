package net.allocator.consul;

import static org.assertj.core.api.Assertions.fail;

import java.util.HashMap;
import java.util.Map;
import net.allocator.core.store.Settings;

/** The real Consul server the tests run against, named by {@code ALLOCATOR_TEST_CONSUL_URL}. */
final class ConsulTestServer {
    static final String ENV = "ALLOCATOR_TEST_CONSUL_URL";

    private ConsulTestServer() {}

    /** The server's HTTP URL; fails the test (not skips it) when unset, so a forgotten server never passes as green. */
    static String url() {
        String url = System.getenv(ENV);
        if (url == null || url.isBlank()) {
            fail(ENV + " is not set: run the tests through scripts/with-servers.sh (e.g. scripts/with-servers.sh mvn -pl allocator-consul verify),"
                    + " which starts a real Consul server and sets it");
        }
        return url.strip();
    }

    /** A config for the test server, with {@code extra} settings on top. */
    static ConsulConfig config(String... extra) {
        Map<String, String> values = new HashMap<>();
        values.put(ConsulConfig.URL, url());
        for (int i = 0; i + 1 < extra.length; i += 2) {
            values.put(extra[i], extra[i + 1]);
        }
        return ConsulConfig.from(Settings.of(values));
    }

    /** A new, independent client (its own connections) of the test server. */
    static ConsulKeyValueStore open(String... extra) {
        return new ConsulKeyValueStore(config(extra));
    }
}
